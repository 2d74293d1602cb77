import { describe, expect, it } from 'vitest';
import { fixture, parseLab, parseOk, run } from './fixtures.js';

describe('ping', () => {
  it('reads a clean iputils run', () => {
    expect(parseLab('ping', 'ping-ok.txt')).toMatchObject({
      destination: '10.199.0.2',
      payload_size: 56,
      sent: 3,
      received: 3,
      loss_pct: 0,
      rtt_min: 0.048,
      rtt_avg: 0.202,
      rtt_max: 0.512,
      reachable: true,
      pmtu: null,
      failure: '',
    });
  });

  it('100% loss without replies', () => {
    expect(parseLab('ping', 'ping-unreachable.txt')).toMatchObject({ sent: 3, received: 0, loss_pct: 100, all_lost: true, rtt_avg: null });
  });

  it('a DF ping over the NIC MTU reports the MTU ("message too long, mtu=1450")', () => {
    expect(parseLab('ping', 'ping-df-too-big.txt')).toMatchObject({ payload_size: 1500, sent: 2, received: 0, errors: 2, pmtu: 1450, message_too_long: true });
    expect(parseLab('ping', 'ping-df-overlay-local-error.txt')).toMatchObject({ pmtu: 1400, all_lost: true });
    expect(parseLab('ping', 'ping-df-overlay-ok.txt')).toMatchObject({ payload_size: 1300, received: 3, pmtu: null });
  });

  it('reads "Frag needed and DF set (mtu = N)" from a router', () => {
    const text = 'PING 10.0.2.5 (10.0.2.5) 1400(1428) bytes of data.\nFrom 10.0.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1400)\n\n--- 10.0.2.5 ping statistics ---\n1 packets transmitted, 0 received, +1 errors, 100% packet loss, time 0ms\n';
    expect(parseOk('ping', text)).toMatchObject({ frag_needed: true, pmtu: 1400, all_lost: true });
  });

  it('reads busybox ping from incident 004', () => {
    expect(parseOk('ping', fixture('incidents/004-ping-busybox.txt'))).toMatchObject({ sent: 10, received: 10, loss_pct: 0, rtt_min: 0.239, rtt_avg: 0.375, rtt_max: 0.572 });
  });

  it('a ping that could not run is a fact with its reason', () => {
    expect(parseOk('ping', fixture('incidents/004-ping-permission-denied.txt'), { exitCode: 1 })).toMatchObject({ failure: 'permission-denied', reachable: false });
    expect(run('ping', 'hello world')).toMatchObject({ ok: false });
  });
});

describe('tracepath', () => {
  it('reads pmtu and hops', () => {
    expect(parseLab('tracepath', 'tracepath-overlay.txt')).toMatchObject({ pmtu: 1400, hop_count: 1, reached: true, back: 1, pmtu_changes: [1400] });
    const f = parseLab('tracepath', 'tracepath-underlay.txt');
    expect(f.pmtu).toBe(1450);
    expect(f.hops).toEqual([{ hop: 1, host: '10.199.0.2', rtt_ms: 0.048, reached: true, no_reply: false, pmtu: null }]);
  });

  it('counts hops with no reply and pmtu drops on the way', () => {
    const text = ' 1?: [LOCALHOST]                      pmtu 1500\n 1:  10.0.0.1                                              0.300ms\n 1:  10.0.0.1                                              0.200ms pmtu 1450\n 2:  no reply\n     Too many hops: pmtu 1450\n     Resume: pmtu 1450\n';
    expect(parseOk('tracepath', text)).toMatchObject({ pmtu: 1450, pmtu_changes: [1500, 1450], no_reply_count: 1, reached: false });
  });
});
