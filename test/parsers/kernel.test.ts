import { describe, expect, it } from 'vitest';
import { fixture, parseLab, parseOk, run } from './fixtures.js';
import { diffNetstat, readNetstat } from '../../src/parsers/index.js';

/** Incident 001's node netstat with PAWSPassive and ListenDrops set to one of the readings
 * the write-up quotes (3565, then 3858). */
function incident001Reading(value: number): string {
  const [names, values, ...rest] = fixture('incidents/001-proc-net-netstat.txt').split('\n');
  const n = (names ?? '').split(' ');
  const v = (values ?? '').split(' ');
  for (const counter of ['PAWSPassive', 'ListenDrops']) v[n.indexOf(counter)] = String(value);
  return [names, v.join(' '), ...rest].join('\n');
}

describe('netstat', () => {
  it('reads incident 001 /proc/net/netstat (two-line layout, TcpExt and IpExt)', () => {
    const f = parseOk('netstat', fixture('incidents/001-proc-net-netstat.txt'));
    expect(f.groups).toEqual(['TcpExt', 'IpExt']);
    expect(Object.keys(f.TcpExt as object)).toHaveLength(112);
    expect(f).toMatchObject({ paws_passive: 0, listen_drops: 0, listen_overflows: 0, tcp_syn_retrans: 57 });
    expect((f.TcpExt as Record<string, number>).TWKilled).toBe(2080938);
    expect((f.IpExt as Record<string, number>).InOctets).toBe(1057270745794);
    expect(f.delta).toBeNull();
  });

  it('two readings 3565 → 3858: PAWSPassive moves with ListenDrops', () => {
    const before = readNetstat(incident001Reading(3565))[0]!;
    const after = readNetstat(incident001Reading(3858))[0]!;
    expect(diffNetstat(before, after).TcpExt).toMatchObject({ PAWSPassive: 293, ListenDrops: 293, TWKilled: 0 });
    const f = parseOk('netstat', `${incident001Reading(3565)}\n${incident001Reading(3858)}`);
    expect(f).toMatchObject({ snapshots: 2, paws_passive: 3858, delta_paws_passive: 293, delta_listen_drops: 293, paws_moves_with_listen_drops: true });
  });

  it('reads this kernel (6.18): no PAWSPassive counter at all', () => {
    const f = parseLab('netstat', 'proc-net-netstat.txt');
    expect(f.paws_passive).toBeNull();
    expect(typeof f.listen_drops).toBe('number');
    expect(typeof f.paws_active).toBe('number');
    expect(f.groups).toContain('IpExt');
  });

  it('garbage is a clear failure', () => {
    expect(run('netstat', 'TcpExt: a b\nIpExt: 1 2\n')).toMatchObject({ ok: false });
  });
});

describe('sysctl', () => {
  it('incident 001: tcp_tw_recycle = 1 (timestamps default on)', () => {
    expect(parseOk('sysctl', fixture('incidents/001-sysctl-conf.txt'))).toMatchObject({ tcp_tw_recycle: 1, tcp_timestamps: null, tw_recycle_active: true });
  });

  it('this kernel: the key is gone ("cannot stat"), timestamps on', () => {
    const f = parseLab('sysctl', 'sysctl-keys-missing.stdout', 'sysctl-keys-missing.stderr');
    expect(f).toMatchObject({ missing: ['net.ipv4.tcp_tw_recycle'], tcp_tw_recycle: null, tcp_timestamps: 1, ip_forward: 0, tw_recycle_active: false });
  });

  it('sysctl -a lines', () => {
    const f = parseLab('sysctl', 'sysctl-a-net-ipv4-subset.txt');
    expect(f.count).toBeGreaterThan(20);
    expect((f.values as Record<string, string>)['net.ipv4.tcp_timestamps']).toBe('1');
  });

  it('sysctl -n output is refused with a hint', () => {
    const out = run('sysctl', '1\n0\n');
    expect(out).toMatchObject({ ok: false });
    if (!out.ok) expect(out.error).toMatch(/without -n/);
  });
});

describe('uname', () => {
  it('this kernel cannot have tw_recycle; 3.10 (incident 002) can', () => {
    expect(parseLab('uname', 'uname-r.txt')).toMatchObject({ kernel: '6.18.44-fc-v669', major: 6, minor: 18, patch: 44, tw_recycle_possible: false });
    expect(parseOk('uname', '3.10.0-1160.el7.x86_64\n')).toMatchObject({ major: 3, minor: 10, tw_recycle_possible: true });
    expect(parseOk('uname', '4.11.12\n').tw_recycle_possible).toBe(true);
    expect(parseOk('uname', '4.12.0\n').tw_recycle_possible).toBe(false);
    expect(parseOk('uname', 'Linux node2 3.10.0-957.el7.x86_64 #1 SMP x86_64 GNU/Linux\n').kernel).toBe('3.10.0-957.el7.x86_64');
    expect(run('uname', 'uname: command not found')).toMatchObject({ ok: false });
  });
});
