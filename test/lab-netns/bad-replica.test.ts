// One replica of three answers 500: the same pod IP always fails, the others never do,
// and through the Service some requests fail.
import { describe, expect, it } from 'vitest';
import { badReplica } from '../fixtures/lab-netns/scenarios.js';
import { curlArgs, inPod, netnsLabForFile, podOf } from './helpers.js';

const built = badReplica();
const client = podOf(built, 'client');
const netns = netnsLabForFile(built);

describe('bad-replica', () => {
  it('one pod IP always answers 500, the others always 200', async () => {
    for (const name of ['web-0', 'web-1', 'web-2']) {
      const ip = podOf(built, name).ip;
      const codes = await Promise.all([1, 2, 3].map(() => inPod(netns.dp, client, curlArgs(`http://${ip}:8080/healthz`))));
      const expected = name === 'web-1' ? '500' : '200';
      expect(codes.map((c) => c.stdout), name).toEqual([expected, expected, expected]);
    }
  });

  it('through the Service some of 30 requests get 500', async () => {
    // one endpoint in three is broken: 30 tries all missing it has odds of 5 in a million
    const codes = await Promise.all(Array.from({ length: 30 }, () => inPod(netns.dp, client, curlArgs('http://10.96.0.80/healthz'))));
    const out = codes.map((c) => c.stdout);
    expect(out.filter((c) => c === '500').length).toBeGreaterThan(0);
    expect(out.filter((c) => c === '200').length).toBeGreaterThan(0);
    expect(out.every((c) => c === '200' || c === '500')).toBe(true);
  });
});
