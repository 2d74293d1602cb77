// The start-of-session sweep (sweep.ts sweepStranded): no kubectl at all unless the live
// registry holds a session that did not clean up; then its pods are deleted and its marker
// dropped, so the next start is quiet again. close() keeps the marker when a delete fails.
// Real processes with the fake kubectl (test/fixtures/exec/fake-kubectl.mjs); the same
// sweep against real kubectl and the lab is in lab-e2e.test.ts.
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/exec/index.js';
import { strandedSessions, sweepStranded } from '../../src/exec/sweep.js';
import type { ClusterOptions } from '../../src/exec/types.js';
import { fakeKubectl, fakeKubectlCalls } from './fake-kubectl.js';

/** a pid no process has here */
const DEAD_PID = 2 ** 22 + 4242;

let dir: string;
let log: string;
let env: Record<string, string>;
const savedState = process.env.XDG_STATE_HOME;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'netwiz-sweep-'));
  log = join(dir, 'calls.jsonl');
  env = { FAKE_KUBECTL_LOG: log, FAKE_KUBECTL_STATE: join(dir, 'state') };
  process.env.XDG_STATE_HOME = join(dir, 'xdg');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  if (savedState === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = savedState;
});

const calls = (): string[][] => fakeKubectlCalls(log).map((c) => c.argv);
const cluster = (kubectl = fakeKubectl): ClusterOptions => ({ kubectl });
const liveDir = () => join(dir, 'xdg', 'netwiz', 'live');
const pods = () => (existsSync(join(dir, 'state', 'pods')) ? readdirSync(join(dir, 'state', 'pods')) : []);

/** a session that made a node pod and then died without closing its executor */
async function crashedSession(id: string): Promise<void> {
  const ex = createExecutor(cluster(), { env, sessionId: id, pollMs: 10 });
  const r = await ex.run({ argv: ['true'], target: { kind: 'node', node: 'n1' }, timeoutMs: 30_000 });
  expect(r.exitCode).toBe(0);
  writeFileSync(join(liveDir(), id), JSON.stringify({ pid: DEAD_PID }));
}

describe('sweep at session start', () => {
  it('asks the cluster nothing when no session was left unfinished', async () => {
    const ex = createExecutor(cluster(), { env, sessionId: 'clean-1', pollMs: 10 });
    await ex.run({ argv: ['true'], target: { kind: 'node', node: 'n1' }, timeoutMs: 30_000 });
    await ex.close();
    expect(pods()).toEqual([]);
    const before = calls().length;
    expect(strandedSessions()).toEqual([]);
    expect(await sweepStranded(cluster(), { env })).toEqual([]);
    expect(calls().length).toBe(before);
  });

  it('deletes the pods of a crashed session, drops its marker, and is quiet the next time', async () => {
    await crashedSession('dead-7');
    expect(pods()).toHaveLength(1);
    expect(strandedSessions()).toEqual(['dead-7']);
    const swept = await sweepStranded(cluster(), { env, keep: ['me-1'] });
    expect(swept.map((s) => [s.session, s.deleted])).toEqual([['dead-7', true]]);
    expect(pods()).toEqual([]);
    expect(existsSync(join(liveDir(), 'dead-7'))).toBe(false);
    const before = calls().length;
    expect(await sweepStranded(cluster(), { env })).toEqual([]);
    expect(calls().length).toBe(before);
  });

  it('keeps the marker of a dead session whose pods are not in this cluster (it may have used another)', async () => {
    await crashedSession('dead-8');
    // its pod is not in this cluster (it ran against another, or the lab was torn down)
    for (const p of pods()) rmSync(join(dir, 'state', 'pods', p));
    const swept = await sweepStranded(cluster(), { env });
    expect(swept).toEqual([]);
    expect(strandedSessions()).toEqual(['dead-8']);
    // so the next start looks again
    const before = calls().length;
    await sweepStranded(cluster(), { env });
    expect(calls().length).toBeGreaterThan(before);
  });

  it('close() keeps the live marker when a pod could not be deleted, so a later start sweeps it', async () => {
    // kubectl that refuses to delete
    const refusing = join(dir, 'kubectl-no-delete.mjs');
    writeFileSync(
      refusing,
      `#!/usr/bin/env node\nif (process.argv.includes('delete')) { process.stderr.write('Error from server (Forbidden)\\n'); process.exit(1); }\nawait import(${JSON.stringify(fakeKubectl)});\n`,
    );
    chmodSync(refusing, 0o755);
    const ex = createExecutor(cluster(refusing), { env, sessionId: 'sticky-1', pollMs: 10 });
    await ex.run({ argv: ['true'], target: { kind: 'node', node: 'n1' }, timeoutMs: 30_000 });
    await ex.close();
    expect(pods()).toHaveLength(1);
    expect(existsSync(join(liveDir(), 'sticky-1'))).toBe(true);
    // once this process is gone the marker names a dead session
    writeFileSync(join(liveDir(), 'sticky-1'), JSON.stringify({ pid: DEAD_PID }));
    const swept = await sweepStranded(cluster(), { env });
    expect(swept.map((s) => [s.session, s.deleted])).toEqual([['sticky-1', true]]);
    expect(pods()).toEqual([]);
    expect(strandedSessions()).toEqual([]);
  });
});
