// Incident 003 on the wire: the LB's own address is an externalIP; IPVS-mode kube-proxy
// binds it on kube-ipvs0 of every node, so several MACs answer ARP for it and connects
// that land on a node without the listener get RST. Strict ARP is the fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsDataPlane } from '../../src/lab/netns/index.js';
import { externalIpConflict } from '../fixtures/lab-netns/scenarios.js';
import { curlArgs, runPlan } from './helpers.js';

const built = externalIpConflict();
const VIP = '10.77.0.100';
let dp: NetnsDataPlane;

beforeAll(async () => {
  dp = new NetnsDataPlane();
  await dp.up(built.scenario, built.pods);
});

afterAll(async () => {
  await dp?.down();
  console.log(`[lab-netns] externalip-conflict: up ${dp.timings.upMs} ms, down ${dp.timings.downMs} ms`);
});

function macsOf(arpingOut: string): string[] {
  const macs = [...arpingOut.matchAll(/\[([0-9a-f:]{17})\]/gi)].map((m) => (m[1] ?? '').toLowerCase());
  return [...new Set(macs)].sort();
}

async function nodeMac(node: string): Promise<string> {
  const r = await runPlan(dp.nodeExecPlan(node, ['cat', '/sys/class/net/eth0/address']));
  return r.stdout.trim();
}

async function lbMac(): Promise<string> {
  return (await runPlan(dp.lbExecPlan(['cat', '/sys/class/net/eth0/address']))).stdout.trim();
}

describe('externalip-conflict (incident 003)', () => {
  it('more than one MAC answers ARP for the address', async () => {
    const r = await runPlan(dp.lanExecPlan(['arping', '-c', '2', '-w', '3', '-I', 'br0', VIP]));
    const macs = macsOf(r.stdout);
    expect(macs.length).toBeGreaterThan(1);
    const known = [...(await Promise.all(built.scenario.nodes.map((n) => nodeMac(n.name)))), await lbMac()];
    for (const m of macs) expect(known).toContain(m);
    expect(macs).toContain(await lbMac());
  });

  it('the address shows on kube-ipvs0 with `ip addr` on a node that got it from kube-proxy', async () => {
    const r = await runPlan(dp.nodeExecPlan('node-2', ['ip', '-o', 'addr', 'show', 'dev', 'kube-ipvs0']));
    expect(r.stdout).toContain(`${VIP}/32`);
  });

  it('a connect that reaches the load balancer succeeds; one that lands on a node gets RST', async () => {
    const [owner, other] = await Promise.all([lbMac(), nodeMac('node-2')]);
    const pin = async (mac: string) =>
      runPlan(dp.lanExecPlan(['ip', 'neigh', 'replace', VIP, 'lladdr', mac, 'dev', 'br0', 'nud', 'permanent']));
    await pin(owner);
    const ok = await runPlan(dp.lanExecPlan(curlArgs(`http://${VIP}:6443/`)));
    expect(ok.exitCode).toBe(0);
    await pin(other);
    const refused = await runPlan(dp.lanExecPlan(curlArgs(`http://${VIP}:6443/`)));
    expect(refused.exitCode).toBe(7);
    await runPlan(dp.lanExecPlan(['ip', 'neigh', 'del', VIP, 'dev', 'br0']));
  });

  it('strict ARP on the nodes (the fix) leaves one MAC: the load balancer', async () => {
    for (const n of built.scenario.nodes) {
      const r = await runPlan(
        dp.nodeExecPlan(n.name, ['sysctl', '-q', '-w', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2']),
      );
      expect(r.exitCode).toBe(0);
    }
    const r = await runPlan(dp.lanExecPlan(['arping', '-c', '2', '-w', '3', '-I', 'br0', VIP]));
    expect(macsOf(r.stdout)).toEqual([await lbMac()]);
  });
});
