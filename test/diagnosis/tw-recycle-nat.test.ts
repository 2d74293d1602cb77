import { describe, expect, it } from 'vitest';
import { diagnosisForFile, otherCausesNotSupported } from './diagnose.js';

const d = diagnosisForFile('tw-recycle-nat', 240_000);

describe('diagnosis: tw-recycle-nat (incident 001)', () => {
  it('never blames another cause', () => {
    expect(otherCausesNotSupported(d().result, 'tw-recycle-nat')).toEqual([]);
  });

  it('concludes tw-recycle-nat from tcp_tw_recycle on the server node and dropped SYNs', () => {
    const r = d().result;
    expect(r).toMatchObject({ status: 'concluded', cause: 'tw-recycle-nat', questionsAsked: 0 });
    expect(r.evidence.join('\n')).toMatch(/tcp_tw_recycle=1, tcp_timestamps=1/);
  });
});
