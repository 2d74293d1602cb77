import { defineParser, couldNotParse, parsed, int, lines } from './outcome.js';

/** sysctl output (`sysctl -a`, `sysctl k1 k2`, or sysctl.conf lines): key → value, plus the
 * keys the kernel does not have ("cannot stat /proc/sys/…": tcp_tw_recycle since 4.12). */
export const sysctlParser = defineParser({
  name: 'sysctl',
  description:
    'sysctl KEY… / sysctl -a: values {key: value}, missing [keys], tcp_tw_recycle, tcp_timestamps, ip_forward (ints or null), tw_recycle_active',
  fields: ['values', 'count', 'missing', 'denied', 'tcp_tw_recycle', 'tcp_timestamps', 'ip_forward', 'tw_recycle_active'],
  parse({ stdout, stderr }) {
    const values: Record<string, string> = {};
    const missing: string[] = [];
    const denied: string[] = [];
    let junk = 0;
    for (const raw of lines(`${stdout}\n${stderr}`)) {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
      let m: RegExpExecArray | null;
      if ((m = /cannot stat \/proc\/sys\/(\S+?):/.exec(line))) {
        missing.push((m[1] ?? '').replace(/\//g, '.'));
      } else if ((m = /permission denied on key ['"]?([^'"\s,]+)/i.exec(line))) {
        denied.push(m[1] ?? '');
      } else if ((m = /^([A-Za-z0-9_.\/-]+)\s*=\s?(.*)$/.exec(line))) {
        values[(m[1] ?? '').replace(/\//g, '.')] = (m[2] ?? '').trim();
      } else if (/^sysctl:/.test(line)) {
        // other sysctl complaints (unknown option…) are not values
      } else {
        junk++;
      }
    }
    const count = Object.keys(values).length;
    if (count === 0 && missing.length === 0 && denied.length === 0) {
      return couldNotParse('sysctl output', junk > 0 ? 'no "key = value" lines (use sysctl without -n)' : 'empty output');
    }
    const get = (k: string) => int(values[k]);
    const recycle = get('net.ipv4.tcp_tw_recycle');
    const stamps = get('net.ipv4.tcp_timestamps');
    return parsed({
      values,
      count,
      missing,
      denied,
      tcp_tw_recycle: recycle,
      tcp_timestamps: stamps,
      ip_forward: get('net.ipv4.ip_forward'),
      // tw_recycle only drops SYNs when timestamps are on too (an absent timestamps key means
      // the default, on)
      tw_recycle_active: recycle === null ? false : recycle >= 1 && stamps !== 0,
    });
  },
});
