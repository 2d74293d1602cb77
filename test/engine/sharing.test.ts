// applyEvent copies only what an event changes: the given state stays as it was (deep-frozen
// here, so a stray write throws), and what the event did not touch is the very same object
// in the new state. The sharing is what keeps a long session linear: a copy of every
// frame's facts per event made a 1,000-step playbook quadratic (bench/engine-overhead.mjs).
import { describe, expect, it } from 'vitest';
import { applyEvent, startSession } from '../../src/engine/index.js';
import type { EngineEvent, SessionState, Transitioned } from '../../src/engine/types.js';
import { call, catalogOf, cause, conclude, foreach, playbook, result, run, runSpec } from './helpers.js';

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** applyEvent on a frozen state, checking that the state is unchanged afterwards */
function step(catalog: Parameters<typeof applyEvent>[0], t: Transitioned, event: (s: SessionState) => EngineEvent): Transitioned {
  const before = deepFreeze(t.state);
  const snapshot = JSON.stringify(before);
  const next = applyEvent(catalog, before, event(before));
  expect(JSON.stringify(before)).toBe(snapshot);
  expect(JSON.parse(JSON.stringify(next.state))).toEqual(next.state);
  return next;
}

const finished = (s: SessionState): EngineEvent => ({ type: 'command-finished', effectId: s.pending[0]!.id, result: result({ stdout: 'x' }) });

describe('applyEvent shares what an event does not change', () => {
  const n = 200;
  const long = playbook(
    'long',
    [
      ...Array.from({ length: n }, (_, i) =>
        run(`s${i}`, ['true', String(i)], {}, i === 7 ? { transitions: [{ support: { a: 'step 7 ran' } }] } : {}),
      ),
      conclude('end', 'inconclusive', 'ran {{s0.stdout}}'),
    ],
    { causes: [cause('a'), cause('b')] },
  );
  const catalog = catalogOf(long);

  it('a run step keeps earlier facts, history entries and untouched hypotheses as the same objects', () => {
    let t = startSession(catalog, 'long', {});
    for (let i = 0; i < n; i++) {
      const prev = t.state;
      t = step(catalog, t, finished);
      const s = t.state;
      expect(s.frames[0]!.facts).not.toBe(prev.frames[0]!.facts);
      if (i > 0) expect(s.frames[0]!.facts[`s${i - 1}`]).toBe(prev.frames[0]!.facts[`s${i - 1}`]);
      // the old state did not get the new fact
      expect(prev.frames[0]!.facts[`s${i}`]).toBeUndefined();
      // one entry per step (the last event also runs the conclude step)
      expect(s.history.length).toBe(prev.history.length + (i === n - 1 ? 2 : 1));
      if (prev.history.length > 0) for (const k of [0, prev.history.length >> 1, prev.history.length - 1]) expect(s.history[k]).toBe(prev.history[k]);
      // b is never touched: shared; a changes once, at step 7
      expect(s.hypotheses.b).toBe(prev.hypotheses.b);
      if (i === 7) {
        expect(s.hypotheses.a).not.toBe(prev.hypotheses.a);
        expect(s.hypotheses.a!.status).toBe('supported');
        expect(prev.hypotheses.a!.status).toBe('open');
      } else {
        expect(s.hypotheses.a).toBe(prev.hypotheses.a);
      }
    }
    expect(t.state.status).toBe('inconclusive');
    expect(t.state.outcome?.reason).toMatch(/ran x|playbook long/);
  });

  it('an event inside a sub-playbook leaves the calling frames shared; returning copies the caller', () => {
    const sub = playbook('sub', [run('p1', ['ping', '{{ip}}']), run('p2', ['ping', '{{ip}}']), conclude('no', 'inconclusive', '{{ip}} silent')], {
      inputs: [{ name: 'ip', prompt: 'ip', required: true }],
    });
    const root = playbook('root', [run('list', ['list']), call('c', 'sub', { ip: '10.0.0.1' }), conclude('end', 'inconclusive', 'done {{c.status}}')]);
    const cat = catalogOf(root, sub);
    let t = startSession(cat, 'root', {});
    t = step(cat, t, finished); // list → enters the sub-playbook, p1 pending
    expect(t.state.frames.map((f) => f.playbookId)).toEqual(['root', 'sub']);
    const inSub = t.state;
    t = step(cat, t, finished); // p1 → p2: only the sub frame changes
    expect(t.state.frames[0]).toBe(inSub.frames[0]);
    expect(t.state.frames[1]).not.toBe(inSub.frames[1]);
    const beforeReturn = t.state;
    t = step(cat, t, finished); // p2 → conclude in sub → back in root → end
    expect(t.state.frames[0]).not.toBe(beforeReturn.frames[0]);
    expect(t.state.frames[0]!.facts.c).toMatchObject({ status: 'inconclusive', evidence: '10.0.0.1 silent' });
    expect(beforeReturn.frames[0]!.facts.c).toBeUndefined();
    expect(t.state.status).toBe('inconclusive');
  });

  it('an abort inside a foreach of calls clears the foreach of the shared caller frame in a copy only', () => {
    const sub = playbook('sub', [run('p', ['ping', '{{ip}}']), conclude('no', 'inconclusive', 'silent')], {
      inputs: [{ name: 'ip', prompt: 'ip', required: true }],
    });
    const root = playbook('root', [
      run('list', ['list'], { parse: 'json' }, { as: 'pods' }),
      foreach('each', 'pods.items', 'ip', 1, { call: { playbook: 'sub', with: { ip: '{{ip}}' } } }),
      conclude('end', 'inconclusive', 'done'),
    ]);
    const cat = catalogOf(root, sub);
    let t = startSession(cat, 'root', {});
    t = step(cat, t, (s) => ({ type: 'command-finished', effectId: s.pending[0]!.id, result: result({ stdout: '{"items":["10.0.0.1","10.0.0.2"]}' }) }));
    t = step(cat, t, finished); // first item's sub-playbook ends, the second starts: caller frame copied
    const during = t.state;
    expect(during.frames[0]!.foreach?.nextIndex).toBe(2);
    t = step(cat, t, () => ({ type: 'abort', reason: 'operator quit' }));
    expect(t.state.status).toBe('aborted');
    expect(t.state.frames.every((f) => f.foreach === undefined)).toBe(true);
    // the given state still has its foreach bookkeeping
    expect(during.frames[0]!.foreach?.results[0]).toMatchObject({ item: '10.0.0.1', status: 'inconclusive' });
  });

  it('a parallel foreach copies its bookkeeping per event, not the items', () => {
    const root = playbook('root', [
      run('list', ['list'], { parse: 'json' }, { as: 'pods' }),
      foreach('each', 'pods.items', 'ip', 2, { run: runSpec(['ping', '{{ip}}']) }),
      conclude('end', 'inconclusive', 'done'),
    ]);
    const cat = catalogOf(root);
    let t = startSession(cat, 'root', {});
    t = step(cat, t, (s) => ({ type: 'command-finished', effectId: s.pending[0]!.id, result: result({ stdout: '{"items":["a","b","c"]}' }) }));
    expect(t.state.pending.map((p) => p.type === 'run' && p.argv)).toEqual([
      ['ping', 'a'],
      ['ping', 'b'],
    ]);
    const prev = t.state;
    t = step(cat, t, finished);
    const fe = t.state.frames[0]!.foreach!;
    expect(fe.items).toBe(prev.frames[0]!.foreach!.items);
    expect(fe.results).not.toBe(prev.frames[0]!.foreach!.results);
    expect(prev.frames[0]!.foreach!.results).toEqual([null, null, null]);
    // no fact was written: the facts map is shared too
    expect(t.state.frames[0]!.facts).toBe(prev.frames[0]!.facts);
    expect(t.state.pending.map((p) => p.type === 'run' && p.argv)).toEqual([
      ['ping', 'b'],
      ['ping', 'c'],
    ]);
    t = step(cat, t, finished);
    t = step(cat, t, finished);
    expect(t.state.frames[0]!.facts.each).toEqual([
      expect.objectContaining({ item: 'a', ok: true }),
      expect.objectContaining({ item: 'b', ok: true }),
      expect.objectContaining({ item: 'c', ok: true }),
    ]);
  });
});
