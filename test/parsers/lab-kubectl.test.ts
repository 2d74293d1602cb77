// Parsers on real kubectl output from the scenario lab (selector-overlap: FE and BE both
// labelled app=palo, the Service selecting app=palo only).
import { describe, expect, it } from 'vitest';
import { fixture, parseOk } from './fixtures.js';

const lab = (f: string) => fixture(`lab-kubectl/selector-overlap-${f}`);

describe('kubectl parsers on the lab', () => {
  it('pods: two Deployments behind app=palo, derived from ReplicaSet owners', () => {
    const f = parseOk('kubectl-pods', lab('pods.json'));
    expect(f.count).toBe(4);
    expect(f.workloads).toEqual(['Deployment/palo-be', 'Deployment/palo-fe']);
    expect(f.nodes).toEqual(['node-1', 'node-2']);
    expect(f.ports_by_workload).toEqual({ 'Deployment/palo-be': [8040], 'Deployment/palo-fe': [8030] });
    expect((f.items as { workload_name: string; owner_kind: string }[]).every((p) => p.owner_kind === 'ReplicaSet')).toBe(true);
  });

  it('service, endpoints and endpoint slices agree', () => {
    const svc = parseOk('kubectl-service', lab('svc.json'));
    expect(svc).toMatchObject({ type: 'NodePort', clusterIP: '10.96.120.30', selector_string: 'app=palo', port: 8030, targetPort: 8030, nodePort: 28030, exposed_ips: [] });
    const ep = parseOk('kubectl-endpoints', lab('endpoints.json'));
    const slices = parseOk('kubectl-endpointslices', lab('endpointslices.json'));
    expect(ep.count).toBe(4);
    expect([...(slices.ips as string[])].sort()).toEqual([...(ep.ips as string[])].sort());
    expect(ep.port).toBe(8030);
    expect(Object.keys(ep.pod_by_ip as object)).toHaveLength(4);
    expect(parseOk('kubectl-services', lab('svc-all.json')).owners_by_ip).toEqual({ '10.96.120.30': ['palo/palo-fe'] });
  });

  it('deployment, nodes, client pod and kubeconfig', () => {
    expect(parseOk('kubectl-deployment', lab('deploy.json'))).toMatchObject({ replicas: 2, selector_string: 'app=palo,role=fe', nodeSelector: {} });
    expect(parseOk('kubectl-nodes', lab('nodes.json'))).toMatchObject({ names: ['node-1', 'node-2'], node_by_ip: { '10.77.0.11': 'node-1', '10.77.0.12': 'node-2' } });
    expect(parseOk('kubectl-pods', lab('client-pod.json')).first).toMatchObject({ name: 'client', node: 'node-1', workload: 'Pod/client' });
    const cfg = parseOk('kubectl-config', lab('kubeconfig-view.json'));
    expect(cfg).toMatchObject({ server_host: '127.0.0.1', namespace: 'palo' });
  });

  it('curl probes: refused at random through the Service, always on the BE endpoints', () => {
    const svc = parseOk('curl-probe', lab('curl-probe-service.txt'));
    expect(svc).toMatchObject({ tries: 12, intermittent: true, failure_kinds: ['refused'] });
    const per = parseOk('curl-probe', lab('curl-probe-endpoints.txt'));
    expect(per.always_failing_targets).toEqual(['10.244.1.4', '10.244.2.3']);
    expect(per.never_failing_targets).toEqual(['10.244.1.3', '10.244.2.2']);
    const pods = parseOk('kubectl-pods', lab('pods.json')).pod_by_ip as Record<string, string>;
    expect((per.always_failing_targets as string[]).map((ip) => pods[ip]?.split('-')[1])).toEqual(['be', 'be']);
  });
});
