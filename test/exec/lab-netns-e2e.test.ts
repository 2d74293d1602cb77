// The executor against a lab with its real data plane (network namespaces): a node command
// runs in the node's network namespace, a pod command in the pod's, and a cancelled
// capture leaves no process behind.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/exec/index.js';
import type { ClusterOptions } from '../../src/exec/types.js';
import { startLab, type TestLab } from '../helpers/lab.js';
import { processesWith } from './processes.js';

let lab: TestLab;
let cluster: ClusterOptions;
let env: Record<string, string>;
const savedState = process.env.XDG_STATE_HOME;

beforeAll(async () => {
  process.env.XDG_STATE_HOME = join(mkdtempSync(join(tmpdir(), 'netwiz-exec-netns-')), 'xdg');
  lab = await startLab('healthy', { dataPlane: 'netns' });
  cluster = { kubeconfig: lab.kubeconfig, context: lab.context, namespace: lab.namespace };
  env = { KUBECACHEDIR: lab.cacheDir };
});
afterAll(async () => {
  await lab?.stop();
  if (savedState === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = savedState;
});

describe('targets land in the right network namespace', () => {
  it('a node command sees the node address, a pod command the pod address', async () => {
    const ex = createExecutor(cluster, { env, sessionId: 'netns-e2e', pollMs: 100 });
    const node = await ex.run({ argv: ['ip', '-o', '-4', 'addr', 'show'], target: { kind: 'node', node: 'node-1' }, timeoutMs: 30_000 });
    expect(node.stderr).toBe('');
    expect(node).toMatchObject({ exitCode: 0, via: 'node-pod' });
    expect(node.stdout).toContain('10.77.0.11/');
    const pod = await ex.run({ argv: ['ip', '-o', '-4', 'addr', 'show'], target: { kind: 'pod', pod: lab.clientPod }, timeoutMs: 30_000 });
    expect(pod).toMatchObject({ exitCode: 0, via: 'exec' });
    expect(pod.stdout).toContain('10.244.1.2/');
    expect(pod.stdout).not.toContain('10.77.0.11/');
    await ex.close();
  });

  // kubectl exec's end does not stop the remote process on a real kubelet (nor, here, the
  // lab's, which kills only the top process of the exec, not what `timeout` started):
  // netwiz kills the marked command tree in its own pods before run() returns.
  it('a cancelled tcpdump on a node is killed there too', async () => {
    const ex = createExecutor(cluster, { env, sessionId: 'netns-e2e-2', pollMs: 100 });
    const ac = new AbortController();
    // a filter no lab packet matches: tcpdump runs until cancelled
    const port = String(40000 + (process.pid % 20000));
    const p = ex.run({
      argv: ['tcpdump', '-n', '-l', '-i', 'any', 'udp', 'port', port],
      target: { kind: 'node', node: 'node-1' },
      timeoutMs: 600_000,
      signal: ac.signal,
      onOutput: (c) => {
        if (c.includes('listening on')) ac.abort();
      },
    });
    const r = await p;
    expect(r.cancelled).toBe(true);
    // SIGKILL was sent before run() returned; give the kernel a moment to tear it down
    for (let i = 0; i < 40 && processesWith(`port\0${port}`).length > 0; i++) await new Promise((res) => setTimeout(res, 50));
    expect(processesWith(`port\0${port}`)).toEqual([]);
    await ex.close();
  });
});
