// End to end through the real kubectl against the scenario lab's API server: pod exec,
// hostile names, node pods (created once, reused, deleted, swept), cancellation that leaves
// nothing behind, workstation kubectl steps with the session's cluster options.
// Execs run as host processes here (exec: 'host'): what is tested is the kubectl path.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor, sweepLeftovers } from '../../src/exec/index.js';
import type { ClusterOptions } from '../../src/exec/types.js';
import { hostExecPlan, startLab, type TestLab } from '../helpers/lab.js';
import { killHard, netwizCli, processesWith, startCrashSession } from './processes.js';

let lab: TestLab;
let cluster: ClusterOptions;
let env: Record<string, string>;
let dir: string;
const savedState = process.env.XDG_STATE_HOME;

beforeAll(async () => {
  // execs run as host processes, except that the web image has no curl (as in incident
  // 004), which the lab reports the way a container runtime would
  lab = await startLab('healthy', {
    dataPlane: 'none',
    exec: (pod, argv) =>
      pod.workload === 'web' && argv[0] === 'curl'
        ? { file: process.execPath, args: ['-e', 'process.stderr.write("/bin/sh: curl: not found\\n"); process.exit(127)'] }
        : hostExecPlan(pod, argv),
  });
  dir = mkdtempSync(join(tmpdir(), 'netwiz-exec-e2e-'));
  process.env.XDG_STATE_HOME = join(dir, 'xdg');
  cluster = { kubeconfig: lab.kubeconfig, context: lab.context, namespace: lab.namespace };
  // kubectl's discovery cache per lab (KUBECACHEDIR is kubectl's own variable)
  env = { KUBECACHEDIR: lab.cacheDir };
});
afterAll(async () => {
  await lab?.stop();
  if (savedState === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = savedState;
});

const podNames = async () =>
  (JSON.parse((await lab.kubectl(['get', 'pods', '-n', lab.namespace, '-o', 'json'])).stdout) as { items: { metadata: { name: string } }[] }).items.map(
    (p) => p.metadata.name,
  );

describe('pod target through real kubectl', () => {
  it('runs the argv in the pod and reports exit codes as data', async () => {
    const ex = createExecutor(cluster, { env });
    const ok = await ex.run({ argv: ['echo', 'hello from the pod'], target: { kind: 'pod', pod: lab.clientPod }, timeoutMs: 30_000 });
    expect(ok).toMatchObject({ exitCode: 0, stdout: 'hello from the pod\n', via: 'exec' });
    const bad = await ex.run({ argv: ['sh', '-c', 'exit 3'], target: { kind: 'pod', pod: lab.clientPod }, timeoutMs: 30_000 });
    expect(bad.exitCode).toBe(3);
    expect(bad.via).toBe('exec');
    await ex.close();
  });

  it('passes hostile pod names and argv as data: nothing runs them', async () => {
    const marker = join(dir, 'pwned');
    const ex = createExecutor(cluster, { env });
    for (const pod of [`$(touch ${marker})`, `a;touch ${marker}`, `\`touch ${marker}\``, `x\ntouch ${marker}`, 'evil$(id)']) {
      const r = await ex.run({ argv: ['true'], target: { kind: 'pod', pod }, timeoutMs: 30_000 });
      // kubectl or the API server rejects the name; no shell ever sees it
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/not found|resource\/name|invalid/i);
    }
    const r2 = await ex.run({ argv: ['printf', '%s|', `$(touch ${marker})`, `a;touch ${marker}`, `\`touch ${marker}\``, `x\ntouch ${marker}`], target: { kind: 'pod', pod: lab.clientPod }, timeoutMs: 30_000 });
    expect(r2.exitCode).toBe(0);
    expect(r2.stdout).toBe(`$(touch ${marker})|a;touch ${marker}|\`touch ${marker}\`|x\ntouch ${marker}|`);
    const r3 = await ex.run({ argv: ['true'], target: { kind: 'pod', pod: lab.clientPod, namespace: `a;touch ${marker}` }, timeoutMs: 30_000 });
    expect(r3.exitCode).not.toBe(0);
    await ex.close();
    expect(existsSync(marker)).toBe(false);
  });

  it('cancelling a `sleep` in the pod ends kubectl and the remote process', async () => {
    const marker = `600.${process.pid}${Date.now() % 100000}`;
    const ex = createExecutor(cluster, { env });
    const ac = new AbortController();
    const p = ex.run({ argv: ['sleep', marker], target: { kind: 'pod', pod: lab.clientPod }, timeoutMs: 600_000, signal: ac.signal });
    while (processesWith(marker).length < 2) await new Promise((r) => setTimeout(r, 20)); // kubectl + the remote sleep
    ac.abort();
    const r = await p;
    expect(r.cancelled).toBe(true);
    for (let i = 0; i < 100 && processesWith(marker).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(processesWith(marker)).toEqual([]);
    await ex.close();
  });
});

describe('missing tool in the pod image', () => {
  it('runs the tool in one ephemeral debug container of that pod, and says so', async () => {
    const web = (await podNames()).find((n) => n.startsWith('web-'))!;
    const ex = createExecutor(cluster, { env, sessionId: 'e2e-fallback', pollMs: 100 });
    const notes: string[] = [];
    const req = {
      argv: ['curl', '--version'],
      target: { kind: 'pod' as const, pod: web },
      timeoutMs: 30_000,
      onOutput: (c: string, s: string) => s === 'stderr' && notes.push(c),
    };
    const r = await ex.run(req);
    expect(notes.join('')).toMatch(/curl is not usable in pod web-\S+; running it in an ephemeral debug container \(nicolaka\/netshoot\)/);
    expect(r).toMatchObject({ exitCode: 0, via: 'debug-container' });
    expect(r.stdout).toMatch(/^curl \d/);
    const r2 = await ex.run(req);
    expect(r2.via).toBe('debug-container');
    const pod = JSON.parse((await lab.kubectl(['get', 'pod', web, '-n', lab.namespace, '-o', 'json'])).stdout);
    // one ephemeral container for the session, in the pod, with the debug image
    expect(pod.spec.ephemeralContainers).toHaveLength(1);
    expect(pod.spec.ephemeralContainers[0]).toMatchObject({ image: 'nicolaka/netshoot', name: expect.stringMatching(/^netwiz-dbg-/) });
    await ex.close();
  });
});

describe('netwiz undo after kill -9, against the lab', () => {
  it('restores the replica count the killed session changed', async () => {
    const replicas = async () => JSON.parse((await lab.kubectl(['get', 'deploy', 'web', '-n', lab.namespace, '-o', 'json'])).stdout).spec.replicas as number;
    const from = await replicas();
    expect(from).toBe(3);
    const childEnv = { ...process.env, ...env, XDG_STATE_HOME: join(dir, 'xdg') };
    const { child, out } = await startCrashSession(['e2e-crash', JSON.stringify(cluster), 'web', '1', String(from)], childEnv);
    expect(out).toBe('ready\n');
    expect(await killHard(child)).toBe('SIGKILL');
    expect(await replicas()).toBe(1);

    const undo = await netwizCli(['undo', '--session', 'e2e-crash', '--yes'], childEnv);
    expect(undo.stderr).toBe('');
    expect(undo.exitCode).toBe(0);
    expect(undo.stdout).toContain(`restored  kubectl scale deployment/web --replicas=${from}`);
    expect(await replicas()).toBe(from);
    const again = await netwizCli(['undo', '--session', 'e2e-crash', '--yes'], childEnv);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('session e2e-crash: nothing to restore');
    expect(await replicas()).toBe(from);
  });
});

describe('kill -9 of a real `netwiz run` after its scale step', () => {
  it('`netwiz undo` puts the replica count back', async () => {
    const root = join(import.meta.dirname, '..', '..');
    const replicas = async () => JSON.parse((await lab.kubectl(['get', 'deploy', 'web', '-n', lab.namespace, '-o', 'json'])).stdout).spec.replicas as number;
    const from = await replicas();
    expect(from).toBeGreaterThan(1);
    const pause = `600.${process.pid % 1000}${Date.now() % 1000}`;
    const childEnv = { ...process.env, ...env, XDG_STATE_HOME: join(dir, 'xdg-run') };
    const netwiz = netwizCli(
      [
        'run', join(root, 'test', 'fixtures', 'exec', 'playbooks', 'scale-then-wait.yaml'),
        '--var', `namespace=${lab.namespace}`, '--var', 'deployment=web', '--var', `pause=${pause}`,
        '--yes', '--kubeconfig', lab.kubeconfig, '--context', lab.context,
        '--transcript', join(dir, 'run-transcript.jsonl'),
      ],
      childEnv,
    );
    try {
      // the wait step runs once the scale is done
      // (the netwiz command line holds `pause=…` too; the sleep's holds `sleep\0…`)
      while (processesWith(`sleep\0${pause}`).length === 0) {
        if (netwiz.exitCode !== null) throw new Error(`netwiz ended early: ${String((await netwiz).stderr)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(await replicas()).toBe(1);
      netwiz.kill('SIGKILL');
      const ended = await netwiz;
      expect(ended.signal).toBe('SIGKILL');
      expect(await replicas()).toBe(1);
      // the command it was running does not outlive it (exec's watchdog)
      for (let i = 0; i < 200 && processesWith(`sleep\0${pause}`).length > 0; i++) await new Promise((r) => setTimeout(r, 25));
      expect(processesWith(`sleep\0${pause}`)).toEqual([]);

      const undo = await netwizCli(['undo', '--yes'], childEnv);
      expect(undo.stderr).toBe('');
      expect(undo.exitCode).toBe(0);
      expect(undo.stdout).toContain(`restored  kubectl scale deployment/web -n ${lab.namespace} --replicas=${from}`);
      expect(await replicas()).toBe(from);
    } finally {
      // if an assertion above failed, do not leave the sleep behind
      for (const pid of processesWith(`sleep\0${pause}`)) process.kill(pid, 'SIGKILL');
    }
  });
});

describe('workstation kubectl steps get the session cluster options', () => {
  it('runs `kubectl get pods` against the lab without a KUBECONFIG in the environment', async () => {
    const ex = createExecutor(cluster, { env });
    const r = await ex.run({ argv: ['kubectl', 'get', 'pods', '-o', 'name'], target: { kind: 'workstation' }, timeoutMs: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toContain(`pod/${lab.clientPod}`);
  });
});

describe('node target through real kubectl', () => {
  it('creates one pod per node, reuses it, deletes it at close', async () => {
    const ex = createExecutor(cluster, { env, sessionId: 'e2e-node-1', pollMs: 100 });
    const before = await podNames();
    const a = await ex.run({ argv: ['echo', 'on node-1'], target: { kind: 'node', node: 'node-1' }, timeoutMs: 30_000 });
    expect(a).toMatchObject({ exitCode: 0, stdout: 'on node-1\n', via: 'node-pod' });
    const created = (await podNames()).filter((n) => !before.includes(n));
    expect(created).toEqual([ex.nodePodName('node-1')]);
    const pod = JSON.parse((await lab.kubectl(['get', 'pod', created[0]!, '-n', lab.namespace, '-o', 'json'])).stdout);
    expect(pod.metadata.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'netwiz', 'netwiz.io/session': 'e2e-node-1' });
    expect(pod.spec).toMatchObject({ nodeName: 'node-1', hostNetwork: true });
    // reused: no second pod for the same node
    const b = await ex.run({ argv: ['echo', 'again'], target: { kind: 'node', node: 'node-1' }, timeoutMs: 30_000 });
    expect(b.stdout).toBe('again\n');
    expect((await podNames()).filter((n) => !before.includes(n))).toEqual(created);
    await ex.close();
    expect((await podNames()).filter((n) => !before.includes(n))).toEqual([]);
  });

  it('a crashed session\'s node pod is swept at the next start', async () => {
    const ex = createExecutor(cluster, { env, sessionId: 'e2e-crashed', pollMs: 100 });
    await ex.run({ argv: ['true'], target: { kind: 'node', node: 'node-2' }, timeoutMs: 30_000 });
    expect(await podNames()).toContain(ex.nodePodName('node-2'));
    // the live marker still names this (running) process: a live session is kept
    expect(await sweepLeftovers(cluster, { env })).toEqual([]);
    // now pretend the process died
    writeFileSync(join(dir, 'xdg', 'netwiz', 'live', 'e2e-crashed'), JSON.stringify({ pid: 2 ** 22 + 777 }));
    const swept = await sweepLeftovers(cluster, { env });
    expect(swept).toEqual([{ namespace: lab.namespace, name: ex.nodePodName('node-2'), session: 'e2e-crashed', deleted: true }]);
    expect(await podNames()).not.toContain(ex.nodePodName('node-2'));
  });
});
