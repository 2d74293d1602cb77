import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, diagnose, otherCausesNotSupported, type Diagnosis } from './diagnose.js';

let d: Diagnosis | undefined;
beforeAll(async () => {
  d = await diagnose('dns-search-domain');
}, 180_000);
afterAll(() => cleanup(d));

describe('diagnosis: dns-search-domain (incident 002)', () => {
  it('concludes dns-search-domain: a name that exists nowhere resolves through corp.example', () => {
    const r = d!.result;
    expect(d!.exitCode).toBe(0);
    expect(r).toMatchObject({ status: 'concluded', cause: 'dns-search-domain', questionsAsked: 0 });
    expect(otherCausesNotSupported(r, 'dns-search-domain')).toEqual([]);
    const text = r.evidence.join('\n');
    expect(text).toContain('netwiz-no-such-host.corp.example');
    expect(text).toContain('10.78.0.50');
    expect(text).toContain('ndots:5');
  });
});
