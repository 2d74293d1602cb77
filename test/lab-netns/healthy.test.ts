// The healthy baseline: every path works, so a diagnosis must conclude "healthy".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetnsDataPlane } from '../../src/lab/netns/index.js';
import { healthy } from '../fixtures/lab-netns/scenarios.js';
import { curlArgs, inPod, podOf } from './helpers.js';

const built = healthy();
const client = podOf(built, 'client');
let dp: NetnsDataPlane;

beforeAll(async () => {
  dp = new NetnsDataPlane();
  await dp.up(built.scenario, built.pods);
});

afterAll(async () => {
  await dp?.down();
  console.log(`[lab-netns] healthy: up ${dp.timings.upMs} ms, down ${dp.timings.downMs} ms`);
});

describe('healthy', () => {
  it('20 requests through the ClusterIP, by name, all succeed, big bodies included', async () => {
    const codes = await Promise.all(
      Array.from({ length: 20 }, (_, i) => inPod(dp, client, curlArgs(`http://web/${i % 2 === 0 ? 'api/big' : ''}`))),
    );
    expect(codes.map((c) => `${c.exitCode}:${c.stdout}`)).toEqual(Array.from({ length: 20 }, () => '0:200'));
  });

  it('DF pings of 1400 bytes pass across nodes (tunnel 1450 under NIC 1500)', async () => {
    const r = await inPod(dp, client, ['ping', '-M', 'do', '-s', '1400', '-c', '2', '-i', '0.2', '-W', '1', podOf(built, 'web-1').ip]);
    expect(r.exitCode).toBe(0);
  });

  it('pods reach nothing outside the lab: there is no route out', async () => {
    const r = await inPod(dp, client, ['ip', 'route', 'get', '192.0.2.1']);
    // the pod's default goes to its node, and the node has no default route
    const node = await inPod(dp, { ...client, hostNetwork: true }, ['ip', 'route', 'get', '192.0.2.1']);
    expect(r.exitCode).toBe(0);
    expect(node.exitCode).not.toBe(0);
    expect(node.stderr).toMatch(/unreachable/i);
  });
});
