// Narrow unit tests of the data plane's pure parts: names, rendered rules, DNS files, the
// ledger's bookkeeping. The wire behaviour is tested with real namespaces in the other files.
import { describe, expect, it } from 'vitest';
import { dnsmasqArgs, podResolvConf, nodeResolvConf } from '../../src/lab/netns/dns.js';
import { splitSysctls } from '../../src/lab/netns/emulation.js';
import { externalIpBindings, loadBalancerAddresses, natAddresses, renderFaultRuleset, twRecycleDropsPort } from '../../src/lab/netns/faults.js';
import { renderKubeProxyRuleset } from '../../src/lab/netns/kubeproxy.js';
import { liveEntries, type LedgerEntry } from '../../src/lab/netns/ledger.js';
import { caliName, cidrContains, lanHostAddress, makeLabPrefix, nodeNetns, podNetns, safePart, vtepAddress } from '../../src/lab/netns/names.js';
import { dnsSearchDomain, externalIpConflict, selectorOverlap, twRecycleNat } from '../fixtures/lab-netns/scenarios.js';

describe('names', () => {
  it('lab prefixes differ between labs and are safe in any name', () => {
    const many = new Set(Array.from({ length: 200 }, makeLabPrefix));
    expect(many.size).toBe(200);
    for (const p of many) expect(p).toMatch(/^nw[a-z0-9]{4}$/);
  });

  it('cali names look like a CNI host veth and fit IFNAMSIZ', () => {
    const n = caliName('default', 'a-very-long-pod-name-with-a-replicaset-hash-7f9c8d6b5-x2x9z');
    expect(n).toMatch(/^cali[0-9a-f]{11}$/);
    expect(caliName('a', 'b')).not.toBe(caliName('a', 'c'));
  });

  it('names from Kubernetes objects cannot carry paths or options', () => {
    expect(safePart('../../etc')).toBe('etc');
    expect(safePart('--help')).toBe('help');
    expect(podNetns('nwabcd', 'ns', 'a/b')).toBe('nwabcd-pod-ns-a-b');
    expect(nodeNetns('nwabcd', 'Node_1')).toBe('nwabcd-node-node-1');
  });

  it('CIDR helpers', () => {
    expect(cidrContains('10.244.1.0/24', '10.244.1.77')).toBe(true);
    expect(cidrContains('10.244.1.0/24', '10.244.2.1')).toBe(false);
    expect(vtepAddress('10.244.3.0/24')).toBe('10.244.3.0');
    expect(lanHostAddress(['10.77.0.11', '10.77.0.12'], ['10.77.0.250'])).toBe('10.77.0.249');
  });
});

describe('kube-proxy rules', () => {
  it('spreads over every endpoint with numgen and DNATs to the target port', () => {
    const { scenario } = selectorOverlap();
    const svc = scenario.services[0]!;
    const text = renderKubeProxyRuleset([{ service: svc, endpointIps: ['10.244.1.10', '10.244.1.11', '10.244.2.10'] }]);
    expect(text).toContain('numgen random mod 3 vmap { 0 : jump svc0p0e0, 1 : jump svc0p0e1, 2 : jump svc0p0e2 }');
    expect(text).toContain('ip daddr 10.96.0.40 tcp dport 80 jump svc0p0');
    expect(text).toContain('fib daddr type local tcp dport 30080 jump svc0p0np');
    expect(text).toContain('meta l4proto tcp dnat to 10.244.2.10:8080');
    expect(text).not.toContain('reject with');
  });

  it('rejects a service without endpoints', () => {
    const { scenario } = selectorOverlap();
    const text = renderKubeProxyRuleset([{ service: scenario.services[0]!, endpointIps: [] }]);
    expect(text).toContain('ip daddr 10.96.0.40 tcp dport 80 reject with icmp type port-unreachable');
    expect(text).not.toContain('numgen');
  });
});

describe('fault rules', () => {
  it('tw-recycle-nat: the NAT node SNATs its NATed clients, the server node drops SYNs whose port has bit 1 set', () => {
    const { scenario, pods } = twRecycleNat();
    const server = renderFaultRuleset(scenario, pods, 'node-1');
    expect(server).toContain('ip saddr @nat_sources tcp flags & (syn | ack) == syn tcp sport & 2 == 2 counter name paws_passive drop');
    // ordinary connect() ports are even: the rule must still hit about half of them
    expect([40000, 40001, 40002, 40003, 40004, 40006].map(twRecycleDropsPort)).toEqual([false, false, true, true, false, true]);
    expect(server).toContain('elements = { 10.77.0.12 }');
    // with the emulated sysctl set to 0 (the fix) the set is empty
    expect(renderFaultRuleset(scenario, pods, 'node-1', { twRecycleActive: false })).not.toContain('elements');
    const nat = renderFaultRuleset(scenario, pods, 'node-2');
    expect(nat).toContain('ip saddr { 10.244.2.50 } ip daddr { 10.77.0.11, 10.244.1.0/24 } snat to 10.77.0.12');
    const direct = renderFaultRuleset(scenario, pods, 'node-3');
    expect(direct).not.toContain('snat');
    expect(natAddresses(scenario, pods, { kind: 'tw-recycle-nat', node: 'node-1', natClients: ['client-nat'] })).toEqual(['10.77.0.12']);
  });

  it('externalip-conflict: the binding follows the Service spec (serviceChanged)', () => {
    const { scenario } = externalIpConflict();
    const svc = scenario.services.find((v) => v.name === 'web');
    if (svc === undefined) throw new Error('fixture has no web service');
    const all = scenario.nodes.map((n) => n.name);
    // unchanged spec: as built
    expect([...externalIpBindings(scenario, scenario.services).keys()].sort()).toEqual(all.sort());
    // address still the loadBalancerIP: still bound
    const noExt = { ...svc, externalIPs: [] };
    expect(externalIpBindings(scenario, [noExt]).size).toBe(all.length);
    // neither externalIPs nor loadBalancerIP lists it any more: kube-proxy lets it go
    const { loadBalancerIP: _lb, ...fixed } = noExt;
    expect(externalIpBindings(scenario, [fixed]).size).toBe(0);
  });

  it('externalip-conflict: every listed node binds the address; the LB owns it', () => {
    const { scenario } = externalIpConflict();
    expect([...externalIpBindings(scenario).entries()]).toEqual([
      ['node-1', ['10.77.0.100']],
      ['node-2', ['10.77.0.100']],
      ['node-3', ['10.77.0.100']],
    ]);
    expect(loadBalancerAddresses(scenario)).toEqual(['10.77.0.100']);
  });
});

describe('DNS files', () => {
  it('pods get the cluster search list plus the node domain; dnsmasq serves the corp wildcard', () => {
    const { scenario } = dnsSearchDomain();
    expect(podResolvConf(scenario)).toBe(
      '# netwiz lab resolver (written by the netns data plane)\nnameserver 10.96.0.10\n' +
        'search default.svc.cluster.local svc.cluster.local cluster.local corp.example\noptions ndots:5\n',
    );
    expect(nodeResolvConf(scenario)).toContain('search corp.example\n');
    const args = dnsmasqArgs(scenario, '10.96.0.10', '/x/pid', '/x/log');
    expect(args).toContain('--address=/corp.example/10.88.0.5');
    expect(args).toContain('--local=/corp.example/');
    expect(args).toContain('--host-record=config.default.svc.cluster.local,10.96.0.60');
    expect(args).toContain('--no-resolv');
  });
});

describe('emulated sysctls', () => {
  it('keys this kernel lacks are emulated; per-netns keys are set for real', () => {
    const node = twRecycleNat().scenario.nodes[0]!;
    const { real, emulated } = splitSysctls(node);
    expect(emulated).toEqual({ 'net.ipv4.tcp_tw_recycle': '1' });
    expect(real).toEqual({ 'net.ipv4.tcp_timestamps': '1' });
  });
});

describe('ledger', () => {
  it('live entries: created minus removed, a re-created object is live again', () => {
    const e: LedgerEntry[] = [
      { t: 'lab', prefix: 'nwx', stateDir: '/s', scenario: 'x', at: '' },
      { t: 'netns', name: 'nwx-a' },
      { t: 'netns', name: 'nwx-b' },
      { t: 'removed', key: 'netns:nwx-a' },
      { t: 'pid', pid: 42, cmdline: ['node'], what: 'app' },
      { t: 'removed', key: 'netns:nwx-b' },
      { t: 'netns', name: 'nwx-b' },
    ];
    expect(liveEntries(e)).toEqual([
      { t: 'pid', pid: 42, cmdline: ['node'], what: 'app' },
      { t: 'netns', name: 'nwx-b' },
    ]);
  });
});
