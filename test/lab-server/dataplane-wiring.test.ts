// The server's controllers drive the netns data plane: scaling and pinning change real
// namespaces and kube-proxy rules, so what kubectl shows is what the wire does.
// Needs root (network namespaces); runs the lab in this process through test/helpers/lab.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRoot, startLab, type TestLab } from '../helpers/lab.js';

describe.runIf(isRoot())('controllers → data plane', () => {
  let lab: TestLab;
  const curl = () => lab.kubectl(['exec', lab.clientPod, '--', 'curl', '-s', '-m', '3', '-o', '/dev/null', '-w', '%{http_code}', `http://${lab.service}/`]);
  const json = async (...args: string[]) => JSON.parse((await lab.kubectl([...args, '-o', 'json'])).stdout);

  beforeAll(async () => {
    lab = await startLab('healthy', { dataPlane: 'netns' });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('serves the Service from the client pod', async () => {
    const r = await curl();
    expect(r.stdout).toBe('200');
  });

  it('scale to 0 leaves the Service without endpoints on the wire; scale back serves again', async () => {
    expect((await lab.kubectl(['scale', 'deploy', 'web', '--replicas=0'])).exitCode).toBe(0);
    const down = await curl();
    expect(down.exitCode).not.toBe(0);
    expect(down.stdout).toBe('000');
    expect((await lab.kubectl(['scale', 'deploy', 'web', '--replicas=2'])).exitCode).toBe(0);
    expect((await curl()).stdout).toBe('200');
  });

  it('pods of a pinned template get namespaces with their new addresses', async () => {
    expect((await lab.kubectl(['patch', 'deploy', 'web', '-p', '{"spec":{"template":{"spec":{"nodeName":"node-2"}}}}'])).exitCode).toBe(0);
    const pods = (await json('get', 'pods', '-l', 'app=web')).items;
    expect(pods).toHaveLength(2);
    for (const p of pods) {
      expect(p.spec.nodeName).toBe('node-2');
      const r = await lab.kubectl(['exec', p.metadata.name, '--', 'ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
      expect(r.stdout).toContain(`inet ${p.status.podIP}/32`);
    }
    expect((await curl()).stdout).toBe('200');
  });
});
