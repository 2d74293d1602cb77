import { describe, expect, it } from 'vitest';
import { fixture, parseLab, parseOk, run } from './fixtures.js';

describe('tcpdump', () => {
  it('incident 000: a SYN answered by [R.] seq 0', () => {
    const f = parseOk('tcpdump', fixture('incidents/000-tcpdump-rst.txt'));
    expect(f).toMatchObject({ packet_count: 2, syn_count: 1, synack_count: 0, rst_count: 1, rst_ack_count: 1, rst_answered_syn_flows: 1, unanswered_syn_flows: 0 });
    expect((f.packets as Record<string, unknown>[])[1]).toMatchObject({
      src: '192.168.36.145',
      sport: 28030,
      dst: '192.168.35.201',
      dport: 56075,
      flags: 'R.',
      seq: '0',
      ack: 761737746,
      length: 0,
    });
  });

  it('incident 000: the normal exchange (numbered, annotated lines) is a full handshake', () => {
    const f = parseOk('tcpdump', fixture('incidents/000-tcpdump-merged.txt'));
    expect(f).toMatchObject({ packet_count: 10, syn_count: 1, synack_count: 1, rst_count: 0, fin_count: 2, established_flows: 1, max_length: 183 });
    const client = parseOk('tcpdump', fixture('incidents/000-tcpdump-client.txt') + fixture('incidents/000-tcpdump-server.txt'));
    expect(client).toMatchObject({ packet_count: 10, established_flows: 1 });
  });

  it('lab: SYN dropped → retransmitted with the same seq, no SYN-ACK (incidents 001/002)', () => {
    expect(parseLab('tcpdump', 'tcpdump-syn-retrans.txt')).toMatchObject({ syn_count: 4, syn_retrans_count: 3, synack_count: 0, unanswered_syn_flows: 1 });
  });

  it('lab: refused port, handshakes, HTTP payload lengths', () => {
    expect(parseLab('tcpdump', 'tcpdump-rst.txt')).toMatchObject({ syn_flows: 2, rst_answered_syn_flows: 2 });
    expect(parseLab('tcpdump', 'tcpdump-normal-handshake.txt')).toMatchObject({ established_flows: 2, max_length: 111, rst_count: 0 });
  });

  it('lab: VXLAN on the underlay carries the inner packet; the inner device shows the big response', () => {
    const under = parseLab('tcpdump', 'tcpdump-vxlan-underlay.txt');
    expect(under.vxlan_count).toBe(10);
    expect((under.packets as Record<string, unknown>[])[0]).toMatchObject({ src: '10.199.1.1', dport: 8090, flags: 'S', vni: 42 });
    expect(parseLab('tcpdump', 'tcpdump-vxlan-inner.txt')).toMatchObject({ max_length: 4060, lengths_over_1000: 1 });
  });

  it('lab: ARP replies from two MACs for one address (incident 003)', () => {
    const f = parseLab('tcpdump', 'tcpdump-arp-duplicate.txt');
    expect(f).toMatchObject({ arp_requests: 1, arp_duplicate_ips: ['10.199.3.250'] });
    expect(f.arp_macs_by_ip).toEqual({ '10.199.3.250': ['be:ae:63:c3:ca:ca', 'fa:44:a1:72:94:6f'] });
  });

  it('empty capture is "saw nothing"; pcap bytes or prose are not packets', () => {
    expect(parseOk('tcpdump', '', { stderr: '0 packets captured\n0 packets received by filter\n' })).toMatchObject({ packet_count: 0, captured: 0 });
    expect(run('tcpdump', '\u00d4\u00c3\u00b2\u00a1\u0002\u0000\u0004')).toMatchObject({ ok: false });
  });

  it('-i any adds the interface and direction', () => {
    const line = '06:42:05.595994 eth0  Out IP 10.199.0.2.9999 > 10.199.0.1.42872: Flags [R.], seq 0, ack 337365823, win 0, length 0\n';
    expect(parseOk('tcpdump', line)).toMatchObject({ rst_ack_count: 1 });
  });
});

describe('tcpdump per hop (lab: pod → node vxlan0 → node NIC, vxlan0 MTU 1440 over NIC 1450)', () => {
  it('the 1408-byte DF ping is on the sending node tunnel and never on its NIC', () => {
    const tunnel = parseLab('tcpdump', 'tcpdump-hop-sender-vxlan0.txt');
    const nic = parseLab('tcpdump', 'tcpdump-hop-sender-nic.txt');
    expect(tunnel.max_length).toBe(1408);
    expect(nic.max_length).toBe(1308);
    expect(nic.vxlan_count).toBe(10);
    // inner ARP of the overlay is read too
    expect(nic.arp_macs_by_ip).toEqual({ '10.199.1.1': ['a6:1e:e0:a7:be:ac'], '10.199.1.2': ['82:08:13:ba:ab:19'] });
    expect(parseLab('ping', 'ping-df-silent-loss-across-nodes.txt')).toMatchObject({ payload_size: 1400, all_lost: true, pmtu: null, frag_needed: false, message_too_long: false });
    expect(parseLab('ping', 'ping-df-ok-across-nodes.txt')).toMatchObject({ payload_size: 1300, received: 3 });
  });
});

describe('hop-capture (a capture or the ping that feeds it)', () => {
  it('tells the two apart and keeps their fields', () => {
    expect(parseLab('hop-capture', 'tcpdump-hop-sender-vxlan0.txt')).toMatchObject({ kind: 'capture', max_length: 1408 });
    expect(parseLab('hop-capture', 'ping-df-silent-loss-across-nodes.txt')).toMatchObject({ kind: 'ping', all_lost: true, payload_size: 1400 });
    expect(run('hop-capture', '', { stderr: 'tcpdump: vxlan9: No such device exists\n', exitCode: 1 })).toMatchObject({ ok: false });
  });
});
