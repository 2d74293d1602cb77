import { describe, expect, it } from 'vitest';
import { diagnosisForFile, hypothesis, otherCausesNotSupported, runPlaybook } from './diagnose.js';

const d = diagnosisForFile('healthy');

describe('diagnosis: healthy', () => {
  it('concludes healthy only after every cause was ruled out by what it observed', () => {
    const r = d().result;
    expect(d().exitCode).toBe(0);
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

describe('diagnosis: inputs the operator gets wrong or leaves out', () => {
  it('a Service that does not exist ends inconclusive after one kubectl call, saying why', async () => {
    const r = await runPlaybook(d().lab, 'intermittent-connectivity', { namespace: 'shop', service: 'no-such-svc', client_pod: 'client' }, d().stateDir);
    expect(r.exitCode).toBe(3);
    expect(r.result.status).toBe('inconclusive');
    expect(r.result.commands).toHaveLength(1);
    expect(r.result.evidence.join('\n')).toMatch(/could not read Service no-such-svc in shop/);
  });

  it('without a client pod it probes from one of the Service\'s own pods', async () => {
    const r = await runPlaybook(d().lab, 'intermittent-connectivity', { namespace: 'shop', service: 'web' }, d().stateDir);
    expect(r.result).toMatchObject({ status: 'concluded', cause: 'healthy' });
    const probe = r.result.commands.find((c) => c.argv[0] === 'curl');
    expect(probe?.target.pod).toMatch(/^web-/);
  }, 90_000);
});
