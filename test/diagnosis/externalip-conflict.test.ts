import { describe, expect, it } from 'vitest';
import { diagnosisForFile, otherCausesNotSupported } from './diagnose.js';

const d = diagnosisForFile('externalip-conflict');

describe('diagnosis: externalip-conflict (incident 003)', () => {
  it('concludes externalip-conflict from several MACs answering ARP for the externalIP', () => {
    const r = d().result;
    expect(d().exitCode).toBe(0);
    expect(r).toMatchObject({ status: 'concluded', cause: 'externalip-conflict', questionsAsked: 0 });
    expect(otherCausesNotSupported(r, 'externalip-conflict')).toEqual([]);
    const text = r.evidence.join('\n');
    expect(text).toContain('10.77.0.250');
    const macs = JSON.parse(/ARP from \d+ MACs \(?(\[[^\]]*\])/.exec(text)?.[1] ?? '[]') as string[];
    expect(macs.length).toBeGreaterThan(1);
    expect(r.commands.some((c) => c.target.kind === 'node' && c.argv[0] === 'arping')).toBe(true);
  });
});
