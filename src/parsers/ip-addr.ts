import { defineParser, couldNotParse, parseJsonArray, parsed, distinct, int, isRecord, lines, str } from './outcome.js';

interface Addr {
  ip: string;
  prefixlen: number | null;
  dev: string;
  family: string;
  scope: string;
}

function fromJson(value: unknown[]) {
  const devices: { name: string; mtu: number | null; up: boolean; state: string; mac: string; addresses: string[] }[] = [];
  const addrs: Addr[] = [];
  for (const d of value.filter(isRecord)) {
    const name = str(d.ifname) ?? '';
    const list = Array.isArray(d.addr_info) ? d.addr_info.filter(isRecord) : [];
    const mine: Addr[] = list
      .filter((a) => typeof a.local === 'string')
      .map((a) => ({
        ip: a.local as string,
        prefixlen: typeof a.prefixlen === 'number' ? a.prefixlen : null,
        dev: name,
        family: str(a.family) ?? '',
        scope: str(a.scope) ?? '',
      }));
    addrs.push(...mine);
    devices.push({
      name,
      mtu: typeof d.mtu === 'number' ? d.mtu : null,
      up: Array.isArray(d.flags) && d.flags.includes('UP'),
      state: str(d.operstate) ?? '',
      mac: str(d.address) ?? '',
      addresses: mine.map((a) => `${a.ip}/${a.prefixlen ?? ''}`),
    });
  }
  return { devices, addrs };
}

// text `ip addr`: "2: eth0: <…> mtu 1450 …" then "    inet 10.1.0.11/24 brd … scope global eth0"
function fromText(text: string) {
  const devices: { name: string; mtu: number | null; up: boolean; state: string; mac: string; addresses: string[] }[] = [];
  const addrs: Addr[] = [];
  for (const line of lines(text)) {
    const h = /^\s*(?:\d+:\s*)?([^\s:@<>]+)(?:@\S+)?:\s*<([^>]*)>\s*mtu\s+(\d+)(.*)$/.exec(line);
    if (h) {
      devices.push({
        name: h[1] ?? '',
        mtu: int(h[3]),
        up: (h[2] ?? '').split(',').includes('UP'),
        state: /\bstate\s+(\S+)/.exec(h[4] ?? '')?.[1] ?? '',
        mac: '',
        addresses: [],
      });
      continue;
    }
    const dev = devices[devices.length - 1];
    const a = /^\s*(inet6?)\s+([0-9a-fA-F:.]+)(?:\/(\d+))?\s*(.*)$/.exec(line);
    if (a && dev) {
      const ip = a[2] ?? '';
      const prefixlen = int(a[3]);
      addrs.push({ ip, prefixlen, dev: dev.name, family: a[1] ?? '', scope: /\bscope\s+(\S+)/.exec(a[4] ?? '')?.[1] ?? '' });
      dev.addresses.push(`${ip}/${prefixlen ?? ''}`);
      continue;
    }
    const l = /^\s+link\/ether\s+(\S+)/.exec(line);
    if (l && dev) dev.mac = l[1] ?? '';
  }
  return { devices, addrs };
}

/** Addresses per device; `ips` answers "does this host carry address X" (`X in addr.ips`),
 * which `hostname -I` does not for addresses on a DOWN kube-ipvs0 (incident 003). */
export const ipAddrParser = defineParser({
  name: 'ip-addr',
  description: 'ip -j addr show (or text): devices with addresses, addresses [{ip, prefixlen, dev, family, scope}], ips, ips_by_device, ipvs_ips',
  fields: ['devices', 'addresses', 'ips', 'ipv4', 'ips_by_device', 'ipvs_ips', 'count'],
  parse({ stdout }) {
    const text = stdout.trim();
    if (text === '') return couldNotParse('ip addr output', 'empty output');
    let r: ReturnType<typeof fromJson>;
    if (text.startsWith('[')) {
      const value = parseJsonArray(text, 'ip -j addr output', 'a JSON array of devices');
      if (!Array.isArray(value)) return value;
      r = fromJson(value);
    } else {
      r = fromText(text);
    }
    if (r.devices.length === 0) return couldNotParse('ip addr output', 'no device lines (expected `ip -j addr show`)');
    const byDev: Record<string, string[]> = {};
    for (const a of r.addrs) (byDev[a.dev] ??= []).push(a.ip);
    return parsed({
      devices: r.devices,
      addresses: r.addrs,
      ips: distinct(r.addrs.map((a) => a.ip)),
      ipv4: distinct(r.addrs.filter((a) => a.family === 'inet').map((a) => a.ip)),
      ips_by_device: byDev,
      ipvs_ips: byDev['kube-ipvs0'] ?? [],
      count: r.addrs.length,
    });
  },
});
