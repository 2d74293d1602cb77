// Incident 003 on the wire: the LB's own address is an externalIP; IPVS-mode kube-proxy
// binds it on kube-ipvs0 of every node, so several MACs answer ARP for it and connects
// that land on a node without the listener get RST. Strict ARP is the fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NetnsDataPlane } from '../../src/lab/netns/index.js';
import { externalIpConflict } from '../fixtures/lab-netns/scenarios.js';
import { startLab, type TestLab } from '../helpers/lab.js';
import { curlArgs, netnsLabForFile, runPlan } from './helpers.js';

const built = externalIpConflict();
const VIP = '10.77.0.100';
const netns = netnsLabForFile(built);

function macsOf(arpingOut: string): string[] {
  const macs = [...arpingOut.matchAll(/\[([0-9a-f:]{17})\]/gi)].map((m) => (m[1] ?? '').toLowerCase());
  return [...new Set(macs)].sort();
}

async function nodeMac(node: string): Promise<string> {
  const r = await runPlan(netns.dp.nodeExecPlan(node, ['cat', '/sys/class/net/eth0/address']));
  return r.stdout.trim();
}

async function lbMac(): Promise<string> {
  return (await runPlan(netns.dp.lbExecPlan(['cat', '/sys/class/net/eth0/address']))).stdout.trim();
}

describe('externalip-conflict (incident 003)', () => {
  it('more than one MAC answers ARP for the address', async () => {
    const r = await runPlan(netns.dp.lanExecPlan(['arping', '-c', '2', '-w', '3', '-I', 'br0', VIP]));
    const macs = macsOf(r.stdout);
    expect(macs.length).toBeGreaterThan(1);
    const known = [...(await Promise.all(built.scenario.nodes.map((n) => nodeMac(n.name)))), await lbMac()];
    for (const m of macs) expect(known).toContain(m);
    expect(macs).toContain(await lbMac());
  });

  it('the address shows on kube-ipvs0 with `ip addr` on a node that got it from kube-proxy', async () => {
    const r = await runPlan(netns.dp.nodeExecPlan('node-2', ['ip', '-o', 'addr', 'show', 'dev', 'kube-ipvs0']));
    expect(r.stdout).toContain(`${VIP}/32`);
  });

  it('a connect that reaches the load balancer succeeds; one that lands on a node gets RST', async () => {
    const [owner, other] = await Promise.all([lbMac(), nodeMac('node-2')]);
    const pin = async (mac: string) =>
      runPlan(netns.dp.lanExecPlan(['ip', 'neigh', 'replace', VIP, 'lladdr', mac, 'dev', 'br0', 'nud', 'permanent']));
    await pin(owner);
    const ok = await runPlan(netns.dp.lanExecPlan(curlArgs(`http://${VIP}:6443/`)));
    expect(ok.exitCode).toBe(0);
    await pin(other);
    const refused = await runPlan(netns.dp.lanExecPlan(curlArgs(`http://${VIP}:6443/`)));
    expect(refused.exitCode).toBe(7);
    await runPlan(netns.dp.lanExecPlan(['ip', 'neigh', 'del', VIP, 'dev', 'br0']));
  });

  it('strict ARP on the nodes (the fix) leaves one MAC: the load balancer', async () => {
    for (const n of built.scenario.nodes) {
      const r = await runPlan(
        netns.dp.nodeExecPlan(n.name, ['sysctl', '-q', '-w', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2']),
      );
      expect(r.exitCode).toBe(0);
    }
    const r = await runPlan(netns.dp.lanExecPlan(['arping', '-c', '2', '-w', '3', '-I', 'br0', VIP]));
    expect(macsOf(r.stdout)).toEqual([await lbMac()]);
  });
});

// Incident 003's fix through the lab server: removing the LB's address from the Service's
// externalIPs with real kubectl reaches the data plane (serviceChanged), which takes the
// address off every node's kube-ipvs0 and out of the kube-proxy rules, so only the load
// balancer answers ARP. Putting it back brings the conflict back.
describe('externalip-conflict.yaml: kubectl patch of the Service takes effect on the wire', () => {
  const ADDR = '10.77.0.250';
  let lab: TestLab;
  let plane: NetnsDataPlane;

  beforeAll(async () => {
    lab = await startLab('externalip-conflict', { dataPlane: 'netns' });
    plane = lab.dataPlane as NetnsDataPlane;
  });

  afterAll(async () => {
    await lab?.stop();
  });

  const arpMacs = async () => macsOf((await runPlan(plane.lanExecPlan(['arping', '-c', '2', '-w', '3', '-I', 'br0', ADDR]))).stdout);
  const lbEth0 = async () => (await runPlan(plane.lbExecPlan(['cat', '/sys/class/net/eth0/address']))).stdout.trim();
  const onNodes = async (argv: string[]) =>
    Promise.all(lab.scenario.nodes.map(async (n) => (await runPlan(plane.nodeExecPlan(n.name, argv))).stdout));

  it('removing the externalIP leaves one MAC for the address (the LB); adding it back restores the conflict', async () => {
    const lb = await lbEth0();
    const before = await arpMacs();
    expect(before.length).toBeGreaterThan(1);
    expect(before).toContain(lb);

    const rm = await lab.kubectl(['patch', 'svc', 'ks-apiserver', '--type=json', '-p', '[{"op":"remove","path":"/spec/externalIPs/0"}]']);
    expect(rm.exitCode, rm.stderr).toBe(0);
    await lab.server.cluster.settle();
    const svc = JSON.parse((await lab.kubectl(['get', 'svc', 'ks-apiserver', '-o', 'json'])).stdout);
    expect(svc.spec.externalIPs ?? []).toEqual([]);
    for (const out of await onNodes(['ip', '-o', 'addr', 'show', 'dev', 'kube-ipvs0'])) expect(out).not.toContain(ADDR);
    for (const out of await onNodes(['nft', 'list', 'table', 'ip', 'netwiz-kube-proxy'])) {
      expect(out).not.toContain(ADDR);
      expect(out).toContain('10.96.7.171'); // the ClusterIP still goes to the backend
    }
    expect(await arpMacs()).toEqual([lb]);
    // the LB itself is reachable from the LAN again
    expect((await runPlan(plane.lanExecPlan(curlArgs(`http://${ADDR}:6443/`)))).exitCode).toBe(0);

    const add = await lab.kubectl(['patch', 'svc', 'ks-apiserver', '--type=merge', '-p', JSON.stringify({ spec: { externalIPs: [ADDR] } })]);
    expect(add.exitCode, add.stderr).toBe(0);
    await lab.server.cluster.settle();
    for (const out of await onNodes(['ip', '-o', 'addr', 'show', 'dev', 'kube-ipvs0'])) expect(out).toContain(`${ADDR}/32`);
    expect((await arpMacs()).length).toBeGreaterThan(1);
  });
});
