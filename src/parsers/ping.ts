import { defineParser, couldNotParse, parsed, int, num, lines } from './outcome.js';

/** ping (iputils and busybox): loss, rtt, and the path-MTU signals of a don't-fragment ping:
 * "local error: message too long, mtu=N" (the sender's own route knows the MTU) and
 * "Frag needed and DF set (mtu = N)" (a router said so). A DF ping that is simply lost with
 * neither line is the silent drop of incident 004. */
export const pingParser = defineParser({
  name: 'ping',
  description:
    'ping -c N [-M do -s SIZE]: sent, received, loss_pct, rtt_min/avg/max, pmtu (message too long / Frag needed), reachable, failure',
  fields: [
    'destination',
    'payload_size',
    'sent',
    'received',
    'errors',
    'loss_pct',
    'rtt_min',
    'rtt_avg',
    'rtt_max',
    'reachable',
    'all_lost',
    'pmtu',
    'frag_needed',
    'message_too_long',
    'host_unreachable',
    'failure',
  ],
  parse({ stdout, stderr }) {
    const text = `${stdout}\n${stderr}`;
    let destination: string | null = null;
    let payload: number | null = null;
    let sent: number | null = null;
    let received: number | null = null;
    let errors = 0;
    let loss: number | null = null;
    let rtt: (number | null)[] = [null, null, null];
    let pmtu: number | null = null;
    let fragNeeded = false;
    let tooLong = false;
    let hostUnreachable = 0;
    let replies = 0;
    let failure = '';
    for (const line of lines(text)) {
      let m: RegExpExecArray | null;
      if ((m = /^PING\s+(\S+)\s+\(([^)]*)\)(?::)?\s+(\d+)(?:\((\d+)\))?\s+(?:data\s+)?bytes/.exec(line))) {
        destination = m[2] ?? m[1] ?? null;
        payload = int(m[3]);
      } else if ((m = /(\d+)\s+packets transmitted,\s+(\d+)\s+(?:packets\s+)?received(?:,\s+\+(\d+)\s+errors?)?(?:,.*?([\d.]+)%\s+packet loss)?/.exec(line))) {
        sent = int(m[1]);
        received = int(m[2]);
        errors = int(m[3]) ?? 0;
        loss = num(m[4]);
      } else if ((m = /^(?:rtt|round-trip)\s+min\/avg\/max(?:\/mdev)?\s*=\s*([\d.]+)\/([\d.]+)\/([\d.]+)/.exec(line))) {
        rtt = [num(m[1]), num(m[2]), num(m[3])];
      } else if ((m = /message too long,\s*mtu\s*=\s*(\d+)/i.exec(line))) {
        tooLong = true;
        pmtu = int(m[1]);
      } else if ((m = /Frag(?:mentation)? needed(?: and DF set)?\s*\(mtu\s*=\s*(\d+)\)/i.exec(line))) {
        fragNeeded = true;
        pmtu = int(m[1]);
      } else if (/Destination (Host|Net) Unreachable/i.test(line)) {
        hostUnreachable++;
      } else if (/\bbytes from\b.*\btime[=<]/.test(line)) {
        replies++;
      } else if (/Name or service not known|unknown host|bad address|Temporary failure in name resolution/i.test(line)) {
        failure = 'unknown-host';
      } else if (/Network is unreachable/i.test(line)) {
        failure = 'network-unreachable';
      } else if (/permission denied|Operation not permitted|are you root/i.test(line)) {
        failure = 'permission-denied';
      }
    }
    if (sent === null) {
      // no statistics: ping never got going; that is a fact when we know why
      if (failure !== '') {
        return parsed({ destination, payload_size: payload, sent: 0, received: 0, errors, loss_pct: 100, reachable: false, all_lost: true, failure });
      }
      if (replies === 0 && destination === null) return couldNotParse('ping output', 'no "packets transmitted" statistics line');
      // interrupted ping: count what we saw
      sent = replies;
      received = replies;
    }
    const rec = received ?? 0;
    const lossPct = loss ?? (sent > 0 ? Math.round(((sent - rec) / sent) * 1000) / 10 : null);
    return parsed({
      destination,
      payload_size: payload,
      sent,
      received: rec,
      errors,
      loss_pct: lossPct,
      rtt_min: rtt[0] ?? null,
      rtt_avg: rtt[1] ?? null,
      rtt_max: rtt[2] ?? null,
      reachable: rec > 0,
      all_lost: sent > 0 && rec === 0,
      pmtu,
      frag_needed: fragNeeded,
      message_too_long: tooLong,
      host_unreachable: hostUnreachable > 0,
      failure,
    });
  },
});
