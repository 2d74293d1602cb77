import { defineParser, couldNotParse, parseJsonArray, parsed, distinct, isRecord, lines, str } from './outcome.js';

interface Neighbour {
  ip: string;
  dev: string;
  mac: string;
  state: string;
}

/** The neighbour table: which MAC each address resolved to. Several MACs for one IP
 * (over devices, or across readings) is the duplicate-address sign of incident 003. */
export const ipNeighParser = defineParser({
  name: 'ip-neigh',
  description: 'ip -j neigh show (or text): entries [{ip, dev, mac, state}], macs_by_ip, duplicate_ips, mac_count_for_first',
  fields: ['entries', 'count', 'macs_by_ip', 'duplicate_ips', 'macs', 'failed_ips'],
  parse({ stdout }) {
    const text = stdout.trim();
    let entries: Neighbour[] = [];
    if (text === '') {
      entries = []; // an empty table is a valid answer ("never resolved")
    } else if (text.startsWith('[')) {
      const value = parseJsonArray(text, 'ip -j neigh output', 'a JSON array');
      if (!Array.isArray(value)) return value;
      entries = value.filter(isRecord).map((n) => ({
        ip: str(n.dst) ?? '',
        dev: str(n.dev) ?? '',
        mac: (str(n.lladdr) ?? '').toLowerCase(),
        state: Array.isArray(n.state) ? n.state.filter((s): s is string => typeof s === 'string').join(',') : (str(n.state) ?? ''),
      }));
    } else {
      // "10.0.0.1 dev eth0 lladdr aa:bb:… REACHABLE"
      for (const line of lines(text)) {
        const t = line.trim().split(/\s+/);
        const devAt = t.indexOf('dev');
        if (!t[0] || !/^[0-9a-fA-F:.]+$/.test(t[0]) || devAt !== 1) continue;
        const macAt = t.indexOf('lladdr');
        const last = t[t.length - 1] ?? '';
        entries.push({
          ip: t[0],
          dev: t[2] ?? '',
          mac: macAt > 0 ? (t[macAt + 1] ?? '').toLowerCase() : '',
          state: /^[A-Z_]+$/.test(last) ? last : '',
        });
      }
      if (entries.length === 0) return couldNotParse('ip neigh output', 'no "IP dev DEV lladdr MAC STATE" lines');
    }
    entries = entries.filter((e) => e.ip !== '');
    const macsByIp: Record<string, string[]> = {};
    for (const e of entries) if (e.mac) macsByIp[e.ip] = distinct([...(macsByIp[e.ip] ?? []), e.mac]);
    return parsed({
      entries,
      count: entries.length,
      macs_by_ip: macsByIp,
      duplicate_ips: Object.keys(macsByIp).filter((ip) => (macsByIp[ip]?.length ?? 0) > 1),
      macs: distinct(entries.map((e) => e.mac).filter((m) => m !== '')),
      failed_ips: entries.filter((e) => e.state.includes('FAILED') || e.state.includes('INCOMPLETE')).map((e) => e.ip),
    });
  },
});
