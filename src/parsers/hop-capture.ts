import { defineParser, couldNotParse, parsed } from './outcome.js';
import { pingParser } from './ping.js';
import { tcpdumpParser } from './tcpdump.js';

/** One job of a per-hop capture: either a tcpdump at a hop or the ping that makes the
 * traffic (they run side by side as items of one foreach, so they share one parser).
 * `kind` says which; the fields are the ping or tcpdump parser's. */
export const hopCaptureParser = defineParser({
  name: 'hop-capture',
  description: 'tcpdump -nn at a hop, or the ping that feeds it: kind (capture|ping) plus the tcpdump or ping fields',
  fields: ['kind', ...tcpdumpParser.fields, ...pingParser.fields.filter((f) => !tcpdumpParser.fields.includes(f))],
  parse(input) {
    const text = `${input.stdout}\n${input.stderr}`;
    if (/^PING\s/m.test(text) || /packets transmitted/.test(text)) {
      const p = pingParser.parse(input);
      return p.ok ? parsed({ kind: 'ping', ...p.fields }) : p;
    }
    const t = tcpdumpParser.parse(input);
    if (!t.ok) return t;
    if (t.fields.packet_count === 0 && t.fields.captured === null && /tcpdump: .*(No such device|doesn't exist|permission|not permitted)/i.test(input.stderr)) {
      return couldNotParse('capture output', input.stderr.trim().split('\n')[0] ?? 'tcpdump failed');
    }
    return parsed({ kind: 'capture', ...t.fields });
  },
});
