import { describe, expect, it } from 'vitest';
import { getParser, parsers } from '../../src/parsers/index.js';

const EXPECTED = [
  'json', 'lines', 'kubectl-json', 'kubectl-list', 'kubectl-pods', 'kubectl-service', 'kubectl-services', 'kubectl-endpoints',
  'kubectl-endpointslices', 'kubectl-deployment', 'kubectl-nodes', 'kubectl-config', 'ip-link', 'ip-addr', 'ip-neigh', 'ping',
  'tracepath', 'dig', 'getent-hosts', 'resolv-conf', 'sysctl', 'netstat', 'tcpdump', 'curl', 'curl-probe', 'arping', 'uname', 'hop-capture',
];

describe('parser registry', () => {
  it('registers every parser under its own name, with description and fields', () => {
    expect([...parsers.keys()].sort()).toEqual([...EXPECTED].sort());
    for (const name of EXPECTED) {
      const p = getParser(name);
      expect(p?.name).toBe(name);
      expect(p?.description.length).toBeGreaterThan(10);
      expect(p?.fields.length).toBeGreaterThan(0);
      expect(new Set(p?.fields).size).toBe(p?.fields.length);
    }
    expect(getParser('nope')).toBeUndefined();
  });

  it('fills every declared field, null when the output did not say', () => {
    const out = getParser('ping')!.parse({ stdout: 'PING 10.0.0.1 (10.0.0.1) 56(84) bytes of data.\n', stderr: '', exitCode: null });
    expect(out.ok).toBe(true);
    if (out.ok) {
      expect(out.fields.rtt_avg).toBeNull();
      expect(Object.keys(out.fields).sort()).toEqual([...getParser('ping')!.fields].sort());
    }
  });
});
