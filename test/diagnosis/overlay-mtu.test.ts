import { describe, expect, it } from 'vitest';
import { diagnosisForFile, otherCausesNotSupported } from './diagnose.js';

const d = diagnosisForFile('overlay-mtu');

describe('diagnosis: overlay-mtu (incident 004)', () => {
  it('concludes overlay-mtu from a silent full-size DF loss across nodes and the tunnel/NIC MTUs', () => {
    const r = d().result;
    expect(d().exitCode).toBe(0);
    expect(r).toMatchObject({ status: 'concluded', cause: 'overlay-mtu', questionsAsked: 0 });
    expect(otherCausesNotSupported(r, 'overlay-mtu')).toEqual([]);
    const text = r.evidence.join('\n');
    expect(text).toContain('vxlan0 (vxlan) MTU 1440 + 50');
    expect(text).toContain('eth0 MTU 1450');
    expect(text).toMatch(/1412 bytes \(pod MTU 1440\) is lost with no Frag-needed/);
  });

  it('changed nothing in the cluster to get there', () => {
    expect(d().result.commands.some((c) => c.argv.includes('scale') || c.argv.includes('patch'))).toBe(false);
  });
});
