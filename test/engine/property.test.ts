// Property: whatever the operator answers and whatever commands do (exit codes, timeouts,
// cancels, spawn failures, garbage output), the engine never throws, never mutates the
// state it was given, keeps every state plain JSON, and ends concluded or inconclusive
// within the step bound.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyEvent, startSession } from '../../src/engine/index.js';
import type { Catalog } from '../../src/engine/model.js';
import type { EngineEvent, SessionState } from '../../src/engine/types.js';
import { loadCatalog } from '../../src/playbook/index.js';
import { ask, call, catalogOf, cause, conclude, foreach, playbook, result, run, runSpec } from './helpers.js';

const causes = [cause('a'), cause('b')];

/** Retry loop: run, on failure ask whether to retry, back to the run. Ends only by luck or the bound. */
const retryLoop = playbook(
  'retry',
  [
    run('probe', ['curl', '-sS', 'http://{{host}}:{{port}}/'], { parse: 'json' }, {
      as: 'probe',
      transitions: [
        { when: 'probe.ok && probe.value > 3', support: { a: 'value {{probe.value}}' }, next: 'found' },
        { when: 'probe.timed_out', rule_out: { b: 'timed out after {{probe.duration_ms}} ms' } },
        { when: 'probe.cancelled', next: 'give-up' },
      ],
    }),
    ask('again', 'confirm', {
      transitions: [{ when: 'again', next: 'probe' }],
    }),
    ask('symptom', 'choice', {
      choices: ['timeout', 'refused', 'retry'],
      transitions: [
        { when: 'symptom == "retry"', next: 'probe' },
        { when: 'symptom == "timeout"', support: { b: 'operator sees timeouts' }, next: 'give-up' },
      ],
      otherwise: { confirm: { a: 'operator sees {{symptom}}' }, next: 'found' },
    }),
    conclude('give-up', 'inconclusive', 'no answer from {{host}}', 'check {{nothing.here}}'),
    conclude('found', 'a', 'probe said {{probe.value}}'),
  ],
  { causes, inputs: [{ name: 'host', prompt: 'h', default: 'localhost', required: true }, { name: 'port', prompt: 'p', required: false }] },
);

const subProbe = playbook(
  'sub-probe',
  [
    run('ping', ['ping', '-c', '1', '{{ip}}'], { parse: 'lines' }, {
      transitions: [{ when: 'ping.count > 2', support: { a: '{{ip}} answered {{ping.count}} lines' }, next: 'yes' }],
      otherwise: { next: 'loop' },
    }),
    ask('loop', 'confirm', { transitions: [{ when: 'loop', next: 'ping' }] }),
    conclude('no', 'inconclusive', '{{ip}} silent'),
    conclude('yes', 'sub-cause', '{{ip}} fine'),
  ],
  { causes: [cause('a'), cause('sub-cause')], inputs: [{ name: 'ip', prompt: 'ip', required: true }] },
);

/** List from a command, a parallel foreach over it, a sequential foreach of calls, a call. */
const fanOut = playbook(
  'fan-out',
  [
    run('list', ['kubectl', 'get', 'pods', '-o', 'json'], { parse: 'json' }, { as: 'pods' }),
    foreach('ping-all', 'pods.items', 'p', 3, { run: runSpec(['ping', '-c', '1', '{{p.ip}}'], { parse: 'lines' }) }, {
      as: 'pings',
      transitions: [
        { when: 'pings.exists(r, !r.ok)', support: { b: 'some pod did not answer' } },
        { when: 'size(pings) > 2', rule_out: { a: '{{pings[0].item.ip}} answered' }, next: 'each' },
      ],
    }),
    call('one', 'sub-probe', { ip: '{{pods.items[0].ip}}' }, {
      transitions: [{ when: 'one.status == "concluded"', confirm: { a: '{{one.evidence}}' }, next: 'end-a' }],
    }),
    foreach('each', 'pods.items.map(x, x.ip)', 'ip', 2, { call: { playbook: 'sub-probe', with: { ip: '{{ip}}' } } }, {
      transitions: [{ when: 'each.exists(r, r.status == "concluded")', next: 'end-a' }],
      otherwise: { next: 'one' },
    }),
    conclude('end-a', 'a', '{{one.evidence}}'),
  ],
  { causes },
);

/** A mutating step with and without an alternative; read-only runs take both paths. */
const mutating = playbook(
  'mutating',
  [
    run('scale', ['kubectl', 'scale', '--replicas=1', 'deploy/{{d}}'], {
      mutates: true,
      undo: ['kubectl', 'scale', '--replicas={{n}}', 'deploy/{{d}}'],
      readOnlyAlternative: 'look',
    }),
    run('look', ['kubectl', 'get', 'deploy/{{d}}'], {}, { transitions: [{ when: 'look.exit_code == 0', next: 'scale-again' }] }),
    conclude('nope', 'inconclusive', 'nothing'),
    run('scale-again', ['kubectl', 'scale', '--replicas=2', 'deploy/{{d}}'], { mutates: true }, {
      transitions: [{ when: 'true', next: 'scale' }],
    }),
  ],
  { causes, inputs: [{ name: 'd', prompt: 'd', required: true }, { name: 'n', prompt: 'n', default: '3', required: true }] },
);

const catalog: Catalog = catalogOf(retryLoop, subProbe, fanOut, mutating);

const stdoutArb = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.json({ maxDepth: 2 }),
  // weighted up: a pod list is what lets the foreach steps run
  {
    arbitrary: fc.array(fc.record({ ip: fc.ipV4(), name: fc.string({ maxLength: 5 }) }), { maxLength: 6 }).map((items) => JSON.stringify({ items })),
    weight: 5,
  },
  fc.integer({ min: -5, max: 10 }).map(String),
  fc.array(fc.string({ maxLength: 10 }), { maxLength: 5 }).map((l) => l.join('\n')),
);

const runReply = fc.oneof(
  fc.record({
    kind: fc.constant('finished' as const),
    exitCode: fc.oneof({ arbitrary: fc.constant(0), weight: 3 }, fc.constant(null), fc.integer({ min: 0, max: 255 })),
    timedOut: fc.boolean(),
    cancelled: fc.boolean(),
    stdout: stdoutArb,
    stderr: fc.string({ maxLength: 20 }),
    durationMs: fc.double({ min: 0, max: 1e6, noNaN: true }),
    spawnError: fc.option(fc.constantFrom('ENOENT', 'EACCES'), { nil: undefined }),
  }),
  fc.record({ kind: fc.constant('skipped' as const), reason: fc.string({ maxLength: 10 }) }),
  fc.record({ kind: fc.constant('cancelled' as const) }),
);

type RunReply = typeof runReply extends fc.Arbitrary<infer T> ? T : never;

const answer = fc.oneof(
  fc.boolean(),
  fc.constantFrom('yes', 'no', 'timeout', 'refused', 'retry', 'banana'),
  fc.string({ maxLength: 8 }),
);

const script = fc.record({
  root: fc.constantFrom('retry', 'fan-out', 'mutating'),
  readOnly: fc.boolean(),
  maxSteps: fc.integer({ min: 1, max: 60 }),
  runs: fc.array(runReply, { minLength: 1, maxLength: 30 }),
  answers: fc.array(answer, { minLength: 1, maxLength: 30 }),
  skipAsk: fc.array(fc.boolean(), { minLength: 1, maxLength: 10 }),
  picks: fc.array(fc.nat(), { minLength: 1, maxLength: 30 }),
});

/** what the driver reports for a run effect, as the script says it went */
function runEvent(effectId: string, r: RunReply): EngineEvent {
  if (r.kind === 'finished') return { type: 'command-finished', effectId, result: result({ ...r }) };
  if (r.kind === 'skipped') return { type: 'skipped', effectId, reason: r.reason };
  return { type: 'cancelled', effectId };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

describe('engine properties', () => {
  it('random answers and command results always end concluded or inconclusive within the bound', () => {
    const seen = new Map<string, number>();
    const count = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);
    fc.assert(
      fc.property(script, (sc) => {
        let t = startSession(catalog, sc.root, { d: 'web' }, { readOnly: sc.readOnly, maxSteps: sc.maxSteps });
        let i = 0;
        let events = 0;
        while (t.state.status === 'running') {
          const pending = t.state.pending;
          expect(pending.length).toBeGreaterThan(0);
          const effect = pending[sc.picks[i % sc.picks.length]! % pending.length]!;
          let event: EngineEvent;
          if (effect.type === 'run') {
            event = runEvent(effect.id, sc.runs[i % sc.runs.length]!);
          } else if (sc.skipAsk[i % sc.skipAsk.length]) {
            event = { type: 'skipped', effectId: effect.id, reason: 'random skip' };
          } else {
            event = { type: 'answered', effectId: effect.id, value: sc.answers[i % sc.answers.length]! };
          }
          i++;
          const before: SessionState = deepFreeze(t.state);
          const snapshot = JSON.stringify(before);
          t = applyEvent(catalog, before, event);
          if (t.state === before && effect.type === 'ask') {
            // an invalid answer leaves the question open (asserted in the unit tests);
            // the operator then gives a valid one
            const q = effect.question;
            const valid = q.type === 'confirm' ? i % 2 === 0 : q.type === 'choice' ? q.choices![i % q.choices!.length]! : 'text';
            t = applyEvent(catalog, before, { type: 'answered', effectId: effect.id, value: valid });
            expect(t.state).not.toBe(before);
          }
          expect(JSON.stringify(before)).toBe(snapshot);
          expect(JSON.parse(JSON.stringify(t.state))).toEqual(t.state);
          if (++events > 5000) throw new Error('no progress after 5000 events');
        }
        expect(['concluded', 'inconclusive']).toContain(t.state.status);
        count(t.state.status);
        if (/step limit/.test(t.state.outcome?.reason ?? '')) count('bound');
        if (t.state.history.some((h) => h.kind === 'foreach' && /items:/.test(h.summary))) count('foreach');
        if (t.state.history.some((h) => /read_only_alternative/.test(h.summary))) count('read-only');
        expect(t.state.stepsTaken).toBeLessThanOrEqual(sc.maxSteps + 1);
        expect(t.state.pending).toEqual([]);
        expect(t.state.outcome?.status).toBe(t.state.status);
        if (t.state.status === 'concluded') {
          expect(t.state.hypotheses[t.state.outcome!.cause!]?.status).toBe('confirmed');
        }
      }),
      // a completed foreach is the rarest ending (~1 run in 100: a pod list, exit 0, no spawn
      // error): with 400 runs it was missed in ~1 run of 30 and the coverage check below failed
      { numRuns: 2000 },
    );
    // the generators reach every interesting ending, so the property is not vacuous
    for (const k of ['concluded', 'inconclusive', 'bound', 'foreach', 'read-only']) expect(seen.get(k) ?? 0, k).toBeGreaterThan(0);
  });

  it('the same holds for every shipped playbook', () => {
    const shipped = loadCatalog([], { env: false }).catalog;
    const roots = Object.keys(shipped).sort();
    expect(roots).toContain('demo-local');
    fc.assert(
      fc.property(fc.constantFrom(...roots), script, (root, sc) => {
        // required inputs without a default get a plausible name
        const inputs = Object.fromEntries(shipped[root]!.inputs.filter((i) => i.default === undefined).map((i) => [i.name, 'x-1']));
        let t = startSession(shipped, root, inputs, { readOnly: sc.readOnly, maxSteps: sc.maxSteps });
        let i = 0;
        while (t.state.status === 'running') {
          const pending = t.state.pending;
          const effect = pending[sc.picks[i % sc.picks.length]! % pending.length]!;
          let event: EngineEvent;
          if (effect.type === 'run') {
            event = runEvent(effect.id, sc.runs[i % sc.runs.length]!);
          } else if (effect.type === 'ask') {
            const q = effect.question;
            const value = q.type === 'confirm' ? i % 2 === 0 : q.type === 'choice' ? (q.choices?.[i % q.choices.length] ?? 'x') : 'x-1';
            event = sc.skipAsk[i % sc.skipAsk.length]
              ? { type: 'skipped', effectId: effect.id, reason: 'random skip' }
              : { type: 'answered', effectId: effect.id, value };
          } else {
            throw new Error('done effect left pending');
          }
          i++;
          const before = t.state;
          t = applyEvent(shipped, before, event);
          // a text answer that misses the question's pattern leaves it open: skip it instead
          if (t.state === before && effect.type === 'ask') t = applyEvent(shipped, before, { type: 'skipped', effectId: effect.id, reason: 'no valid answer' });
          expect(t.state).not.toBe(before);
          if (i > 5000) throw new Error('no progress after 5000 events');
        }
        expect(['concluded', 'inconclusive']).toContain(t.state.status);
        expect(t.state.stepsTaken).toBeLessThanOrEqual(sc.maxSteps + 1);
        expect(JSON.parse(JSON.stringify(t.state))).toEqual(t.state);
      }),
      { numRuns: 300 },
    );
  });
});
