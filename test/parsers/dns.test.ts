import { describe, expect, it } from 'vitest';
import { fixture, parseLab, parseOk, run } from './fixtures.js';

describe('dig', () => {
  it('full output: NOERROR with the answer', () => {
    expect(parseLab('dig', 'dig-full-noerror.txt')).toMatchObject({
      format: 'full',
      status: 'NOERROR',
      addresses: ['10.199.5.5'],
      question: 'api.default.svc.cluster.local',
      answered_name: 'api.default.svc.cluster.local',
      server: '10.199.0.2#53(10.199.0.2)',
      query_time_ms: 0,
      resolved: true,
    });
  });

  it('NXDOMAIN, REFUSED and an unreachable server', () => {
    expect(parseLab('dig', 'dig-full-nxdomain.txt')).toMatchObject({ status: 'NXDOMAIN', resolved: false, answer_count: 0 });
    expect(parseLab('dig', 'dig-full-refused.txt')).toMatchObject({ status: 'REFUSED', resolved: false });
    expect(parseLab('dig', 'dig-unreachable.txt')).toMatchObject({ status: 'UNREACHABLE', resolved: false });
  });

  it('+short output', () => {
    expect(parseLab('dig', 'dig-short.txt')).toMatchObject({ format: 'short', addresses: ['10.199.5.5'], resolved: true });
    expect(parseLab('dig', 'dig-short-empty.txt')).toMatchObject({ format: 'short', status: 'NOANSWER', resolved: false });
    expect(run('dig', 'this is not dig output at all!')).toMatchObject({ ok: false });
  });

  it('+search shows which suffix answered', () => {
    expect(parseLab('dig', 'dig-search.txt')).toMatchObject({ question: 'api.default.svc.cluster.local', resolved: true });
  });
});

describe('getent-hosts', () => {
  it('shows the search suffix that turned an external name into a corp host', () => {
    expect(parseLab('getent-hosts', 'getent-hosts-search-hijack.txt')).toMatchObject({
      found: true,
      addresses: ['10.199.7.7'],
      canonical_name: 'registry.example.org.corp.example',
    });
    expect(parseLab('getent-hosts', 'getent-hosts-api.txt')).toMatchObject({ canonical_name: 'api.default.svc.cluster.local', first_address: '10.199.5.5' });
  });

  it('exit 2 with no output is "not found"', () => {
    expect(parseLab('getent-hosts', 'getent-hosts-not-found.txt')).toMatchObject({ found: false, addresses: [] });
    expect(run('getent-hosts', 'no such thing here')).toMatchObject({ ok: false });
  });
});

describe('resolv-conf', () => {
  it('a pod whose search list carries a corp domain', () => {
    expect(parseLab('resolv-conf', 'resolv-conf-pod-corp-search.txt')).toMatchObject({
      nameservers: ['10.199.0.2'],
      search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'],
      ndots: 5,
      cluster_domain: 'cluster.local',
      non_cluster_search: ['corp.example'],
      has_non_cluster_search: true,
    });
  });

  it('incident 002 after the fix: search commented out', () => {
    expect(parseOk('resolv-conf', fixture('incidents/002-resolv-conf.txt'))).toMatchObject({
      nameservers: ['8.8.8.8'],
      search: [],
      ndots: 1,
      has_non_cluster_search: false,
      commented_search: ['guoyutec.com'],
    });
    expect(parseOk('resolv-conf', 'search guoyutec.com\nnameserver 8.8.8.8\n')).toMatchObject({ non_cluster_search: ['guoyutec.com'] });
  });
});
