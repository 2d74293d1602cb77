import { describe, expect, it } from 'vitest';
import { diagnosisForFile, hypothesis, otherCausesNotSupported } from './diagnose.js';

const d = diagnosisForFile('bad-replica');

describe('diagnosis: bad-replica', () => {
  it('concludes bad-replica and names the one endpoint that always fails', async () => {
    const r = d().result;
    expect(d().exitCode).toBe(0);
    expect(r).toMatchObject({ status: 'concluded', cause: 'bad-replica', questionsAsked: 0 });
    expect(hypothesis(r, 'selector-overlap')?.status).toBe('ruled-out');
    expect(otherCausesNotSupported(r, 'bad-replica')).toEqual([]);
    const ips = JSON.parse(/endpoint (\[[^\]]*\])/.exec(r.evidence[0] ?? '')?.[1] ?? '[]') as string[];
    expect(ips.length).toBe(1);
    // independent check: that pod refuses, its siblings answer
    const pods = JSON.parse((await d().lab.kubectl(['get', 'pods', '-n', 'shop', '-l', 'app=web', '-o', 'json'])).stdout) as {
      items: { status: { podIP: string } }[];
    };
    for (const p of pods.items) {
      const res = await d().lab.kubectl(['exec', '-n', 'shop', 'client', '--', 'curl', '-s', '-o', '/dev/null', '--max-time', '3', `http://${p.status.podIP}:8080/`]);
      expect(res.exitCode === 0, `${p.status.podIP}`).toBe(!ips.includes(p.status.podIP));
    }
  });

  it('stops after the cheap checks: no node pods, no cluster changes', () => {
    const r = d().result;
    expect(r.commands.some((c) => c.target.kind === 'node')).toBe(false);
    expect(r.commands.some((c) => c.argv.includes('scale') || c.argv.includes('patch'))).toBe(false);
  });
});
