// Incident 004 on the wire: NIC MTU 1450 under a 1440 tunnel. Big packets die between
// nodes without any "Frag needed", small ones pass, and everything works on one node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsDataPlane } from '../../src/lab/netns/index.js';
import { overlayMtu } from '../fixtures/lab-netns/scenarios.js';
import { curlArgs, inPod, podOf, startCapture } from './helpers.js';

const built = overlayMtu();
const client = podOf(built, 'client');
const across = podOf(built, 'api-0'); // node-2
const sameNode = podOf(built, 'api-1'); // node-1, like the client
let dp: NetnsDataPlane;

beforeAll(async () => {
  dp = new NetnsDataPlane();
  await dp.up(built.scenario, built.pods);
});

afterAll(async () => {
  await dp?.down();
  console.log(`[lab-netns] overlay-mtu: up ${dp.timings.upMs} ms, down ${dp.timings.downMs} ms`);
});

const dfPing = (size: number, ip: string) => ['ping', '-M', 'do', '-s', String(size), '-c', '2', '-i', '0.2', '-W', '1', ip];

describe('overlay-mtu (incident 004)', () => {
  it('DF ping of 1400 bytes across nodes fails silently while 1300 passes', async () => {
    await dp.flushRouteCaches();
    const big = await inPod(dp, client, dfPing(1400, across.ip));
    expect(big.exitCode).toBe(1);
    expect(big.stdout).toContain('100% packet loss');
    expect(big.stdout + big.stderr).not.toMatch(/frag needed|message too long/i);
    const small = await inPod(dp, client, dfPing(1300, across.ip));
    expect(small.exitCode).toBe(0);
    expect(small.stdout).toContain(' 0% packet loss');
  });

  it('both sizes pass between pods on one node', async () => {
    await dp.flushRouteCaches();
    for (const size of [1300, 1400]) {
      const r = await inPod(dp, client, dfPing(size, sameNode.ip));
      expect(r.exitCode, `size ${size}: ${r.stdout}`).toBe(0);
    }
  });

  it('tcpdump sees the big packet on the sending node tunnel but not on its NIC', async () => {
    await dp.flushRouteCaches();
    const nodeNs = dp.nodeNs(client.node);
    const tunnel = await startCapture(nodeNs, 'vxlan.calico', ['icmp', 'and', 'greater', '1400']);
    const nic = await startCapture(nodeNs, 'eth0', ['udp', 'port', '4789', 'and', 'greater', '1400']);
    await inPod(dp, client, dfPing(1400, across.ip));
    const onTunnel = await tunnel.stop();
    const onNic = await nic.stop();
    expect(onTunnel.some((l) => l.includes(`${client.ip} > ${across.ip}: ICMP echo request`))).toBe(true);
    expect(onNic).toEqual([]);
  });

  it('a big HTTP response across nodes gets headers and then stalls; the same node serves it', async () => {
    await dp.flushRouteCaches();
    const far = await inPod(dp, client, curlArgs(`http://${across.ip}:8080/api/big`, [], 3));
    expect(far.exitCode).toBe(28); // timed out after the small packets got through
    expect(far.stdout).toBe('200');
    const near = await inPod(dp, client, curlArgs(`http://${sameNode.ip}:8080/api/big`, [], 3));
    expect(near.exitCode).toBe(0);
    expect(near.stdout).toBe('200');
    // small responses cross nodes fine: "some pages load, some don't"
    const smallFar = await inPod(dp, client, curlArgs(`http://${across.ip}:8080/healthz`, [], 3));
    expect(smallFar.exitCode).toBe(0);
    expect(smallFar.stdout).toBe('200');
  });

  it('moving the server pod onto the client node re-plumbs it and the big response gets through', async () => {
    await dp.podRemoved(across);
    const moved = { ...across, node: client.node, ip: '10.244.1.20' };
    await dp.podAdded(moved);
    const r = await inPod(dp, client, curlArgs(`http://${moved.ip}:8080/api/big`, [], 3));
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('200');
    // and back across nodes: the fault returns
    await dp.podRemoved(moved);
    await dp.podAdded(across);
    const back = await inPod(dp, client, curlArgs(`http://${across.ip}:8080/api/big`, [], 3));
    expect(back.exitCode).toBe(28);
  });
});
