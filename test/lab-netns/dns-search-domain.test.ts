// Incident 002 (a) on the wire: the node's corp search domain is appended to pods' search
// lists; with ndots:5 a short name (and even a dotted one) resolves to the other cluster.
import { describe, expect, it } from 'vitest';
import { dnsSearchDomain, nodePod } from '../fixtures/lab-netns/scenarios.js';
import { inPod, netnsLabForFile, podOf } from './helpers.js';

const built = dnsSearchDomain();
const client = podOf(built, 'client');
const WRONG = '10.88.0.5';
const netns = netnsLabForFile(built);

const resolve = (name: string) => ['getent', 'ahostsv4', name];

describe('dns-search-domain (incident 002)', () => {
  it("the pod's resolv.conf carries the cluster search list, the node's corp domain and ndots:5", async () => {
    const r = await inPod(netns.dp, client, ['cat', '/etc/resolv.conf']);
    expect(r.stdout).toContain('search default.svc.cluster.local svc.cluster.local cluster.local corp.example');
    expect(r.stdout).toContain('options ndots:5');
    expect(r.stdout).toContain('nameserver 10.96.0.10');
  });

  it('a short name that is no Service resolves to the other cluster\'s address', async () => {
    const r = await inPod(netns.dp, client, resolve('mysql'));
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split(/\s+/)[0]).toBe(WRONG);
  });

  it('with ndots:5 even registry.example.org goes to the corp wildcard; the absolute name does not', async () => {
    const rel = await inPod(netns.dp, client, resolve('registry.example.org'));
    expect(rel.stdout.split(/\s+/)[0]).toBe(WRONG);
    const abs = await inPod(netns.dp, client, resolve('registry.example.org.'));
    expect(abs.stdout.split(/\s+/)[0]).toBe('10.77.0.200');
  });

  it('a Service name still resolves to its ClusterIP (first search domain wins)', async () => {
    const r = await inPod(netns.dp, client, resolve('config'));
    expect(r.stdout.split(/\s+/)[0]).toBe('10.96.0.60');
  });

  it('dig +search from the node shows the corp answer too', async () => {
    const node = nodePod('node-2', '10.77.0.12');
    await netns.dp.podAdded(node);
    const r = await inPod(netns.dp, node, ['dig', '+search', '+short', '+time=1', '+tries=1', 'mysql']);
    expect(r.stdout.trim()).toBe(WRONG);
    await netns.dp.podRemoved(node);
  });
});
