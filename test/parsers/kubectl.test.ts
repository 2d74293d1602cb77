import { describe, expect, it } from 'vitest';
import { fixture, parseOk, run, yamlFixtureAsJson } from './fixtures.js';

describe('kubectl-service', () => {
  it('reads incident 003: LoadBalancer with an externalIP', () => {
    const f = parseOk('kubectl-service', yamlFixtureAsJson('incidents/003-service-ks-apiserver.yaml'));
    expect(f.type).toBe('LoadBalancer');
    expect(f.clusterIP).toBe('10.233.7.171');
    expect(f.externalIPs).toEqual(['139.198.19.140']);
    expect(f.exposed_ips).toEqual(['139.198.19.140']);
    expect(f.selector).toEqual({ app: 'ks-apiserver', tier: 'backend', version: 'v3.0.0' });
    expect(f.selector_string).toBe('app=ks-apiserver,tier=backend,version=v3.0.0');
    expect(f.ports).toEqual([{ name: '', port: 80, targetPort: 9090, nodePort: 32302, protocol: 'TCP' }]);
    expect(f.targetPort).toBe(9090);
    expect(f.loadBalancerIP).toBe('');
  });

  it('reads incident 004: NodePort with no externalIPs', () => {
    const f = parseOk('kubectl-service', yamlFixtureAsJson('incidents/004-service-apiserver.yaml'));
    expect(f.type).toBe('NodePort');
    expect(f.selector_string).toBe('app=apiserver');
    expect(f.nodePort).toBe(31000);
    expect(f.exposed_ips).toEqual([]);
  });

  it('refuses a Deployment', () => {
    const out = run('kubectl-service', fixture('kubectl/dry-run-deployment.json'));
    expect(out).toMatchObject({ ok: false });
    if (!out.ok) expect(out.error).toMatch(/^could not parse kubectl service JSON: expected a Service/);
  });
});

describe('kubectl-services', () => {
  it('maps every address to the services that claim it', () => {
    const list = JSON.stringify({
      kind: 'List',
      items: [JSON.parse(yamlFixtureAsJson('incidents/003-service-ks-apiserver.yaml')), JSON.parse(fixture('kubectl/service-selector-overlap-000.json'))],
    });
    const f = parseOk('kubectl-services', list);
    expect(f.count).toBe(2);
    expect(f.exposed_ips).toEqual(['139.198.19.140']);
    expect(f.owners_by_ip).toMatchObject({ '139.198.19.140': ['kubesphere-system/ks-apiserver'], '10.96.40.7': ['palo/palo'] });
  });
});

describe('kubectl-pods', () => {
  it('finds two workloads behind one selector (incident 000 layout)', () => {
    const f = parseOk('kubectl-pods', fixture('kubectl/pods-selector-overlap-000.json'));
    expect(f.count).toBe(4);
    expect(f.workloads).toEqual(['Deployment/palo-be', 'Deployment/palo-fe']);
    expect(f.workload_count).toBe(2);
    expect(f.nodes).toEqual(['node-1', 'node-2']);
    expect(f.ips).toEqual(['10.244.1.11', '10.244.2.12', '10.244.1.21', '10.244.2.22']);
    expect(f.pod_by_ip).toMatchObject({ '10.244.1.21': 'palo-be-5f4b7c9d8-m3n7r' });
    const be = (f.items as Record<string, unknown>[])[2];
    expect(be).toMatchObject({ owner_kind: 'ReplicaSet', owner_name: 'palo-be-5f4b7c9d8', port_numbers: [8040], phase: 'Running', ready: true });
    expect(f.all_running).toBe(true);
  });

  it('treats a bare pod as its own workload', () => {
    const pod = { kind: 'Pod', metadata: { name: 'client', namespace: 'default' }, spec: { containers: [{ name: 'c' }] }, status: {} };
    const f = parseOk('kubectl-pods', JSON.stringify(pod));
    expect(f.workloads).toEqual(['Pod/client']);
    expect(f.first).toMatchObject({ name: 'client', ip: '', owner: null });
  });
});

describe('kubectl-endpoints / kubectl-endpointslices', () => {
  it('lists endpoint pods by targetRef from Endpoints', () => {
    const f = parseOk('kubectl-endpoints', fixture('kubectl/endpoints-selector-overlap-000.json'));
    expect(f.count).toBe(4);
    expect(f.pod_names).toEqual(['palo-fe-6c9d8f7b5-x2k4p', 'palo-fe-6c9d8f7b5-q8wzn', 'palo-be-5f4b7c9d8-m3n7r', 'palo-be-5f4b7c9d8-t6v2s']);
    expect(f.port).toBe(8030);
    expect(f.nodes).toEqual(['node-1', 'node-2']);
  });

  it('honours ready=false in EndpointSlices', () => {
    const f = parseOk('kubectl-endpointslices', fixture('kubectl/endpointslices-selector-overlap-000.json'));
    expect(f.count).toBe(3);
    expect(f.not_ready_count).toBe(1);
    expect(f.ips).toEqual(['10.244.1.11', '10.244.2.12', '10.244.1.21']);
  });

  it('an Endpoints object without subsets is a service with no endpoints', () => {
    const f = parseOk('kubectl-endpoints', JSON.stringify({ kind: 'Endpoints', metadata: { name: 'x' } }));
    expect(f.count).toBe(0);
    expect(f.ips).toEqual([]);
  });
});

describe('kubectl-deployment', () => {
  it('reads real kubectl dry-run output', () => {
    const f = parseOk('kubectl-deployment', fixture('kubectl/dry-run-deployment.json'));
    expect(f).toMatchObject({ kind: 'Deployment', name: 'palo-fe', replicas: 3, selector: { app: 'palo-fe' }, templateLabels: { app: 'palo-fe' }, nodeSelector: {}, nodeName: '' });
    expect(f.ports).toEqual([{ container: 'palo-fe', name: '', containerPort: 8030, protocol: 'TCP' }]);
    expect(f.selector_string).toBe('app=palo-fe');
  });
});

describe('kubectl-json, kubectl-list, kubectl-nodes, kubectl-config', () => {
  it('kubectl-json gives identity and the raw object', () => {
    const f = parseOk('kubectl-json', fixture('kubectl/dry-run-deployment.json'));
    expect(f).toMatchObject({ kind: 'Deployment', name: 'palo-fe', is_list: false, item_count: 1 });
    expect((f.object as Record<string, unknown>).apiVersion).toBe('apps/v1');
  });

  it('kubectl-list gives names', () => {
    const f = parseOk('kubectl-list', fixture('kubectl/pods-selector-overlap-000.json'));
    expect(f.count).toBe(4);
    expect((f.names as string[])[0]).toBe('palo-fe-6c9d8f7b5-x2k4p');
  });

  it('kubectl-nodes maps addresses to nodes', () => {
    const nodes = {
      kind: 'List',
      items: [
        {
          kind: 'Node',
          metadata: { name: 'vm-4' },
          status: {
            addresses: [{ type: 'InternalIP', address: '10.1.0.11' }, { type: 'Hostname', address: 'vm-4' }],
            conditions: [{ type: 'Ready', status: 'True' }],
            nodeInfo: { kernelVersion: '3.10.0-1160.el7.x86_64' },
          },
        },
      ],
    };
    const f = parseOk('kubectl-nodes', JSON.stringify(nodes));
    expect(f.node_by_ip).toEqual({ '10.1.0.11': 'vm-4' });
    expect(f.items).toMatchObject([{ name: 'vm-4', internal_ip: '10.1.0.11', ready: true, kernel: '3.10.0-1160.el7.x86_64' }]);
  });

  it('kubectl-config reads the server and never the user', () => {
    const cfg = {
      kind: 'Config',
      'current-context': 'lab',
      clusters: [{ name: 'lab', cluster: { server: 'https://lb.kubesphere.local:6443' } }],
      contexts: [{ name: 'lab', context: { cluster: 'lab', user: 'admin', namespace: 'app-system' } }],
      users: [{ name: 'admin', user: { token: 'secret-token-value' } }],
    };
    const f = parseOk('kubectl-config', JSON.stringify(cfg));
    expect(f).toMatchObject({ server_host: 'lb.kubesphere.local', server_port: 6443, namespace: 'app-system' });
    expect(JSON.stringify(f)).not.toContain('secret-token-value');
  });
});
