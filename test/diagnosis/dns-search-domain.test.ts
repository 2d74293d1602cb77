import { describe, expect, it } from 'vitest';
import { diagnosisForFile, otherCausesNotSupported } from './diagnose.js';

const d = diagnosisForFile('dns-search-domain');

describe('diagnosis: dns-search-domain (incident 002)', () => {
  it('concludes dns-search-domain: a name that exists nowhere resolves through corp.example', () => {
    const r = d().result;
    expect(d().exitCode).toBe(0);
    expect(r).toMatchObject({ status: 'concluded', cause: 'dns-search-domain', questionsAsked: 0 });
    expect(otherCausesNotSupported(r, 'dns-search-domain')).toEqual([]);
    const text = r.evidence.join('\n');
    expect(text).toContain('netwiz-no-such-host.corp.example');
    expect(text).toContain('10.78.0.50');
    expect(text).toContain('ndots:5');
  });
});
