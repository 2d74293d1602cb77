// The healthy baseline: every path works, so a diagnosis must conclude "healthy".
import { describe, expect, it } from 'vitest';
import { healthy } from '../fixtures/lab-netns/scenarios.js';
import { curlArgs, inPod, netnsLabForFile, podOf } from './helpers.js';

const built = healthy();
const client = podOf(built, 'client');
const netns = netnsLabForFile(built);

describe('healthy', () => {
  it('20 requests through the ClusterIP, by name, all succeed, big bodies included', async () => {
    const codes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => inPod(netns.dp, client, curlArgs(`http://web/${i % 2 === 0 ? 'api/big' : ''}`))),
    );
    expect(codes.map((c) => `${c.exitCode}:${c.stdout}`)).toEqual(Array.from({ length: 20 }, () => '0:200'));
  });

  it('DF pings of 1400 bytes pass across nodes (tunnel 1450 under NIC 1500)', async () => {
    const r = await inPod(netns.dp, client, ['ping', '-M', 'do', '-s', '1400', '-c', '2', '-i', '0.2', '-W', '1', podOf(built, 'web-1').ip]);
    expect(r.exitCode).toBe(0);
  });

  it('pods reach nothing outside the lab: there is no route out', async () => {
    const r = await inPod(netns.dp, client, ['ip', 'route', 'get', '192.0.2.1']);
    // the pod's default goes to its node, and the node has no default route
    const node = await inPod(netns.dp, { ...client, hostNetwork: true }, ['ip', 'route', 'get', '192.0.2.1']);
    expect(r.exitCode).toBe(0);
    expect(node.exitCode).not.toBe(0);
    expect(node.stderr).toMatch(/unreachable/i);
  });
});
