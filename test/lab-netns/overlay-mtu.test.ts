// Incident 004 on the wire: NIC MTU 1450 under a 1440 tunnel. Big packets die between
// nodes without any "Frag needed", small ones pass, and everything works on one node.
import { describe, expect, it } from 'vitest';
import { overlayMtu } from '../fixtures/lab-netns/scenarios.js';
import { curlArgs, inPod, netnsLabForFile, podOf, startCapture } from './helpers.js';

const built = overlayMtu();
const client = podOf(built, 'client');
const across = podOf(built, 'api-0'); // node-2
const sameNode = podOf(built, 'api-1'); // node-1, like the client
const netns = netnsLabForFile(built);

const dfPing = (size: number, ip: string) => ['ping', '-M', 'do', '-s', String(size), '-c', '2', '-i', '0.2', '-W', '1', ip];

describe('overlay-mtu (incident 004)', () => {
  it('DF ping of 1400 bytes across nodes fails silently while 1300 passes', async () => {
    await netns.dp.flushRouteCaches();
    const big = await inPod(netns.dp, client, dfPing(1400, across.ip));
    expect(big.exitCode).toBe(1);
    expect(big.stdout).toContain('100% packet loss');
    expect(big.stdout + big.stderr).not.toMatch(/frag needed|message too long/i);
    const small = await inPod(netns.dp, client, dfPing(1300, across.ip));
    expect(small.exitCode).toBe(0);
    expect(small.stdout).toContain(' 0% packet loss');
  });

  it('both sizes pass between pods on one node', async () => {
    await netns.dp.flushRouteCaches();
    for (const size of [1300, 1400]) {
      const r = await inPod(netns.dp, client, dfPing(size, sameNode.ip));
      expect(r.exitCode, `size ${size}: ${r.stdout}`).toBe(0);
    }
  });

  it('tcpdump sees the big packet on the sending node tunnel but not on its NIC', async () => {
    await netns.dp.flushRouteCaches();
    const nodeNs = netns.dp.nodeNs(client.node);
    const tunnel = await startCapture(nodeNs, 'vxlan.calico', ['icmp', 'and', 'greater', '1400']);
    const nic = await startCapture(nodeNs, 'eth0', ['udp', 'port', '4789', 'and', 'greater', '1400']);
    await inPod(netns.dp, client, dfPing(1400, across.ip));
    const onTunnel = await tunnel.stop();
    const onNic = await nic.stop();
    expect(onTunnel.some((l) => l.includes(`${client.ip} > ${across.ip}: ICMP echo request`))).toBe(true);
    expect(onNic).toEqual([]);
  });

  it('a big HTTP response across nodes gets headers and then stalls; the same node serves it', async () => {
    await netns.dp.flushRouteCaches();
    const far = await inPod(netns.dp, client, curlArgs(`http://${across.ip}:8080/api/big`, [], 3));
    expect(far.exitCode).toBe(28); // timed out after the small packets got through
    expect(far.stdout).toBe('200');
    const near = await inPod(netns.dp, client, curlArgs(`http://${sameNode.ip}:8080/api/big`, [], 3));
    expect(near.exitCode).toBe(0);
    expect(near.stdout).toBe('200');
    // small responses cross nodes fine: "some pages load, some don't"
    const smallFar = await inPod(netns.dp, client, curlArgs(`http://${across.ip}:8080/healthz`, [], 3));
    expect(smallFar.exitCode).toBe(0);
    expect(smallFar.stdout).toBe('200');
  });

  it('moving the server pod onto the client node re-plumbs it and the big response gets through', async () => {
    await netns.dp.podRemoved(across);
    const moved = { ...across, node: client.node, ip: '10.244.1.20' };
    await netns.dp.podAdded(moved);
    const r = await inPod(netns.dp, client, curlArgs(`http://${moved.ip}:8080/api/big`, [], 3));
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('200');
    // and back across nodes: the fault returns
    await netns.dp.podRemoved(moved);
    await netns.dp.podAdded(across);
    const back = await inPod(netns.dp, client, curlArgs(`http://${across.ip}:8080/api/big`, [], 3));
    expect(back.exitCode).toBe(28);
  });
});
