// Incident 000 on the wire: the Service selects FE and BE pods; kube-proxy's random DNAT
// sends some connects to BE pods, which do not listen on the target port and answer RST.
import { describe, expect, it } from 'vitest';
import { selectorOverlap } from '../fixtures/lab-netns/scenarios.js';
import { curlArgs, inPod, netnsLabForFile, podOf, startCapture } from './helpers.js';

const built = selectorOverlap();
const client = podOf(built, 'client');
const netns = netnsLabForFile(built);

async function connects(url: string, n: number): Promise<{ ok: number; refused: number; other: number[] }> {
  const results = await Promise.all(Array.from({ length: n }, () => inPod(netns.dp, client, curlArgs(url))));
  return {
    ok: results.filter((r) => r.exitCode === 0 && r.stdout === '200').length,
    refused: results.filter((r) => r.exitCode === 7).length,
    other: results.filter((r) => r.exitCode !== 0 && r.exitCode !== 7).map((r) => r.exitCode),
  };
}

describe('selector-overlap (incident 000)', () => {
  it('some of 20 connects to the ClusterIP get RST (curl rc 7), the rest get 200', async () => {
    const r = await connects('http://10.96.0.40/', 20);
    expect(r.other).toEqual([]);
    expect(r.refused).toBeGreaterThan(0);
    expect(r.ok).toBeGreaterThan(0);
  });

  it('the NodePort on a node spreads the same way', async () => {
    const r = await connects('http://10.77.0.12:30080/', 20);
    expect(r.refused).toBeGreaterThan(0);
    expect(r.ok).toBeGreaterThan(0);
  });

  it('the client sees [S] answered by [R.] from a BE pod', async () => {
    const cap = await startCapture(netns.dp.podNs(client), 'eth0', ['tcp']);
    await connects('http://10.96.0.40/', 10);
    const lines = await cap.stop();
    expect(lines.some((l) => /10\.96\.0\.40\.80 > 10\.244\.1\.50\.\d+: Flags \[R\.\]/.test(l))).toBe(true);
  });

  it('with endpoints narrowed to the FE pods (the fix), all connects succeed', async () => {
    const fe = built.pods.filter((p) => p.labels.role === 'fe');
    await netns.dp.endpointsChanged('palo', 'default', fe);
    const r = await connects('http://10.96.0.40/', 20);
    expect(r).toEqual({ ok: 20, refused: 0, other: [] });
  });

  it('a Service with no endpoints is rejected at once, as kube-proxy does', async () => {
    await netns.dp.endpointsChanged('palo', 'default', []);
    const r = await inPod(netns.dp, client, curlArgs('http://10.96.0.40/'));
    expect(r.exitCode).toBe(7);
  });
});
