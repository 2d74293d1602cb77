// The RBAC preflight runs in the background from the session's start (driver.ts): read-only
// steps on the workstation do not wait for it; a mutating step and a node-target step never
// run before it answered; a read-only step it denies is reported skipped with the same
// "RBAC preflight: …" reason as when the preflight ran first, even if the command already ran.
// Real commands on this machine (workstation executor); the preflight is a function the test
// releases by hand, so the order is forced, not timed.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Catalog } from '../../src/engine/model.js';
import type { CommandResult } from '../../src/engine/types.js';
import { createExecutor } from '../../src/exec/index.js';
import type { Executor, RunRequest } from '../../src/exec/types.js';
import { startDriver } from '../../src/session/driver.js';
import type { SessionEvent } from '../../src/session/events.js';
import type { SessionConfig } from '../../src/session/types.js';
import { catalogOf, conclude, playbook, run } from '../engine/helpers.js';
import { fileChangeCatalog, node, WRITE } from './file-change.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netwiz-preflight-bg-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A preflight that answers only when the test says so. */
function heldPreflight() {
  let release!: (denied: Map<string, string>) => void;
  let calls = 0;
  const answer = new Promise<Map<string, string>>((r) => {
    release = r;
  });
  return {
    fn: () => {
      calls++;
      return answer;
    },
    release,
    calls: () => calls,
  };
}

function drive(catalog: Catalog, over: Partial<SessionConfig> = {}) {
  const events: SessionEvent[] = [];
  const handle = startDriver({
    sessionId: `test-${Math.random().toString(36).slice(2, 8)}`,
    catalog,
    rootPlaybook: 'p',
    inputs: {},
    options: { readOnly: false, dryRun: false, maxSteps: 100, yes: true },
    cluster: {},
    executor: createExecutor({}),
    interaction: {
      ask: async () => ({ type: 'abort', reason: 'no questions here' }),
      confirmMutation: async () => 'no',
      confirmRestore: async () => true,
    },
    observers: [{ onEvent: (e) => events.push(e) }],
    ...over,
  });
  return { handle, events };
}

const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
};
/** a few turns of the event loop and some real time: room for a wrong order to show */
const settle = () => new Promise((r) => setTimeout(r, 300));

const startsOf = (events: SessionEvent[]) =>
  events.filter((e): e is Extract<SessionEvent, { type: 'command-start' }> => e.type === 'command-start').map((e) => e.effectId);
const effectIdOf = (events: SessionEvent[], stepId: string) =>
  events.flatMap((e) => (e.type === 'effect' && e.effect.type === 'run' && e.effect.stepId === stepId ? [e.effect.id] : []));

describe('RBAC preflight in the background', () => {
  const readThenChange = (file: string): Catalog => fileChangeCatalog(file, 'look');

  it('a read-only step runs while the preflight is still out; the mutating step after it waits for the answer', async () => {
    const file = join(dir, 'replicas');
    await writeFile(file, '3');
    const pf = heldPreflight();
    const { handle, events } = drive(readThenChange(file), { preflight: pf.fn });
    // the read-only command starts (and finishes) with the preflight unanswered
    await until(() => startsOf(events).length >= 1);
    expect(pf.calls()).toBe(1);
    expect(startsOf(events)).toEqual(effectIdOf(events, 'look'));
    // its result waits for the answer (the answer could still deny it): the engine has not
    // moved on, so the mutating step is not even issued yet
    await settle();
    expect(effectIdOf(events, 'change')).toEqual([]);
    expect(await readFile(file, 'utf8')).toBe('3');
    pf.release(new Map());
    const outcome = await handle.done;
    expect(outcome.evidence[0]).toBe('file now changed');
    // the mutating command started only after the read-only one had been fed to the engine
    expect(startsOf(events)).toEqual([...effectIdOf(events, 'look'), ...effectIdOf(events, 'change'), ...effectIdOf(events, 'after')]);
  });

  it('a mutating first step never runs before the preflight answers; denied → skipped, never run', async () => {
    const file = join(dir, 'replicas');
    await writeFile(file, '3');
    const cat = catalogOf(
      playbook('p', [
        run('change', node(WRITE, file, 'changed'), { mutates: true, undo: node(WRITE, file, '3') }, {
          transitions: [{ when: 'change.skipped', next: 'not-changed' }],
        }),
        conclude('changed', 'inconclusive', 'changed'),
        conclude('not-changed', 'inconclusive', 'not changed: {{change.reason}}'),
      ]),
    );
    const pf = heldPreflight();
    const { handle, events } = drive(cat, { preflight: pf.fn });
    await until(() => effectIdOf(events, 'change').length === 1);
    await settle();
    expect(startsOf(events)).toEqual([]);
    expect(events.some((e) => e.type === 'mutation')).toBe(false);
    pf.release(new Map([['p:change', 'missing: patch deployments/scale in ns shop']]));
    const outcome = await handle.done;
    expect(outcome.evidence[0]).toBe('not changed: RBAC preflight: missing: patch deployments/scale in ns shop');
    expect(startsOf(events)).toEqual([]);
    expect(await readFile(file, 'utf8')).toBe('3');
  });

  it('a read-only step that ran before the answer and is denied is reported skipped, as before', async () => {
    const file = join(dir, 'data');
    await writeFile(file, 'hello');
    const cat = catalogOf(
      playbook('p', [
        run('look', ['cat', file], {}, { as: 'look', transitions: [{ when: 'look.skipped', next: 'denied' }] }),
        conclude('seen', 'inconclusive', 'saw {{look.stdout}}'),
        conclude('denied', 'inconclusive', 'skipped: {{look.reason}}'),
      ]),
    );
    const pf = heldPreflight();
    const { handle, events } = drive(cat, { preflight: pf.fn });
    const look = () => effectIdOf(events, 'look')[0];
    // wait until the command has finished for real (its output file is read, its process gone)
    await until(() => startsOf(events).length === 1);
    await settle();
    pf.release(new Map([['p:look', 'missing: get pods in ns shop']]));
    const outcome = await handle.done;
    expect(outcome.evidence[0]).toBe('skipped: RBAC preflight: missing: get pods in ns shop');
    const engineEvents = events.flatMap((e) => (e.type === 'engine-event' && 'effectId' in e.event && e.event.effectId === look() ? [e.event] : []));
    expect(engineEvents.map((e) => e.type)).toEqual(['skipped']);
  });

  it('a node-target step (netwiz would create a pod for it) waits for the answer', async () => {
    const seen: RunRequest[] = [];
    const executor: Executor = {
      async run(req): Promise<CommandResult> {
        seen.push(req);
        return { exitCode: 0, stdout: 'ok\n', stderr: '', durationMs: 1, timedOut: false, cancelled: false };
      },
      async close() {},
    };
    const cat = catalogOf(
      playbook('p', [
        run('on-node', ['ip', 'link'], { target: { kind: 'node', node: 'n1' } }, { as: 'l' }),
        conclude('done', 'inconclusive', 'ran: {{l.stdout}}'),
      ]),
    );
    const pf = heldPreflight();
    const { handle, events } = drive(cat, { preflight: pf.fn, executor });
    await until(() => effectIdOf(events, 'on-node').length === 1);
    await settle();
    expect(seen).toEqual([]);
    pf.release(new Map());
    const outcome = await handle.done;
    expect(seen.map((r) => r.target.kind)).toEqual(['node']);
    expect(outcome.evidence[0]).toBe('ran: ok\n');
  });

  it('a preflight that fails lets every step run (the commands say what is forbidden)', async () => {
    const file = join(dir, 'replicas');
    await writeFile(file, '3');
    const { handle } = drive(readThenChange(file), { preflight: async () => Promise.reject(new Error('no cluster')) });
    const outcome = await handle.done;
    expect(outcome.evidence[0]).toBe('file now changed');
  });
});
