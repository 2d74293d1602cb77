import { describe, expect, it } from 'vitest';
import { diagnosisForFile, hypothesis, otherCausesNotSupported } from './diagnose.js';

const d = diagnosisForFile('selector-overlap');

describe('diagnosis: selector-overlap (incident 000)', () => {
  it('concludes selector-overlap from two workloads behind the selector and their failing endpoints', () => {
    const r = d().result;
    expect(d().exitCode).toBe(0);
    expect(r).toMatchObject({ status: 'concluded', cause: 'selector-overlap', questionsAsked: 0 });
    expect(r.evidence.join('\n')).toContain('Deployment/palo-be');
    expect(r.evidence.join('\n')).toContain('Deployment/palo-fe');
    expect(hypothesis(r, 'bad-replica')?.status).toBe('ruled-out');
    expect(otherCausesNotSupported(r, 'selector-overlap')).toEqual([]);
  });

  it('reached it through real kubectl and real requests from the client pod', async () => {
    const r = d().result;
    expect(r.commands.some((c) => c.argv[0] === 'kubectl' && c.argv.includes('endpoints'))).toBe(true);
    const probes = r.commands.filter((c) => c.target.kind === 'pod' && c.argv[0] === 'curl');
    expect(probes.length).toBe(2);
    // the endpoints the evidence names really refuse a connection from the client pod
    const failing = /endpoints (\[[^\]]*\]) failed every direct try/.exec(r.evidence[0] ?? '')?.[1];
    const ips = JSON.parse(failing ?? '[]') as string[];
    expect(ips.length).toBe(2);
    const pods = JSON.parse((await d().lab.kubectl(['get', 'pods', '-n', 'palo', '-l', 'role=be', '-o', 'json'])).stdout) as { items: { status: { podIP: string } }[] };
    expect(ips.sort()).toEqual(pods.items.map((p) => p.status.podIP).sort());
    const direct = await d().lab.kubectl(['exec', '-n', 'palo', 'client', '--', 'curl', '-s', '-o', '/dev/null', '--max-time', '3', `http://${ips[0]}:8030/`]);
    expect(direct.exitCode).toBe(7);
  });
});
