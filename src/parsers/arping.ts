import { defineParser, couldNotParse, parsed, distinct, int, lines } from './outcome.js';

/** arping -c N -I DEV IP: who answers ARP for an address. Two MACs is a duplicate address
 * (incident 003: the externalIP bound on kube-ipvs0 of every node). */
export const arpingParser = defineParser({
  name: 'arping',
  description: 'arping -c N -I DEV IP: target, sent, received, replies [{ip, mac, ms}], macs, mac_count, duplicate',
  fields: ['target', 'sent', 'received', 'replies', 'macs', 'mac_count', 'duplicate', 'answered'],
  parse({ stdout, stderr }) {
    let target = '';
    let sent: number | null = null;
    let received: number | null = null;
    const replies: { ip: string; mac: string; ms: number | null }[] = [];
    let seen = false;
    for (const line of lines(`${stdout}\n${stderr}`)) {
      let m: RegExpExecArray | null;
      if ((m = /^ARPING\s+(\S+)/.exec(line))) {
        target = m[1] ?? '';
        seen = true;
      } else if ((m = /(?:Unicast|Broadcast) reply from\s+(\S+)\s+\[([0-9A-Fa-f:]+)\]\s*(?:([\d.]+)\s*ms)?/.exec(line))) {
        replies.push({ ip: m[1] ?? '', mac: (m[2] ?? '').toLowerCase(), ms: m[3] ? Number(m[3]) : null });
        seen = true;
      } else if ((m = /^Sent\s+(\d+)\s+probe/.exec(line))) {
        sent = int(m[1]);
        seen = true;
      } else if ((m = /^Received\s+(\d+)\s+(?:response|repl)/.exec(line))) {
        received = int(m[1]);
        seen = true;
      }
    }
    if (!seen) return couldNotParse('arping output', 'no ARPING header, reply or summary lines');
    const macs = distinct(replies.map((r) => r.mac));
    return parsed({
      target,
      sent,
      received: received ?? replies.length,
      replies,
      macs,
      mac_count: macs.length,
      duplicate: macs.length > 1,
      answered: replies.length > 0,
    });
  },
});
