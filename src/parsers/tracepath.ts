import { defineParser, couldNotParse, parsed, int, num, lines } from './outcome.js';

/** tracepath -n: hops and the path MTU it discovered ("pmtu N" lines and the Resume line). */
export const tracepathParser = defineParser({
  name: 'tracepath',
  description: 'tracepath -n HOST: pmtu, hops [{hop, host, rtt_ms, reached, no_reply}], hop_count, reached, pmtu_changes',
  fields: ['pmtu', 'hops', 'hop_count', 'reached', 'back', 'pmtu_changes', 'no_reply_count'],
  parse({ stdout, stderr }) {
    const hops: { hop: number; host: string; rtt_ms: number | null; reached: boolean; no_reply: boolean; pmtu: number | null }[] = [];
    const pmtuChanges: number[] = [];
    let pmtu: number | null = null;
    let resumeHops: number | null = null;
    let back: number | null = null;
    let reached = false;
    let any = false;
    for (const line of lines(`${stdout}\n${stderr}`)) {
      let m: RegExpExecArray | null;
      if ((m = /Resume:\s*pmtu\s+(\d+)(?:\s+hops\s+(\d+))?(?:\s+back\s+(\d+))?/.exec(line))) {
        pmtu = int(m[1]);
        resumeHops = int(m[2]);
        back = int(m[3]);
        any = true;
        continue;
      }
      if ((m = /^\s*(\d+)\??:\s+(.*)$/.exec(line))) {
        any = true;
        const hop = int(m[1]) ?? 0;
        const rest = (m[2] ?? '').trim();
        const pm = /\bpmtu\s+(\d+)/.exec(rest);
        const hopPmtu = pm ? int(pm[1]) : null;
        if (hopPmtu !== null) {
          if (pmtuChanges[pmtuChanges.length - 1] !== hopPmtu) pmtuChanges.push(hopPmtu);
          pmtu = hopPmtu;
        }
        if (/^\[?LOCALHOST\]?/.test(rest)) continue;
        const noReply = /^no reply/.test(rest);
        const host = noReply ? '' : (rest.split(/\s+/)[0] ?? '');
        const rtt = /([\d.]+)ms/.exec(rest);
        const isReached = /\breached\b/.test(rest);
        reached ||= isReached;
        const prev = hops[hops.length - 1];
        // tracepath prints a hop twice when it retries; keep one row per hop number
        if (prev && prev.hop === hop) {
          prev.reached ||= isReached;
          if (hopPmtu !== null) prev.pmtu = hopPmtu;
          continue;
        }
        hops.push({ hop, host, rtt_ms: rtt ? num(rtt[1]) : null, reached: isReached, no_reply: noReply, pmtu: hopPmtu });
      }
    }
    if (!any) return couldNotParse('tracepath output', 'no hop lines and no "Resume: pmtu" line');
    return parsed({
      pmtu,
      hops,
      hop_count: resumeHops ?? hops.length,
      reached,
      back,
      pmtu_changes: pmtuChanges,
      no_reply_count: hops.filter((h) => h.no_reply).length,
    });
  },
});
