// The `parallel` step: independent read-only commands issued at once, each its own fact,
// history entry and evidence; the step's own transitions run once every branch finished.
import { describe, expect, it } from 'vitest';
import { applyEvent, startSession, stepRuns } from '../../src/engine/index.js';
import type { ParallelBranch, Step, Transition } from '../../src/engine/model.js';
import type { Effect, EngineEvent, SessionState, Transitioned } from '../../src/engine/types.js';
import { catalogOf, cause, conclude, jsonRoundTrip, playbook, result, run, runSpec } from './helpers.js';

type RunEffect = Extract<Effect, { type: 'run' }>;

function branch(id: string, argv: string[], extra: { as?: string; transitions?: Transition[]; otherwise?: Transition; mutates?: boolean } = {}): ParallelBranch {
  return {
    id,
    title: `read ${id}`,
    why: 'independent',
    run: runSpec(argv, extra.mutates ? { mutates: true, undo: ['undo'] } : {}),
    transitions: extra.transitions ?? [],
    ...(extra.as ? { as: extra.as } : {}),
    ...(extra.otherwise ? { otherwise: extra.otherwise } : {}),
  };
}

function parallel(id: string, branches: ParallelBranch[], extra: { transitions?: Transition[]; otherwise?: Transition } = {}): Step {
  return { id, title: `parallel ${id}`, why: 'reads at once', kind: 'parallel', parallel: branches, transitions: extra.transitions ?? [], ...(extra.otherwise ? { otherwise: extra.otherwise } : {}) };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

const causes = [cause('overlap'), cause('conflict'), cause('replica')];
const pb = playbook(
  'p',
  [
    run('first', ['echo', 'svc'], {}, { as: 'svc' }),
    parallel(
      'reads',
      [
        branch('read-pods', ['kubectl', 'get', 'pods', '-l', '{{svc.stdout}}'], {
          as: 'pods',
          transitions: [{ when: 'pods.stdout == "two"', support: { overlap: 'pods of two workloads ({{pods.stdout}})' } }],
        }),
        branch('read-endpoints', ['kubectl', 'get', 'endpoints'], {
          as: 'ep',
          transitions: [{ when: 'ep.ok', rule_out: { replica: 'endpoints read fine' } }],
          otherwise: { support: { replica: 'endpoints could not be read' } },
        }),
        branch('read-nodes', ['kubectl', 'get', 'nodes'], { as: 'nodes' }),
      ],
      {
        transitions: [
          { when: 'pods.stdout == "two" && ep.ok && nodes.ok', next: 'both', set: { seen: '{{pods.stdout}}/{{ep.stdout}}/{{nodes.stdout}}' } },
          { when: 'reads.ok_count < 3', next: 'some-failed' },
        ],
        otherwise: { next: 'none' },
      },
    ),
    conclude('both', 'overlap', 'saw {{seen}}'),
    conclude('some-failed', 'inconclusive', '{{reads.failed}} {{reads.not_run}}'),
    conclude('none', 'inconclusive', 'nothing'),
  ],
  { causes },
);
const catalog = catalogOf(pb);

function start(options = {}): Transitioned {
  const t = startSession(catalog, 'p', {}, options);
  const first = t.state.pending[0]!;
  return applyEvent(catalog, t.state, { type: 'command-finished', effectId: first.id, result: result({ stdout: 'app=web' }) });
}

const runs = (t: Transitioned) => t.effects.filter((e): e is RunEffect => e.type === 'run');
const byStep = (s: SessionState, id: string) => s.pending.find((e): e is RunEffect => e.type === 'run' && e.stepId === id)!;
const finish = (s: SessionState, id: string, stdout: string, exitCode = 0): EngineEvent => ({
  type: 'command-finished',
  effectId: byStep(s, id).id,
  result: result({ stdout, exitCode }),
});

/** applyEvent on a frozen state, checking that the state it was given is unchanged */
function apply(t: Transitioned, ev: (s: SessionState) => EngineEvent): Transitioned {
  const before = deepFreeze(t.state);
  const snapshot = JSON.stringify(before);
  const next = applyEvent(catalog, before, ev(before));
  expect(JSON.stringify(before)).toBe(snapshot);
  return next;
}

describe('parallel step', () => {
  it('issues every branch at once, each its own effect named after the branch', () => {
    const t = start();
    const effects = runs(t);
    expect(effects.map((e) => e.stepId)).toEqual(['read-pods', 'read-endpoints', 'read-nodes']);
    expect(effects.every((e) => e.parentStepId === 'reads')).toBe(true);
    expect(effects[0]!.argv).toEqual(['kubectl', 'get', 'pods', '-l', 'app=web']);
    expect(effects[0]!.title).toBe('read read-pods');
    expect(t.state.pending).toHaveLength(3);
    expect(t.state.frames[0]!.stepId).toBe('reads');
  });

  it.each([
    ['in issue order', ['read-pods', 'read-endpoints', 'read-nodes']],
    ['in reverse order', ['read-nodes', 'read-endpoints', 'read-pods']],
    ['middle first', ['read-endpoints', 'read-nodes', 'read-pods']],
  ])('results arriving %s: same facts, evidence and decision', (_name, order) => {
    let t = start();
    const out: Record<string, string> = { 'read-pods': 'two', 'read-endpoints': 'ep', 'read-nodes': 'n' };
    for (const [k, id] of order.entries()) {
      t = apply(t, (s) => finish(s, id, out[id]!));
      if (k < order.length - 1) {
        // not done yet: no next step, the frame waits on the parallel step
        expect(t.state.frames[0]!.stepId).toBe('reads');
        expect(t.state.status).toBe('running');
        expect(t.effects).toEqual([]);
      }
    }
    const s = t.state;
    expect(s.status).toBe('concluded');
    expect(s.outcome!.cause).toBe('overlap');
    expect(s.outcome!.evidence[0]).toBe('saw two/ep/n');
    const f = s.frames[0]!.facts;
    expect(f.pods).toMatchObject({ ok: true, stdout: 'two' });
    expect(f.ep).toMatchObject({ ok: true, stdout: 'ep' });
    expect(f.reads).toEqual({ ok: true, count: 3, ok_count: 3, failed: [], not_run: [] });
    // one history entry per branch (in the order they finished), then the parallel step
    const h = s.history.slice(1);
    expect(h.map((x) => x.stepId)).toEqual([...order, 'reads', 'both']);
    for (const e of h.slice(0, 3)) expect(e).toMatchObject({ kind: 'run', next: null, parentStepId: 'reads' });
    expect(h[3]).toMatchObject({ kind: 'parallel', next: 'both', summary: '3 reads at once: 3 ok' });
    // evidence carries the branch as its step
    expect(s.hypotheses.overlap!.evidence.map((e) => [e.stepId, e.text])).toContainEqual(['read-pods', 'pods of two workloads (two)']);
    expect(s.hypotheses.replica).toMatchObject({ status: 'ruled-out' });
    expect(s.hypotheses.replica!.evidence[0]!.stepId).toBe('read-endpoints');
    const seqOfPods = h.find((x) => x.stepId === 'read-pods')!.seq;
    expect(s.hypotheses.overlap!.evidence.find((e) => e.stepId === 'read-pods')!.seq).toBe(seqOfPods);
    expect(jsonRoundTrip(s)).toEqual(s);
  });

  it('a failing, a skipped and a cancelled branch: the step still completes, its fact says which', () => {
    let t = start();
    t = apply(t, (s) => finish(s, 'read-endpoints', '', 1));
    t = apply(t, (s) => ({ type: 'skipped', effectId: byStep(s, 'read-pods').id, reason: 'RBAC preflight: missing get pods' }));
    expect(t.state.frames[0]!.stepId).toBe('reads');
    t = apply(t, (s) => ({ type: 'cancelled', effectId: byStep(s, 'read-nodes').id }));
    const s = t.state;
    expect(s.status).toBe('inconclusive');
    expect(s.frames[0]!.facts.reads).toEqual({ ok: false, count: 3, ok_count: 0, failed: ['read-endpoints'], not_run: ['read-pods', 'read-nodes'] });
    expect(s.frames[0]!.facts.pods).toMatchObject({ skipped: true, reason: 'RBAC preflight: missing get pods' });
    expect(s.frames[0]!.facts.nodes).toMatchObject({ cancelled: true });
    // the failing branch's otherwise gave its evidence
    expect(s.hypotheses.replica).toMatchObject({ status: 'supported' });
    expect(s.history.find((h) => h.stepId === 'reads')).toMatchObject({ next: 'some-failed', summary: expect.stringContaining('1 failed (read-endpoints)') });
    expect(s.history.find((h) => h.stepId === 'read-nodes')!.summary).toBe('cancelled by the operator');
  });

  it('a branch with a missing template variable is skipped with a warning; the others run', () => {
    const p = playbook('m', [
      parallel('reads', [branch('a', ['echo', '{{nope}}']), branch('b', ['echo', 'b'])], { transitions: [{ when: 'b.ok && a.skipped', next: 'end' }] }),
      conclude('end', 'inconclusive', '{{a.reason}}'),
    ]);
    const c = catalogOf(p);
    let t = startSession(c, 'm', {});
    expect(runs(t).map((e) => e.stepId)).toEqual(['b']);
    expect(t.state.history).toHaveLength(1);
    expect(t.state.history[0]).toMatchObject({ stepId: 'a', parentStepId: 'reads', summary: 'skipped: missing template variable: {{nope}}' });
    expect(t.state.history[0]!.warnings).toEqual(['step a: missing template variable: {{nope}}']);
    t = applyEvent(c, t.state, { type: 'command-finished', effectId: t.state.pending[0]!.id, result: result() });
    expect(t.state.outcome).toMatchObject({ status: 'inconclusive', evidence: ['missing template variable: {{nope}}'] });
  });

  it('only_if false skips a branch as not needed (no warning); an only_if that fails to evaluate warns', () => {
    const withCond = (b: ParallelBranch, onlyIf: string): ParallelBranch => ({ ...b, onlyIf });
    const p = playbook('m', [
      parallel('reads', [
        withCond(branch('given', ['kubectl', 'get', 'pod', '{{client}}']), 'client != ""'),
        withCond(branch('broken', ['echo']), 'nope.field'),
        branch('always', ['echo']),
      ], { transitions: [{ when: 'given.skipped && broken.skipped && always.ok', next: 'end' }] }),
      conclude('end', 'inconclusive', '{{given.reason}}'),
    ]);
    const c = catalogOf(p);
    let t = startSession(c, 'm', { client: '' });
    expect(runs(t).map((e) => e.stepId)).toEqual(['always']);
    expect(t.state.history[0]).toMatchObject({ stepId: 'given', summary: 'skipped: only_if (client != "") is false' });
    expect(t.state.history[0]!.warnings).toBeUndefined();
    expect(t.state.history[1]!.warnings![0]).toMatch(/^step broken: only_if \(nope\.field\) could not be evaluated: .*; skipped$/);
    t = applyEvent(c, t.state, { type: 'command-finished', effectId: t.state.pending[0]!.id, result: result() });
    expect(t.state.outcome!.evidence[0]).toBe('only_if (client != "") is false');
    // with a client the branch runs, rendered with it
    const t2 = startSession(c, 'm', { client: 'web-1' });
    expect(runs(t2).map((e) => [e.stepId, e.argv.join(' ')])).toEqual([
      ['given', 'kubectl get pod web-1'],
      ['always', 'echo'],
    ]);
  });

  it('when every branch is skipped the step completes at once', () => {
    const p = playbook('m', [parallel('reads', [branch('a', ['echo', '{{x}}']), branch('b', ['echo', '{{y}}'])]), conclude('end', 'inconclusive', '{{reads.not_run}}')]);
    const t = startSession(catalogOf(p), 'm', {});
    expect(t.state.status).toBe('inconclusive');
    expect(t.state.history.map((h) => h.stepId)).toEqual(['a', 'b', 'reads', 'end']);
    expect(t.state.outcome!.evidence[0]).toBe('["a","b"]');
  });

  it('an abort while branches run ends the session and drops every pending branch', () => {
    let t = start();
    t = apply(t, (s) => finish(s, 'read-pods', 'two'));
    t = apply(t, () => ({ type: 'abort', reason: 'operator quit' }));
    expect(t.state.status).toBe('aborted');
    expect(t.state.pending).toEqual([]);
    expect(t.effects.map((e) => e.type)).toEqual(['done']);
    // a late result of a branch changes nothing
    const late = applyEvent(catalog, t.state, { type: 'command-finished', effectId: 'e3', result: result() });
    expect(late.state).toBe(t.state);
  });

  it('a duplicate or late event for a branch changes nothing', () => {
    let t = start();
    const id = byStep(t.state, 'read-pods').id;
    t = apply(t, (s) => finish(s, 'read-pods', 'two'));
    const again = applyEvent(catalog, t.state, { type: 'command-finished', effectId: id, result: result() });
    expect(again.state).toBe(t.state);
    expect(again.effects).toEqual([]);
  });

  it('under --read-only a read-only parallel step runs exactly the same', () => {
    const t = start({ readOnly: true });
    expect(runs(t).map((e) => e.stepId)).toEqual(['read-pods', 'read-endpoints', 'read-nodes']);
    expect(runs(t).every((e) => !e.mutates)).toBe(true);
  });

  it('a mutating branch (refused by validation) is never issued under --read-only', () => {
    const p = playbook('m', [parallel('reads', [branch('a', ['kubectl', 'delete', 'pod', 'x'], { mutates: true }), branch('b', ['echo'])]), conclude('end', 'inconclusive', '{{a.reason}}')]);
    const c = catalogOf(p);
    let t = startSession(c, 'm', {}, { readOnly: true });
    expect(runs(t).map((e) => e.stepId)).toEqual(['b']);
    t = applyEvent(c, t.state, { type: 'command-finished', effectId: t.state.pending[0]!.id, result: result() });
    expect(t.state.outcome!.evidence[0]).toContain('read-only: branch a would change the cluster');
  });

  it('resuming from a saved state re-issues only the branches still pending', () => {
    let t = start();
    t = apply(t, (s) => finish(s, 'read-nodes', 'n'));
    const saved = jsonRoundTrip(t.state);
    expect(saved.pending.map((e) => (e as RunEffect).stepId)).toEqual(['read-pods', 'read-endpoints']);
    let r: Transitioned = { state: saved, effects: [] };
    r = applyEvent(catalog, r.state, finish(r.state, 'read-pods', 'two'));
    r = applyEvent(catalog, r.state, finish(r.state, 'read-endpoints', 'ep'));
    expect(r.state.outcome).toMatchObject({ status: 'concluded', cause: 'overlap', evidence: ['saw two/ep/n', 'pods of two workloads (two)'] });
  });

  it('shares what a branch event does not change (copy-on-write)', () => {
    let t = start();
    const prev = t.state;
    t = apply(t, (s) => finish(s, 'read-pods', 'two'));
    expect(t.state.frames[0]).not.toBe(prev.frames[0]);
    expect(t.state.frames[0]!.facts.svc).toBe(prev.frames[0]!.facts.svc);
    expect(t.state.history[0]).toBe(prev.history[0]);
    expect(t.state.hypotheses.conflict).toBe(prev.hypotheses.conflict);
    expect(prev.frames[0]!.facts.pods).toBeUndefined();
    expect(prev.hypotheses.overlap!.evidence).toEqual([]);
  });

  it('stepRuns lists each branch under its own id (the key the RBAC preflight and transcript use)', () => {
    expect(stepRuns(pb.steps[1]!).map((r) => [r.stepId, r.run.argv[2]])).toEqual([
      ['read-pods', 'pods'],
      ['read-endpoints', 'endpoints'],
      ['read-nodes', 'nodes'],
    ]);
    expect(stepRuns(pb.steps[0]!).map((r) => r.stepId)).toEqual(['first']);
    expect(stepRuns(pb.steps[2]!)).toEqual([]);
  });
});
