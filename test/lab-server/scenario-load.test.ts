// Scenario files: every shipped one loads and stays true to its incident; mistakes are
// reported as file:line:col.
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import {
  ScenarioError,
  derivePods,
  formatScenarioDiagnostic,
  listShippedScenarios,
  loadScenarioFile,
  resolveScenarioRef,
} from '../../src/lab/scenario/load.js';
import { cidrContains } from '../../src/lab/scenario/names.js';

const fixture = (f: string) => path.resolve('test/fixtures/lab', f);

function errorsOf(file: string): string[] {
  try {
    loadScenarioFile(file);
  } catch (e) {
    if (e instanceof ScenarioError) return e.diagnostics.map((d) => `${d.line}:${d.col}: ${d.message}`);
    throw e;
  }
  throw new Error(`${file} loaded without errors`);
}

describe('shipped scenarios', () => {
  const shipped = listShippedScenarios();

  it('ships the seven scenarios of the issue', () => {
    expect(shipped.map((s) => s.name).sort()).toEqual(
      ['bad-replica', 'dns-search-domain', 'externalip-conflict', 'healthy', 'overlay-mtu', 'selector-overlap', 'tw-recycle-nat'].sort(),
    );
  });

  it.each(listShippedScenarios().map((s) => [s.name, s.file]))('%s loads, has an entry and lab-private addresses', (name, file) => {
    const s = loadScenarioFile(file);
    expect(s.name).toBe(name);
    expect(s.services.some((v) => v.name === s.entry.service && v.namespace === s.entry.namespace)).toBe(true);
    expect(s.pods.some((p) => p.name === s.entry.clientPod)).toBe(true);
    const pods = derivePods(s);
    for (const p of pods) {
      const node = s.nodes.find((n) => n.name === p.node)!;
      expect(cidrContains(node.podCidr, p.ip), `${p.name} ${p.ip} in ${node.podCidr}`).toBe(true);
      expect(p.ip.startsWith('10.244.')).toBe(true);
    }
    for (const n of s.nodes) expect(n.ip.startsWith('10.77.')).toBe(true);
    for (const v of s.services) expect(v.clusterIP.startsWith('10.96.')).toBe(true);
    expect(new Set(pods.map((p) => p.ip)).size).toBe(pods.length);
  });

  it('derives the same pod names and IPs on every load, shaped like a ReplicaSet\'s', () => {
    const file = resolveScenarioRef('overlay-mtu');
    const a = derivePods(loadScenarioFile(file));
    const b = derivePods(loadScenarioFile(file));
    expect(a).toEqual(b);
    const api = a.filter((p) => p.workload === 'apiserver');
    expect(api).toHaveLength(3);
    for (const p of api) expect(p.name).toMatch(/^apiserver-[bcdfghjklmnpqrstvwxz2456789]{10}-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    // round-robin over both nodes
    expect(new Set(api.map((p) => p.node))).toEqual(new Set(['vm-4', 'vm-5']));
  });

  it('keeps each incident\'s fault in its scenario', () => {
    const mtu = loadScenarioFile(resolveScenarioRef('overlay-mtu'));
    expect(mtu.nodes.every((n) => n.nicMtu === 1450 && n.overlay?.mtu === 1440 && n.overlay.type === 'vxlan')).toBe(true);

    const sel = loadScenarioFile(resolveScenarioRef('selector-overlap'));
    expect(sel.services[0]!.selector).toEqual({ app: 'palo' });
    const be = sel.workloads.find((w) => w.name === 'palo-be')!;
    expect(be.templateLabels).toMatchObject({ app: 'palo', role: 'be' });
    expect(be.app.listen).not.toContain(sel.services[0]!.ports[0]!.targetPort);

    const tw = loadScenarioFile(resolveScenarioRef('tw-recycle-nat'));
    const server = tw.nodes.find((n) => n.name === 'node-2')!;
    expect(server.sysctls['net.ipv4.tcp_tw_recycle']).toBe('1');
    expect(server.sysctls['net.ipv4.tcp_timestamps']).toBe('1');
    expect(server.kernel).toMatch(/^3\.10\.0-/);

    const dns = loadScenarioFile(resolveScenarioRef('dns-search-domain'));
    expect(dns.dns.nodeSearch).toEqual(['corp.example']);
    expect(dns.dns.records['*.corp.example']).toBe('10.78.0.50');

    const ext = loadScenarioFile(resolveScenarioRef('externalip-conflict'));
    expect(ext.services[0]!.externalIPs).toEqual(['10.77.0.250']);
    expect(ext.faults).toContainEqual({ kind: 'externalip-conflict', service: 'ks-apiserver', ip: '10.77.0.250', nodes: ['master1', 'master2', 'master3'] });

    const bad = loadScenarioFile(resolveScenarioRef('bad-replica'));
    expect(bad.workloads[0]!.replicaOverrides).toEqual({ 1: { listen: [] } });
    expect(derivePods(bad).filter((p) => p.workload === 'web').map((p) => p.app.listen)).toEqual([[8080], [], [8080]]);

    expect(loadScenarioFile(resolveScenarioRef('healthy')).expectedCause).toBe('healthy');
  });
});

describe('scenario errors carry file:line:col', () => {
  it('reports schema errors at the offending node, unknown keys at the key', () => {
    const errs = errorsOf(fixture('bad-schema.yaml'));
    expect(errs).toContainEqual(expect.stringMatching(/^9:9: nodes\.0\.ip: must be an IPv4 address/));
    expect(errs).toContainEqual('11:5: unknown key "mtu" in nodes.0');
    expect(errs).toContainEqual(expect.stringMatching(/^14:15: workloads\.0\.replicas: /));
  });

  it('reports references to things that do not exist', () => {
    const errs = errorsOf(fixture('bad-refs.yaml'));
    expect(errs).toContainEqual('5:36: entry service "shop/missing-svc" is not declared under services');
    expect(errs).toContainEqual('14:17: unknown node "node-9" (nodes: node-1)');
    expect(errs).toContainEqual("18:9: pod IP 10.244.7.5 is outside node node-1's podCidr 10.244.1.0/24");
  });

  it('reports YAML syntax errors with a position', () => {
    const errs = errorsOf(fixture('bad-yaml.yaml'));
    expect(errs[0]).toMatch(/^\d+:\d+: YAML: /);
  });

  it('formats as file:line:col: message', () => {
    try {
      loadScenarioFile(fixture('bad-refs.yaml'));
      expect.unreachable();
    } catch (e) {
      const d = (e as ScenarioError).diagnostics[0]!;
      expect(formatScenarioDiagnostic(d)).toBe(`test/fixtures/lab/bad-refs.yaml:${d.line}:${d.col}: ${d.message}`);
    }
  });

  it('names the shipped scenarios when a name is unknown', () => {
    expect(() => resolveScenarioRef('no-such-scenario')).toThrow(/shipped scenarios: .*overlay-mtu/);
  });
});
