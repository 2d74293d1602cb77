import { describe, expect, it } from 'vitest';
import { fixture, parseLab, parseOk, run } from './fixtures.js';
import { CURL_WRITE_OUT, classifyCurl } from '../../src/parsers/index.js';

describe('curl', () => {
  it('CURL_WRITE_OUT is the format the fixtures were captured with', () => {
    expect(CURL_WRITE_OUT).toContain('exitcode=%{exitcode} err=%{errormsg}');
    expect(CURL_WRITE_OUT.startsWith('netwiz-curl ')).toBe(true);
  });

  it.each([
    ['curl-ok.txt', { kind: 'ok', ok: true, code: 200, size: 12, ip: '10.199.0.2', port: 8080, exitcode: 0 }],
    ['curl-http-500.txt', { kind: 'http-error', ok: false, code: 500 }],
    ['curl-refused-7.txt', { kind: 'refused', exitcode: 7, code: 0, ip: '', port: null }],
    ['curl-no-route-7.txt', { kind: 'no-route', exitcode: 7 }],
    ['curl-timeout-28.txt', { kind: 'timeout', exitcode: 28, partial: false }],
    ['curl-timeout-28-no-arp.txt', { kind: 'timeout', exitcode: 28 }],
    ['curl-empty-reply-52.txt', { kind: 'empty-reply', exitcode: 52 }],
    ['curl-recv-reset-56.txt', { kind: 'reset', exitcode: 56, code: 200, partial: true }],
    ['curl-dns-6.txt', { kind: 'dns', exitcode: 6, error: 'Could not resolve host: nothere.cluster.local' }],
  ])('classifies %s', (file, expected) => {
    expect(parseLab('curl', file)).toMatchObject(expected);
  });

  it('incident 000: the three curl (7) errors from stderr', () => {
    const lines = fixture('incidents/000-curl-errors.txt').trim().split('\n');
    const kinds = lines.map((l) => parseOk('curl', '', { stderr: l, exitCode: 7 }).kind);
    expect(kinds).toEqual(['timeout', 'refused', 'no-route']);
  });

  it('headers then a timeout is a partial transfer (the big-response loss of incident 004)', () => {
    expect(classifyCurl(28, 200, 'Operation timed out after 3000 milliseconds with 1448 out of 20000 bytes received', 3)).toBe('timeout');
    const f = parseOk('curl', 'netwiz-curl code=200 size=1448 time=3.001 connect=0.001 ip=10.0.0.5 port=80 exitcode=28 err=Operation timed out after 3000 milliseconds with 1448 out of 20000 bytes received\n', { exitCode: 28 });
    expect(f).toMatchObject({ kind: 'timeout', partial: true, code: 200 });
  });

  it('body before the -w line is ignored; no -w line and no error is a failure', () => {
    expect(parseOk('curl', '<html>hi</html>netwiz-curl code=200 size=15 time=0.01 connect=0.001 ip=10.0.0.1 port=80 exitcode=0 err=\n').kind).toBe('ok');
    expect(run('curl', '<html>hi</html>')).toMatchObject({ ok: false });
  });
});

describe('curl-probe', () => {
  it('mixed tries: histogram, intermittency, dominant failure', () => {
    const f = parseLab('curl-probe', 'curl-probe-mixed.txt');
    expect(f).toMatchObject({ tries: 12, ok_count: 6, fail_count: 6, fail_pct: 50, intermittent: true, all_failed: false, partial_count: 2 });
    expect(f.kinds).toEqual({ ok: 6, 'http-error': 0, dns: 0, refused: 2, 'no-route': 0, timeout: 2, 'empty-reply': 0, reset: 2, other: 0 });
    expect(f.failure_kinds).toEqual(['refused', 'timeout', 'reset']);
    expect(['refused', 'timeout', 'reset']).toContain(f.dominant_failure);
    expect(f.remote_ips).toEqual(['10.199.0.2']);
  });

  it('all ok', () => {
    expect(parseLab('curl-probe', 'curl-probe-all-ok.txt')).toMatchObject({ tries: 10, ok_count: 10, all_ok: true, intermittent: false, dominant_failure: '' });
  });
});

describe('arping', () => {
  it('one owner, no owner, two owners', () => {
    expect(parseLab('arping', 'arping-one-mac.txt')).toMatchObject({ target: '10.199.0.2', sent: 2, received: 2, macs: ['4a:7f:c5:78:d2:d7'], duplicate: false });
    expect(parseLab('arping', 'arping-no-reply.txt')).toMatchObject({ received: 0, answered: false, mac_count: 0 });
    expect(parseLab('arping', 'arping-duplicate-macs.txt')).toMatchObject({ mac_count: 2, duplicate: true, macs: ['be:ae:63:c3:ca:ca', 'fa:44:a1:72:94:6f'] });
    expect(run('arping', 'arping: invalid option -- z')).toMatchObject({ ok: false });
  });
});

describe('curl-probe per target (URL glob over endpoint IPs)', () => {
  it('names the backend that always fails, even though failed connects have no remote_ip', () => {
    const f = parseLab('curl-probe', 'curl-probe-per-endpoint.txt');
    expect(f).toMatchObject({
      tries: 9,
      ok_count: 6,
      targets: ['10.199.0.2', '10.199.12.2', '10.199.1.2'],
      always_failing_targets: ['10.199.12.2'],
      never_failing_targets: ['10.199.0.2', '10.199.1.2'],
      flaky_targets: [],
    });
    expect((f.by_target as Record<string, unknown>)['10.199.12.2']).toEqual({ tries: 3, ok: 0, fail: 3, kinds: { refused: 3 } });
    expect(parseLab('curl-probe', 'curl-probe-single-glob.txt')).toMatchObject({ tries: 2, never_failing_targets: ['10.199.0.2'] });
  });

  it('without url= (older captures) the remote ip is the target', () => {
    expect(parseLab('curl-probe', 'curl-probe-mixed.txt').flaky_targets).toEqual(['10.199.0.2']);
  });

  it('endpoint and pod lists give the glob', () => {
    expect(parseOk('kubectl-endpoints', fixture('kubectl/endpoints-selector-overlap-000.json')).ips_glob).toBe('{10.244.1.11,10.244.2.12,10.244.1.21,10.244.2.22}');
    expect(parseOk('kubectl-pods', fixture('kubectl/pods-selector-overlap-000.json')).ips_glob).toBe('{10.244.1.11,10.244.2.12,10.244.1.21,10.244.2.22}');
  });
});
