import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, diagnose, hypothesis, otherCausesNotSupported, type Diagnosis } from './diagnose.js';

let d: Diagnosis | undefined;
beforeAll(async () => {
  d = await diagnose('healthy');
}, 180_000);
afterAll(() => cleanup(d));

describe('diagnosis: healthy', () => {
  it('concludes healthy only after every cause was ruled out by what it observed', () => {
    const r = d!.result;
    expect(d!.exitCode).toBe(0);
    expect(r).toMatchObject({ status: 'concluded', cause: 'healthy', questionsAsked: 0 });
    expect(otherCausesNotSupported(r, 'healthy')).toEqual([]);
    for (const id of ['selector-overlap', 'bad-replica', 'externalip-conflict', 'tw-recycle-nat', 'dns-search-domain', 'overlay-mtu']) {
      expect(hypothesis(r, id)?.status, id).toBe('ruled-out');
    }
    // the checks really ran: kernel on the nodes, DNS and a full-size DF ping in the pod
    expect(r.commands.some((c) => c.target.kind === 'node' && c.argv[0] === 'sysctl')).toBe(true);
    expect(r.commands.some((c) => c.target.kind === 'pod' && c.argv[0] === 'ping' && c.argv.includes('1472'))).toBe(true);
    expect(r.commands.some((c) => c.target.kind === 'pod' && c.argv[0] === 'dig')).toBe(true);
  });
});
