// The fixes the incidents ended with, applied with kubectl, change what the lab serves:
// narrowing a Service selector (incident 000) and dropping an externalIP (incident 003).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type TestLab } from '../helpers/lab.js';

describe('selector-overlap: fixing the selector', () => {
  let lab: TestLab;
  beforeAll(async () => {
    lab = await startLab('selector-overlap', { dataPlane: 'none' });
  });
  afterAll(async () => {
    await lab?.stop();
  });
  const endpointNames = async () => {
    const ep = JSON.parse((await lab.kubectl(['get', 'endpoints', 'palo-fe', '-o', 'json'])).stdout);
    return ep.subsets[0].addresses.map((a: any) => a.targetRef.name as string).sort();
  };

  it('starts with FE and BE pods behind the FE Service', async () => {
    const names = await endpointNames();
    expect(names.filter((n: string) => n.startsWith('palo-fe-'))).toHaveLength(2);
    expect(names.filter((n: string) => n.startsWith('palo-be-'))).toHaveLength(2);
    const wide = await lab.kubectl(['get', 'svc', 'palo-fe', '-o', 'wide']);
    expect(wide.stdout).toMatch(/palo-fe\s+NodePort\s+10\.96\.120\.30\s+<none>\s+8030:28030\/TCP\s+2d\s+app=palo\n/);
  });

  it('a strategic merge patch adding role=fe leaves only FE pods, and the slice follows', async () => {
    const r = await lab.kubectl(['patch', 'svc', 'palo-fe', '-p', '{"spec":{"selector":{"role":"fe"}}}']);
    expect(r.stdout.trim()).toBe('service/palo-fe patched');
    const names = await endpointNames();
    expect(names).toHaveLength(2);
    expect(names.every((n: string) => n.startsWith('palo-fe-'))).toBe(true);
    const slices = JSON.parse((await lab.kubectl(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=palo-fe', '-o', 'json'])).stdout);
    expect(slices.items[0].endpoints.map((e: any) => e.targetRef.name).sort()).toEqual(names);
    const d = await lab.kubectl(['describe', 'svc', 'palo-fe']);
    expect(d.stdout).toMatch(/^Selector:\s+app=palo,role=fe$/m);
  });

  it('changing a pod\'s labels moves it in or out of the endpoints', async () => {
    const be = JSON.parse((await lab.kubectl(['get', 'pods', '-l', 'role=be', '-o', 'json'])).stdout).items[0].metadata.name;
    expect((await lab.kubectl(['label', 'pod', be, 'role=fe', '--overwrite'])).exitCode).toBe(0);
    expect(await endpointNames()).toContain(be);
  });

  it('refuses to change the clusterIP', async () => {
    const r = await lab.kubectl(['patch', 'svc', 'palo-fe', '--type=merge', '-p', '{"spec":{"clusterIP":"10.96.1.1"}}']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('The Service "palo-fe" is invalid: spec.clusterIPs[0]: Invalid value');
  });
});

describe('externalip-conflict: dropping the LB address from externalIPs', () => {
  let lab: TestLab;
  beforeAll(async () => {
    lab = await startLab('externalip-conflict', { dataPlane: 'none' });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('shows the LB address as EXTERNAL-IP, then removes it with a JSON patch', async () => {
    const before = await lab.kubectl(['get', 'svc', 'ks-apiserver', '-n', 'kubesphere-system']);
    expect(before.stdout).toMatch(/ks-apiserver\s+LoadBalancer\s+10\.96\.7\.171\s+10\.77\.0\.250\s+80:32302\/TCP/);
    const r = await lab.kubectl(['patch', 'svc', 'ks-apiserver', '--type=json', '-p', '[{"op":"remove","path":"/spec/externalIPs"}]']);
    expect(r.exitCode, r.stderr).toBe(0);
    const after = await lab.kubectl(['get', 'svc', 'ks-apiserver', '-o', 'json']);
    expect(JSON.parse(after.stdout).spec.externalIPs).toBeUndefined();
    const table = await lab.kubectl(['get', 'svc', 'ks-apiserver']);
    expect(table.stdout).toMatch(/ks-apiserver\s+LoadBalancer\s+10\.96\.7\.171\s+<pending>/);
  });
});
