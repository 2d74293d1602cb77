import { defineParser, couldNotParse, parsed, int, lines } from './outcome.js';

export type NetstatSnapshot = Record<string, Record<string, number>>;

/** /proc/net/netstat (and /proc/net/snmp): pairs of lines, "Group: Name1 Name2 …" then
 * "Group: v1 v2 …". Returns every snapshot found (two when before/after were concatenated). */
export function readNetstat(text: string): NetstatSnapshot[] {
  const snapshots: NetstatSnapshot[] = [];
  let current: NetstatSnapshot = {};
  let pending: { group: string; names: string[] } | null = null;
  for (const raw of lines(text)) {
    const m = /^\s*([A-Za-z][A-Za-z0-9]*):\s+(.*)$/.exec(raw);
    if (!m) continue;
    const group = m[1] ?? '';
    const tokens = (m[2] ?? '').trim().split(/\s+/);
    const numeric = tokens.every((t) => /^-?\d+$/.test(t));
    if (!numeric) {
      pending = { group, names: tokens };
      continue;
    }
    if (!pending || pending.group !== group) {
      pending = null;
      continue;
    }
    if (current[group]) {
      // the same group again: a second reading begins
      snapshots.push(current);
      current = {};
    }
    const counters: Record<string, number> = {};
    // kernels append counters at the end, so a copy with fewer values still lines up by index
    const n = Math.min(pending.names.length, tokens.length);
    for (let i = 0; i < n; i++) {
      const v = int(tokens[i]);
      const name = pending.names[i];
      if (v !== null && name !== undefined) counters[name] = v;
    }
    current[group] = counters;
    pending = null;
  }
  if (Object.keys(current).length > 0) snapshots.push(current);
  return snapshots;
}

/** Counter increases between two readings (after − before), for counters present in both. */
export function diffNetstat(before: NetstatSnapshot, after: NetstatSnapshot): NetstatSnapshot {
  const out: NetstatSnapshot = {};
  for (const [group, counters] of Object.entries(after)) {
    const prev = before[group];
    if (!prev) continue;
    const d: Record<string, number> = {};
    for (const [name, v] of Object.entries(counters)) {
      const p = prev[name];
      if (p !== undefined) d[name] = v - p;
    }
    out[group] = d;
  }
  return out;
}

function tcpExt(s: NetstatSnapshot | undefined, name: string): number | null {
  return s?.TcpExt?.[name] ?? null;
}

const KEY_COUNTERS: Record<string, string> = {
  paws_passive: 'PAWSPassive',
  paws_active: 'PAWSActive',
  paws_estab: 'PAWSEstab',
  listen_drops: 'ListenDrops',
  listen_overflows: 'ListenOverflows',
  tcp_syn_retrans: 'TCPSynRetrans',
};

export const netstatParser = defineParser({
  name: 'netstat',
  description:
    'cat /proc/net/netstat: TcpExt, IpExt… counter maps; paws_passive, listen_drops, listen_overflows…; with two readings in one output also delta and delta_* fields',
  fields: [
    'groups',
    'TcpExt',
    'IpExt',
    ...Object.keys(KEY_COUNTERS),
    'snapshots',
    'delta',
    ...Object.keys(KEY_COUNTERS).map((k) => `delta_${k}`),
    'paws_moves_with_listen_drops',
  ],
  parse({ stdout }) {
    const snaps = readNetstat(stdout);
    const last = snaps[snaps.length - 1];
    if (!last) return couldNotParse('/proc/net/netstat', 'no "Group: names" / "Group: values" line pairs');
    const fields: Record<string, unknown> = {
      groups: Object.keys(last),
      TcpExt: last.TcpExt ?? {},
      IpExt: last.IpExt ?? {},
      snapshots: snaps.length,
    };
    for (const [k, name] of Object.entries(KEY_COUNTERS)) fields[k] = tcpExt(last, name);
    const first = snaps[0];
    if (snaps.length >= 2 && first) {
      const delta = diffNetstat(first, last);
      fields.delta = delta;
      for (const [k, name] of Object.entries(KEY_COUNTERS)) fields[`delta_${k}`] = tcpExt(delta, name);
      const dp = tcpExt(delta, 'PAWSPassive');
      const dl = tcpExt(delta, 'ListenDrops');
      fields.paws_moves_with_listen_drops = dp !== null && dl !== null ? dp > 0 && dp === dl : null;
    }
    return parsed(fields);
  },
});
