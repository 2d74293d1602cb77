// LabCluster's controllers in isolation: what they tell the data plane, in which order,
// and the history watches replay. (The real data plane is exercised in dataplane-wiring.)
import { describe, expect, it } from 'vitest';
import type { DataPlane } from '../../src/lab/dataplane.js';
import type { Scenario, ScenarioPod } from '../../src/lab/scenario/model.js';
import { loadScenarioFile, resolveScenarioRef } from '../../src/lab/scenario/load.js';
import { LabCluster } from '../../src/lab/server/cluster.js';

function recordingPlane(): { plane: DataPlane; calls: string[] } {
  const calls: string[] = [];
  const plane: DataPlane = {
    async up(_s: Scenario, pods: ScenarioPod[]) {
      calls.push(`up ${pods.length}`);
    },
    async podAdded(p) {
      calls.push(`podAdded ${p.name}@${p.node}`);
    },
    async podRemoved(p) {
      calls.push(`podRemoved ${p.name}`);
    },
    async endpointsChanged(svc, ns, pods) {
      calls.push(`endpoints ${ns}/${svc} ${pods.map((p) => p.ip).join(',')}`);
    },
    async serviceChanged(svc) {
      calls.push(`service ${svc.namespace}/${svc.name} externalIPs=${svc.externalIPs.join(',')}`);
    },
    execPlan: () => ({ file: 'true', args: [] }),
    async down() {
      calls.push('down');
    },
  };
  return { plane, calls };
}

describe('LabCluster', () => {
  const scenario = loadScenarioFile(resolveScenarioRef('bad-replica'));

  it('tells the data plane about every pod and endpoint change, in order', async () => {
    const { plane, calls } = recordingPlane();
    const c = new LabCluster(scenario, { dataPlane: plane });
    await c.start();
    expect(calls).toEqual(['up 4', 'endpoints shop/web 10.244.1.3,10.244.1.4,10.244.2.2']);
    calls.length = 0;
    c.scaleDeployment('shop', 'web', 1);
    await c.settle();
    // newest replicas go first; the oldest (index 0) stays
    expect(calls).toEqual([
      expect.stringMatching(/^podRemoved web-\w+-\w+$/),
      expect.stringMatching(/^podRemoved web-\w+-\w+$/),
      'endpoints shop/web 10.244.1.3',
    ]);
    const left = c.list('Pod', 'shop').filter((p) => p.metadata.labels.app === 'web');
    expect(left).toHaveLength(1);
    expect(c.podInfoOf('shop', left[0].metadata.name)!.app.listen).toEqual([8080]); // the good replica 0
    calls.length = 0;
    c.scaleDeployment('shop', 'web', 2);
    await c.settle();
    expect(calls[0]).toMatch(/^podAdded web-\w+-\w+@node-2$/);
    expect(calls[1]).toMatch(/^endpoints shop\/web 10\.244\.1\.3,10\.244\.2\.\d+$/);
  });

  it('keeps the bad replica\'s behaviour on its own pod only', async () => {
    const c = new LabCluster(scenario);
    await c.start();
    const pods = c.allPodInfo().filter((p) => p.workload === 'web');
    expect(pods.map((p) => p.app.listen.length)).toEqual([1, 0, 1]);
  });

  it('replays history for a watch from a resourceVersion, as snapshots', async () => {
    const c = new LabCluster(scenario);
    await c.start();
    const rv = Number(c.resourceVersion);
    c.scaleDeployment('shop', 'web', 2);
    const events = c.eventsSince(rv)!;
    const deploy = events.filter((e) => e.kind === 'Deployment');
    expect(deploy.length).toBeGreaterThan(0);
    for (const e of events) expect(Number(e.object.metadata.resourceVersion)).toBe(e.rv);
    expect(events.filter((e) => e.kind === 'Pod').map((e) => e.type)).toEqual(['DELETED']);
  });

  it('places pods by nodeSelector and nodeAffinity, and refuses a node that does not exist', async () => {
    const c = new LabCluster(scenario);
    await c.start();
    expect(c.candidateNodes({ nodeSelector: { 'kubernetes.io/hostname': 'node-2' } }, ['node-1', 'node-2'])).toEqual(['node-2']);
    expect(
      c.candidateNodes(
        { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'NotIn', values: ['node-2'] }] }] } } } },
        ['node-1', 'node-2'],
      ),
    ).toEqual(['node-1']);
    expect(() => c.createPod('shop', { metadata: { name: 'p' }, spec: { nodeName: 'node-9', containers: [{ name: 'c', image: 'i' }] } })).toThrow(/spec\.nodeName: Not found: "node-9"/);
  });

  it('tells the data plane when a Service spec changes (externalIPs fix of incident 003)', async () => {
    const { plane, calls } = recordingPlane();
    const c = new LabCluster(loadScenarioFile(resolveScenarioRef('externalip-conflict')), { dataPlane: plane });
    await c.start();
    calls.length = 0;
    const svc = structuredClone(c.get('Service', 'kubesphere-system', 'ks-apiserver'));
    delete svc.spec.externalIPs;
    c.updateService(svc);
    await c.settle();
    expect(calls).toEqual(['service kubesphere-system/ks-apiserver externalIPs=']);
  });
});
