import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, diagnose, otherCausesNotSupported, type Diagnosis } from './diagnose.js';

let d: Diagnosis | undefined;
beforeAll(async () => {
  d = await diagnose('tw-recycle-nat');
}, 240_000);
afterAll(() => cleanup(d));

describe('diagnosis: tw-recycle-nat (incident 001)', () => {
  it('never blames another cause', () => {
    expect(otherCausesNotSupported(d!.result, 'tw-recycle-nat')).toEqual([]);
  });

  it('concludes tw-recycle-nat from tcp_tw_recycle on the server node and dropped SYNs', () => {
    const r = d!.result;
    expect(r).toMatchObject({ status: 'concluded', cause: 'tw-recycle-nat', questionsAsked: 0 });
    expect(r.evidence.join('\n')).toMatch(/tcp_tw_recycle=1, tcp_timestamps=1/);
  });
});
