import { defineParser, couldNotParse, parsed, distinct, int, lines } from './outcome.js';

export interface Packet {
  time: string;
  proto: 'tcp' | 'udp' | 'icmp' | 'arp' | 'other';
  src: string;
  sport: number | null;
  dst: string;
  dport: number | null;
  flags: string;
  seq: string;
  ack: number | null;
  length: number | null;
  /** VXLAN network id when this is the inner packet of an encapsulated one */
  vni: number | null;
  info: string;
}

const MAX_PACKETS_KEPT = 200;
const TIME = /(\d{1,2}:\d{2}:\d{2}\.\d+)/;
// "a.b.c.d.port" → [a.b.c.d, port]; IPv6 "fe80::1.443" likewise; no port → [addr, null]
function splitEndpoint(s: string): [string, number | null] {
  const m = /^(.*)\.(\d{1,5})$/.exec(s);
  if (m && (m[1] ?? '').length > 0 && /[.:]/.test(m[1] ?? '')) {
    const host = m[1] ?? '';
    // a bare IPv4 address has four dotted parts: then the last part is not a port
    if (/^\d+\.\d+\.\d+$/.test(host)) return [s, null];
    return [host, int(m[2])];
  }
  return [s, null];
}

function parsePacketBody(time: string, body: string): Packet | null {
  let m: RegExpExecArray | null;
  if ((m = /^ARP,\s+(Request|Reply)\s+(.*)$/.exec(body))) {
    const rest = m[2] ?? '';
    const req = /who-has\s+(\S+)(?:\s+\([^)]*\))?\s+tell\s+([^\s,]+)/.exec(rest);
    const rep = /^(\S+)\s+is-at\s+([0-9a-fA-F:]+)/.exec(rest);
    return {
      time,
      proto: 'arp',
      src: req ? (req[2] ?? '') : (rep?.[1] ?? ''),
      sport: null,
      dst: req ? (req[1] ?? '') : '',
      dport: null,
      flags: m[1] === 'Request' ? 'who-has' : 'is-at',
      seq: '',
      ack: null,
      length: int(/length\s+(\d+)/.exec(rest)?.[1]),
      vni: null,
      info: rep ? (rep[2] ?? '').toLowerCase() : '',
    };
  }
  if (!(m = /^IP6?\s+(\S+)\s+>\s+([^\s:]+(?::[^\s:]+)*?):\s*(.*)$/.exec(body))) return null;
  const [src, sport] = splitEndpoint(m[1] ?? '');
  const [dst, dport] = splitEndpoint(m[2] ?? '');
  const rest = m[3] ?? '';
  const flags = /Flags\s+\[([^\]]*)\]/.exec(rest);
  const length = int(/\blength\s+(\d+)/.exec(rest)?.[1]) ?? int(/\((\d+)\)\s*$/.exec(rest)?.[1]);
  if (flags) {
    return {
      time,
      proto: 'tcp',
      src,
      sport,
      dst,
      dport,
      flags: flags[1] ?? '',
      seq: /\bseq\s+([\d:]+)/.exec(rest)?.[1] ?? '',
      ack: int(/\back\s+(\d+)/.exec(rest)?.[1]),
      length,
      vni: null,
      info: '',
    };
  }
  const icmp = /^ICMP\s+(.*)$/.exec(rest);
  return {
    time,
    proto: icmp ? 'icmp' : /UDP|VXLAN|\?\s|\+\s/.test(rest) || sport !== null ? 'udp' : 'other',
    src,
    sport,
    dst,
    dport,
    flags: '',
    seq: '',
    ack: null,
    length,
    vni: null,
    info: (icmp ? (icmp[1] ?? '') : rest).slice(0, 200),
  };
}

/** tcpdump -nn text. Each packet with its TCP flags ([S] SYN, [S.] SYN-ACK, [R]/[R.] reset,
 * [P.] data, [F.] FIN, [.] ACK), and a summary of what the diagnosis reads: SYNs answered by
 * RST (incident 000), SYNs retransmitted without SYN-ACK (001/002), ARP replies from several
 * MACs (003), the biggest packet seen on a hop (004). */
export const tcpdumpParser = defineParser({
  name: 'tcpdump',
  description:
    'tcpdump -nn: packets [{time, proto, src, sport, dst, dport, flags, seq, ack, length}], syn/synack/rst counts, syn_retrans_count, unanswered_syn_flows, rst_answered_syn_flows, max_length, arp_macs_by_ip',
  fields: [
    'packet_count',
    'packets',
    'tcp_count',
    'syn_count',
    'synack_count',
    'rst_count',
    'rst_ack_count',
    'fin_count',
    'data_count',
    'syn_retrans_count',
    'syn_flows',
    'unanswered_syn_flows',
    'rst_answered_syn_flows',
    'established_flows',
    'max_length',
    'lengths_over_1000',
    'icmp_frag_needed',
    'icmp_mtu',
    'arp_requests',
    'arp_replies',
    'arp_macs_by_ip',
    'arp_duplicate_ips',
    'vxlan_count',
    'hosts',
    'captured',
  ],
  parse({ stdout, stderr }) {
    const packets: Packet[] = [];
    let junk = 0;
    let vxlanCount = 0;
    let pendingVni: { time: string; vni: number | null } | null = null;
    for (const raw of lines(stdout)) {
      // write-ups number lines ("1. ") and annotate them ("# SYN"): keep only the packet text
      const line = raw.replace(/\s+#.*$/, '');
      if (line.trim() === '') continue;
      const t = TIME.exec(line);
      let body: string;
      let time: string;
      if (t) {
        time = t[1] ?? '';
        // -i any prints "IFACE In|Out" between the time and the protocol
        body = line
          .slice((t.index ?? 0) + (t[0]?.length ?? 0))
          .trim()
          .replace(/^\S+\s+(?:In|Out|B|M|P)\s+/, '');
      } else if (pendingVni && /^\s*(?:IP6?\s|ARP,)/.test(line)) {
        time = pendingVni.time;
        body = line.trim();
      } else {
        junk++;
        continue;
      }
      const vx = /:\s*VXLAN,.*?vni\s+(\d+)/.exec(body);
      if (vx) {
        vxlanCount++;
        pendingVni = { time, vni: int(vx[1]) };
        continue;
      }
      const p = parsePacketBody(time, body);
      if (!p) {
        junk++;
        continue;
      }
      if (!t && pendingVni) p.vni = pendingVni.vni;
      pendingVni = null;
      packets.push(p);
    }
    const captured = int(/(\d+)\s+packets? captured/.exec(stderr)?.[1]);
    if (packets.length === 0 && vxlanCount === 0 && junk > 0) {
      return couldNotParse('tcpdump output', 'no packet lines (expected tcpdump -nn text, not -w pcap)');
    }

    const tcp = packets.filter((p) => p.proto === 'tcp');
    const isSyn = (p: Packet) => p.flags === 'S' || p.flags === 'SE' || p.flags === 'SEW';
    const isSynAck = (p: Packet) => p.flags.startsWith('S') && p.flags.includes('.');
    const isRst = (p: Packet) => p.flags.startsWith('R');
    const key = (a: string, ap: number | null, b: string, bp: number | null) => `${a}:${ap ?? ''}>${b}:${bp ?? ''}`;
    const synSeen = new Map<string, Set<string>>();
    let synRetrans = 0;
    for (const p of tcp.filter(isSyn)) {
      const k = key(p.src, p.sport, p.dst, p.dport);
      const seqs = synSeen.get(k) ?? new Set<string>();
      if (seqs.has(p.seq)) synRetrans++;
      seqs.add(p.seq);
      synSeen.set(k, seqs);
    }
    const answeredBySynAck = new Set(tcp.filter(isSynAck).map((p) => key(p.dst, p.dport, p.src, p.sport)));
    const answeredByRst = new Set(tcp.filter(isRst).map((p) => key(p.dst, p.dport, p.src, p.sport)));
    const synFlows = [...synSeen.keys()];
    const arpReplies = packets.filter((p) => p.proto === 'arp' && p.flags === 'is-at').map((p) => ({ ip: p.src, mac: p.info }));
    const arpMacsByIp: Record<string, string[]> = {};
    for (const r of arpReplies) arpMacsByIp[r.ip] = distinct([...(arpMacsByIp[r.ip] ?? []), r.mac]);
    const icmpFrag = packets.filter((p) => p.proto === 'icmp' && /need to frag|frag needed/i.test(p.info));
    const icmpMtu = int(/mtu\s+(\d+)/.exec(icmpFrag[0]?.info ?? '')?.[1]);
    const lengths = packets.map((p) => p.length ?? 0);
    return parsed({
      packet_count: packets.length,
      packets: packets.slice(0, MAX_PACKETS_KEPT),
      tcp_count: tcp.length,
      syn_count: tcp.filter(isSyn).length,
      synack_count: tcp.filter(isSynAck).length,
      rst_count: tcp.filter(isRst).length,
      rst_ack_count: tcp.filter((p) => p.flags === 'R.').length,
      fin_count: tcp.filter((p) => p.flags.startsWith('F')).length,
      data_count: tcp.filter((p) => (p.length ?? 0) > 0).length,
      syn_retrans_count: synRetrans,
      syn_flows: synFlows.length,
      unanswered_syn_flows: synFlows.filter((k) => !answeredBySynAck.has(k) && !answeredByRst.has(k)).length,
      rst_answered_syn_flows: synFlows.filter((k) => answeredByRst.has(k) && !answeredBySynAck.has(k)).length,
      established_flows: synFlows.filter((k) => answeredBySynAck.has(k)).length,
      max_length: lengths.length > 0 ? lengths.reduce((a, b) => Math.max(a, b)) : 0,
      lengths_over_1000: lengths.filter((l) => l > 1000).length,
      icmp_frag_needed: icmpFrag.length,
      icmp_mtu: icmpMtu,
      arp_requests: packets.filter((p) => p.proto === 'arp' && p.flags === 'who-has').length,
      arp_replies: arpReplies,
      arp_macs_by_ip: arpMacsByIp,
      arp_duplicate_ips: Object.keys(arpMacsByIp).filter((ip) => (arpMacsByIp[ip]?.length ?? 0) > 1),
      vxlan_count: vxlanCount,
      hosts: distinct(packets.flatMap((p) => [p.src, p.dst]).filter((h) => h !== '')),
      captured,
    });
  },
});
