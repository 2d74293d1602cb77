// Narrow unit tests of the pod and node targets through real processes, with a fake
// kubectl script (test/fixtures/exec/fake-kubectl.mjs) that prints the argv it received.
// The same paths run against real kubectl and the scenario lab in lab-e2e tests.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExecutor, sweepLeftovers } from '../../src/exec/index.js';
import type { ClusterOptions } from '../../src/exec/types.js';
import { markSessionLive } from '../../src/exec/state-dir.js';
import { fakeKubectl, fakeKubectlCalls } from './fake-kubectl.js';

let dir: string;
let log: string;
let env: Record<string, string>;
const savedState = process.env.XDG_STATE_HOME;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'netwiz-fakekc-'));
  log = join(dir, 'calls.jsonl');
  env = { FAKE_KUBECTL_LOG: log, FAKE_KUBECTL_STATE: join(dir, 'state') };
  process.env.XDG_STATE_HOME = join(dir, 'xdg');
});
afterEach(() => {
  if (savedState === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = savedState;
});

const calls = () => fakeKubectlCalls(log);

const cluster = (extra: ClusterOptions = {}): ClusterOptions => ({ kubectl: fakeKubectl, ...extra });

describe('hostile names are data', () => {
  const marker = () => join(dir, 'pwned');
  it('a pod, namespace, container and argv full of shell syntax reach kubectl verbatim', async () => {
    const m = marker();
    const hostile = {
      pod: `$(touch ${m})`,
      namespace: `a;touch ${m}`,
      container: `\`touch ${m}\``,
    };
    const argv = ['sh', `$(touch ${m})`, `x\ntouch ${m}`, `'; touch ${m}; '`, '|| touch', '&&', '>', m];
    const ex = createExecutor(cluster(), { env });
    const r = await ex.run({ argv, target: { kind: 'pod', ...hostile }, timeoutMs: 30_000 });
    await ex.close();
    expect(r.exitCode).toBe(0);
    const got = JSON.parse(r.stdout).argv as string[];
    expect(got).toEqual([
      `--namespace=${hostile.namespace}`,
      'exec',
      hostile.pod,
      `--container=${hostile.container}`,
      '--',
      ...argv,
    ]);
    expect(existsSync(m)).toBe(false);
  });

  it('a node named like a command substitution is data too', async () => {
    const m = marker();
    const ex = createExecutor(cluster({ namespace: 'ops' }), { env, sessionId: 'inj1', pollMs: 10 });
    const r = await ex.run({ argv: ['ip', 'link'], target: { kind: 'node', node: `$(touch ${m})` }, timeoutMs: 30_000 });
    await ex.close();
    expect(r.via).toBe('node-pod');
    const create = calls().find((c) => c.argv.includes('create'))!;
    expect(JSON.parse(create.stdin!).spec.nodeName).toBe(`$(touch ${m})`);
    expect(existsSync(m)).toBe(false);
  });

  it('a name that kubectl would read as a flag is refused before anything runs', async () => {
    const ex = createExecutor(cluster(), { env });
    const r = await ex.run({ argv: ['id'], target: { kind: 'pod', pod: '--kubeconfig=/tmp/evil' }, timeoutMs: 30_000 });
    expect(r.exitCode).toBeNull();
    expect(r.spawnError).toMatch(/refusing pod "--kubeconfig=\/tmp\/evil"/);
    expect(calls()).toEqual([]);
  });
});

describe('cluster options reach every kubectl call', () => {
  it('pod exec, node pod create/get/exec/delete and a playbook kubectl step', async () => {
    const c = cluster({ kubeconfig: '/tmp/kc.yaml', context: 'lab-ctx', namespace: 'shop' });
    const ex = createExecutor(c, { env, sessionId: 'opts1', pollMs: 10 });
    await ex.run({ argv: ['kubectl', 'get', 'pods'], target: { kind: 'workstation' }, timeoutMs: 30_000 });
    await ex.run({ argv: ['ss', '-tan'], target: { kind: 'pod', pod: 'web' }, timeoutMs: 30_000 });
    await ex.run({ argv: ['ip', 'route'], target: { kind: 'node', node: 'n1' }, timeoutMs: 30_000 });
    await ex.close();
    const all = calls();
    expect(all.map((x) => x.argv.find((a) => !a.startsWith('-')))).toEqual(['get', 'exec', 'create', 'get', 'exec', 'delete']);
    for (const call of all) {
      expect(call.argv.slice(0, 3)).toEqual(['--kubeconfig=/tmp/kc.yaml', '--context=lab-ctx', '--namespace=shop']);
    }
  });
});

describe('pod target', () => {
  it('runs with kubectl exec and says so', async () => {
    const ex = createExecutor(cluster(), { env });
    const r = await ex.run({ argv: ['ping', '-c', '1', '10.0.0.2'], target: { kind: 'pod', pod: 'web', container: 'app' }, timeoutMs: 30_000 });
    expect(r.via).toBe('exec');
    expect(calls()).toHaveLength(1);
  });

  it('falls back to one ephemeral debug container per pod when the tool is missing', async () => {
    const ex = createExecutor(cluster({ debugImage: 'reg.local/netshoot' }), {
      env: { ...env, FAKE_EXEC_MISSING: 'curl', FAKE_APP_POD: 'console' },
      pollMs: 10,
    });
    const notes: string[] = [];
    const req = {
      argv: ['curl', '-sS', 'http://apiserver'],
      target: { kind: 'pod' as const, pod: 'console', container: 'app', namespace: 'app-system' },
      timeoutMs: 30_000,
      onOutput: (c: string, s: string) => s === 'stderr' && notes.push(c),
    };
    const r1 = await ex.run(req);
    const r2 = await ex.run(req);
    await ex.close();
    expect(r1.via).toBe('debug-container');
    expect(r1.exitCode).toBe(0);
    expect(r2.via).toBe('debug-container');
    expect(notes.join('')).toMatch(/curl is not usable in container app of pod console; running it in an ephemeral debug container \(reg\.local\/netshoot\)/);
    const debugCalls = calls().filter((c) => c.argv.includes('debug'));
    expect(debugCalls).toHaveLength(1);
    expect(debugCalls[0]!.argv).toEqual(expect.arrayContaining(['console', '--image=reg.local/netshoot', '--target=app', '--profile=netadmin']));
    const execs = calls().filter((c) => c.argv.includes('exec'));
    // app container (missing) → debug container; the second time straight to the debug container
    expect(execs.map((c) => c.argv.find((a) => a.startsWith('--container='))!)).toEqual([
      '--container=app',
      expect.stringMatching(/^--container=netwiz-dbg-/),
      expect.stringMatching(/^--container=netwiz-dbg-/),
    ]);
    expect(notes.join('').match(/is not usable/g)).toHaveLength(1);
  });

  it('uses a pod on the same node when ephemeral containers are unavailable, and deletes it at close', async () => {
    const ex = createExecutor(cluster(), {
      env: { ...env, FAKE_EXEC_MISSING: 'ping', FAKE_APP_POD: 'console', FAKE_NO_EPHEMERAL: '1' },
      sessionId: 'peer-1',
      pollMs: 10,
    });
    const notes: string[] = [];
    const req = {
      argv: ['ping', '-c', '1', '10.0.0.9'],
      target: { kind: 'pod' as const, pod: 'console', container: 'app', namespace: 'app-system' },
      timeoutMs: 30_000,
      onOutput: (c: string, s: string) => s === 'stderr' && notes.push(c),
    };
    const r1 = await ex.run(req);
    const r2 = await ex.run(req);
    expect(r1).toMatchObject({ exitCode: 0, via: 'same-node-pod' });
    expect(r2.via).toBe('same-node-pod');
    expect(notes.join('')).toMatch(/no ephemeral debug container \(kubectl debug console failed: Error from server \(MethodNotAllowed\)/);
    const creates = calls().filter((c) => c.argv.includes('create'));
    expect(creates).toHaveLength(1);
    const m = JSON.parse(creates[0]!.stdin!);
    expect(m.metadata.namespace).toBe('app-system');
    expect(m.spec.nodeName).toBe('node-7');
    expect(m.spec.hostNetwork).toBeUndefined();
    expect(m.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'netwiz', 'netwiz.io/session': 'peer-1' });
    const exec = JSON.parse(r1.stdout).argv as string[];
    expect(exec).toEqual(expect.arrayContaining(['--namespace=app-system', 'exec', m.metadata.name, '--container=netwiz']));
    await ex.close();
    const del = calls().filter((c) => c.argv.includes('delete'));
    expect(del.map((c) => c.argv)).toEqual([['--namespace=app-system', 'delete', 'pod', m.metadata.name, '--ignore-not-found', '--wait=false']]);
  });

  it('keeps the first result when the fallback itself fails, and says why', async () => {
    // no FAKE_APP_POD: the debug container never shows up as running → pod not found
    const ex = createExecutor(cluster(), { env: { ...env, FAKE_EXEC_MISSING: 'dig', FAKE_KUBECTL_STATE: join(dir, 'nostate') }, pollMs: 10, podStartTimeoutMs: 50 });
    const r = await ex.run({ argv: ['dig', 'x'], target: { kind: 'pod', pod: 'ghost' }, timeoutMs: 30_000 });
    expect(r.exitCode).toBe(127);
    expect(r.via).toBe('exec');
    expect(r.stderr).toMatch(/netwiz: debug container fallback failed: .*\nnetwiz: same-node pod fallback failed: cannot read pod ghost/);
  });
});

describe('node target', () => {
  it('creates one pod per node per session, reuses it, deletes it on close', async () => {
    const ex = createExecutor(cluster({ namespace: 'ops' }), { env, sessionId: 'sess-A', pollMs: 10 });
    const runs = await Promise.all(
      ['n1', 'n1', 'n2', 'n1'].map((node) => ex.run({ argv: ['ip', '-d', 'link'], target: { kind: 'node', node }, timeoutMs: 30_000 })),
    );
    expect(runs.map((r) => r.via)).toEqual(['node-pod', 'node-pod', 'node-pod', 'node-pod']);
    const creates = calls().filter((c) => c.argv.includes('create'));
    expect(creates).toHaveLength(2);
    const manifests = creates.map((c) => JSON.parse(c.stdin!));
    expect(manifests.map((m) => m.spec.nodeName).sort()).toEqual(['n1', 'n2']);
    expect(manifests[0].metadata.labels['netwiz.io/session']).toBe('sess-A');
    // the remote command is bounded and runs in the pod's container
    const exec = JSON.parse(runs[0]!.stdout).argv as string[];
    expect(exec.slice(exec.indexOf('--') + 1)).toEqual(['env', expect.stringMatching(/^NETWIZ_RUN=sess-a-[0-9a-f]{12}$/), 'timeout', '-s', 'KILL', '31', 'ip', '-d', 'link']);
    expect(exec).toContain('--container=netwiz');
    expect(existsSync(join(dir, 'state', 'pods'))).toBe(true);
    await ex.close();
    await ex.close(); // idempotent
    const deletes = calls().filter((c) => c.argv.includes('delete'));
    expect(deletes).toHaveLength(1);
    expect(deletes[0]!.argv.filter((a) => a.startsWith('netwiz-node-')).sort()).toEqual(manifests.map((m) => m.metadata.name).sort());
    expect(calls().filter((c) => c.argv.includes('delete') && c.argv.includes('pod'))).toHaveLength(1);
  });

  it('reports an image that cannot start as an actionable error', async () => {
    const ex = createExecutor(cluster(), { env: { ...env, FAKE_POD_PHASE: 'Failed' }, sessionId: 's-fail', pollMs: 10 });
    const r = await ex.run({ argv: ['ip', 'a'], target: { kind: 'node', node: 'n1' }, timeoutMs: 30_000 });
    expect(r.exitCode).toBeNull();
    expect(r.spawnError).toMatch(/node n1: debug pod netwiz-node-s-fail-[0-9a-f]+ failed/);
    // the half-made pod is deleted at once
    expect(calls().at(-1)!.argv).toEqual(expect.arrayContaining(['delete', 'pod']));
  });

  it('sweeps pods of dead sessions from this host, keeps live ones', async () => {
    const dead = createExecutor(cluster(), { env, sessionId: 'dead-1', pollMs: 10 });
    await dead.run({ argv: ['true'], target: { kind: 'node', node: 'n1' }, timeoutMs: 30_000 });
    // simulate a crash: the executor is never closed, and its process is gone
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'xdg', 'netwiz', 'live', 'dead-1'), JSON.stringify({ pid: 2 ** 22 + 12345 }));
    const alive = createExecutor(cluster(), { env, sessionId: 'alive-1', pollMs: 10 });
    await alive.run({ argv: ['true'], target: { kind: 'node', node: 'n1' }, timeoutMs: 30_000 });
    markSessionLive('alive-1');
    const swept = await sweepLeftovers(cluster(), { env });
    expect(swept.map((s) => [s.session, s.deleted])).toEqual([['dead-1', true]]);
    const left = await sweepLeftovers(cluster(), { env });
    expect(left).toEqual([]);
    await alive.close();
  });

  it('cancelling while the node pod is being created deletes it', async () => {
    const ac = new AbortController();
    // the pod never gets to Running, so the request waits until cancelled
    const ex = createExecutor(cluster(), { env: { ...env, FAKE_POD_PHASE: 'Pending' }, sessionId: 's-cancel', pollMs: 10 });
    const p = ex.run({ argv: ['ip', 'a'], target: { kind: 'node', node: 'n1' }, timeoutMs: 30_000, signal: ac.signal });
    while (!calls().some((c) => c.argv.includes('get'))) await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    const r = await p;
    expect(r.cancelled).toBe(true);
    expect(r.spawnError).toBeUndefined();
    expect(calls().some((c) => c.argv.includes('delete'))).toBe(true);
    expect(existsSync(join(dir, 'state', 'pods', `${ex.nodePodName('n1')}.json`))).toBe(false);
    await ex.close();
  });
});
