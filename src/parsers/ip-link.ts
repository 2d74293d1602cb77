import { defineParser, couldNotParse, parseJsonArray, parsed, int, isRecord, lines, str } from './outcome.js';

/** Bytes an encapsulation adds to each inner packet, on an IPv4 underlay (IPv6 adds 20).
 * IPIP: outer IP 20. VXLAN: outer IP 20 + UDP 8 + VXLAN 8 + inner Ethernet 14 = 50.
 * Geneve: as VXLAN plus options, so at least 50. WireGuard: IP 20 + UDP 8 + header 32 = 60. */
export const ENCAP_OVERHEAD: Readonly<Record<string, number>> = {
  ipip: 20,
  sit: 20,
  gre: 24,
  gretap: 38,
  vxlan: 50,
  geneve: 50,
  wireguard: 60,
};

const OVERLAY_KINDS = new Set(Object.keys(ENCAP_OVERHEAD));

/** Device-name conventions of CNIs, for `ip link` text without `-d` (no kind printed). */
function kindFromName(name: string): string {
  if (/^tunl\d*$/.test(name)) return 'ipip';
  if (/^(vxlan|flannel\.|cilium_vxlan|vxlan\.calico)/.test(name)) return 'vxlan';
  if (/^genev/.test(name)) return 'geneve';
  if (/^(wg|wireguard\.cali|cilium_wg|flannel-wg)/.test(name)) return 'wireguard';
  if (/^(cali|veth|lxc)/.test(name)) return 'veth';
  if (/^(docker\d|cni\d|cbr\d|br-|kube-ipvs0$)/.test(name)) return 'bridge';
  if (name === 'lo') return 'loopback';
  return '';
}

// pod-side and CNI-side devices that are never the node's uplink
const NOT_NIC = /^(lo|cali|veth|lxc|cni|cbr|docker|br-|flannel|kube-|cilium|vxlan|tunl|genev|wg|gre|sit|ip6tnl|nodelocaldns)/;
const NIC_NAME = /^(eth\d+|en[a-z0-9]+|em\d+|bond\d+|eno\d+)$/;

interface Device {
  name: string;
  ifindex: number | null;
  mtu: number | null;
  kind: string;
  state: string;
  up: boolean;
  mac: string;
  master: string;
  link: string;
  link_type: string;
  overlay: boolean;
  overhead: number | null;
  remote: string;
  local: string;
  vni: number | null;
  df: string;
  peer_in_other_netns: boolean;
}

function overheadOf(kind: string, data: Record<string, unknown>): number | null {
  const base = ENCAP_OVERHEAD[kind];
  if (base === undefined) return null;
  const v6 = typeof data.remote6 === 'string' || typeof data.local6 === 'string' || typeof data.group6 === 'string';
  return base + (v6 ? 20 : 0);
}

function fromJson(value: unknown[]): Device[] {
  return value.filter(isRecord).map((d) => {
    const info = isRecord(d.linkinfo) ? d.linkinfo : {};
    const data = isRecord(info.info_data) ? info.info_data : {};
    const name = str(d.ifname) ?? '';
    const kind = str(info.info_kind) ?? (d.link_type === 'loopback' ? 'loopback' : kindFromName(name));
    const flags = Array.isArray(d.flags) ? d.flags : [];
    const linkOfTunnel = typeof data.link === 'string' ? data.link : '';
    return {
      name,
      ifindex: typeof d.ifindex === 'number' ? d.ifindex : null,
      mtu: typeof d.mtu === 'number' ? d.mtu : null,
      kind,
      state: str(d.operstate) ?? '',
      up: flags.includes('UP'),
      mac: str(d.address) ?? '',
      master: str(d.master) ?? '',
      link: linkOfTunnel || (str(d.link) ?? ''),
      link_type: str(d.link_type) ?? '',
      overlay: OVERLAY_KINDS.has(kind),
      overhead: overheadOf(kind, data),
      remote: str(data.remote) ?? str(data.remote6) ?? '',
      local: str(data.local) ?? str(data.local6) ?? '',
      vni: typeof data.id === 'number' ? data.id : null,
      df: str(data.df) ?? '',
      peer_in_other_netns: typeof d.link_netnsid === 'number',
    };
  });
}

// `2: eth0@if5: <BROADCAST,…> mtu 1450 qdisc …` (also without the index, as quoted in write-ups)
const HEADER = /^\s*(?:(\d+):\s*)?([^\s:@<>]+)(?:@([^\s:]+))?:\s*<([^>]*)>\s*mtu\s+(\d+)(.*)$/;
const DETAIL_KIND = /^\s+(vxlan|ipip|geneve|wireguard|veth|bridge|gre|gretap|sit)\b(.*)$/;

function fromText(text: string): Device[] {
  const out: Device[] = [];
  for (const line of lines(text)) {
    const m = HEADER.exec(line);
    if (m) {
      const name = m[2] ?? '';
      const flags = (m[4] ?? '').split(',');
      const rest = m[6] ?? '';
      const kind = name === 'lo' ? 'loopback' : kindFromName(name);
      out.push({
        name,
        ifindex: int(m[1]),
        mtu: int(m[5]),
        kind,
        state: /\bstate\s+(\S+)/.exec(rest)?.[1] ?? '',
        up: flags.includes('UP'),
        mac: '',
        master: /\bmaster\s+(\S+)/.exec(rest)?.[1] ?? '',
        link: m[3] ?? '',
        link_type: '',
        overlay: OVERLAY_KINDS.has(kind),
        overhead: ENCAP_OVERHEAD[kind] ?? null,
        remote: '',
        local: '',
        vni: null,
        df: '',
        peer_in_other_netns: false,
      });
      continue;
    }
    const dev = out[out.length - 1];
    if (!dev) continue;
    const ether = /^\s+link\/(\S+)\s+(\S+)/.exec(line);
    if (ether) {
      dev.link_type = ether[1] ?? '';
      if (ether[1] === 'ether') dev.mac = ether[2] ?? '';
      continue;
    }
    const detail = DETAIL_KIND.exec(line);
    if (detail) {
      dev.kind = detail[1] ?? dev.kind;
      dev.overlay = OVERLAY_KINDS.has(dev.kind);
      dev.overhead = ENCAP_OVERHEAD[dev.kind] ?? null;
      const d = detail[2] ?? '';
      dev.remote = /\bremote\s+(\S+)/.exec(d)?.[1] ?? '';
      dev.local = /\blocal\s+(\S+)/.exec(d)?.[1] ?? '';
      dev.vni = int(/\bid\s+(\d+)/.exec(d)?.[1]);
      dev.link = /\bdev\s+(\S+)/.exec(d)?.[1] ?? dev.link;
    }
  }
  return out;
}

/** The underlay device: the tunnel's own `dev` if it names one, else an UP Ethernet device
 * that no CNI convention marks as virtual, preferring conventional NIC names. */
function pickNic(devices: Device[], overlay: Device | undefined): Device | undefined {
  if (overlay?.link) {
    const byLink = devices.find((d) => d.name === overlay.link);
    if (byLink && !byLink.overlay) return byLink;
  }
  const candidates = devices.filter(
    (d) => d.up && !d.overlay && d.kind !== 'bridge' && d.kind !== 'loopback' && d.master === '' && !NOT_NIC.test(d.name),
  );
  return (
    candidates.find((d) => NIC_NAME.test(d.name)) ??
    candidates.find((d) => d.kind === '') ??
    candidates.find((d) => d.peer_in_other_netns) ??
    candidates[0]
  );
}

export const ipLinkParser = defineParser({
  name: 'ip-link',
  description:
    'ip -j -d link show (or ip link/ip addr text): devices with mtu and kind, the overlay device and its overhead, the NIC, overlay_mtu_too_big',
  fields: [
    'devices',
    'count',
    'mtu_by_device',
    'overlays',
    'overlay_device',
    'overlay_kind',
    'overlay_mtu',
    'overlay_overhead',
    'nic_device',
    'nic_mtu',
    'max_overlay_mtu',
    'overlay_excess',
    'overlay_mtu_too_big',
    'min_mtu',
    'nic_max_payload',
    'overlay_max_payload',
  ],
  parse({ stdout }) {
    const text = stdout.trim();
    if (text === '') return couldNotParse('ip link output', 'empty output');
    let devices: Device[];
    if (text.startsWith('[')) {
      const value = parseJsonArray(text, 'ip -j link output', 'a JSON array of devices');
      if (!Array.isArray(value)) return value;
      devices = fromJson(value).filter((d) => d.name !== '');
    } else {
      devices = fromText(text);
    }
    if (devices.length === 0) return couldNotParse('ip link output', 'no device lines (expected `ip -j -d link show`)');
    const overlays = devices.filter((d) => d.overlay && d.mtu !== null);
    // with several tunnels (Calico keeps tunl0 next to vxlan.calico), report the UP one
    // whose MTU leaves the least room on the NIC
    const nicFor = (o: Device) => pickNic(devices, o);
    const excessOf = (o: Device) => {
      const nic = nicFor(o);
      return nic?.mtu != null && o.mtu !== null && o.overhead !== null ? o.mtu + o.overhead - nic.mtu : Number.NEGATIVE_INFINITY;
    };
    const ranked = [...overlays].sort((a, b) => Number(b.up) - Number(a.up) || excessOf(b) - excessOf(a));
    const overlay = ranked[0];
    const nic = pickNic(devices, overlay);
    const nicMtu = nic?.mtu ?? null;
    const overhead = overlay?.overhead ?? null;
    const excess = overlay && overlay.mtu !== null && overhead !== null && nicMtu !== null ? overlay.mtu + overhead - nicMtu : null;
    const mtuByDevice: Record<string, number | null> = {};
    for (const d of devices) mtuByDevice[d.name] = d.mtu;
    const upMtus = devices.filter((d) => d.up && d.kind !== 'loopback' && d.mtu !== null).map((d) => d.mtu as number);
    return parsed({
      devices: devices,
      count: devices.length,
      mtu_by_device: mtuByDevice,
      overlays: overlays.map((o) => ({ name: o.name, kind: o.kind, mtu: o.mtu, overhead: o.overhead, up: o.up, remote: o.remote, vni: o.vni, df: o.df })),
      overlay_device: overlay?.name ?? null,
      overlay_kind: overlay?.kind ?? null,
      overlay_mtu: overlay?.mtu ?? null,
      overlay_overhead: overhead,
      nic_device: nic?.name ?? null,
      nic_mtu: nicMtu,
      max_overlay_mtu: nicMtu !== null && overhead !== null ? nicMtu - overhead : null,
      overlay_excess: excess,
      overlay_mtu_too_big: excess === null ? null : excess > 0,
      // biggest ICMP payload a don't-fragment ping can carry (IPv4 20 + ICMP 8)
      nic_max_payload: nicMtu !== null ? nicMtu - 28 : null,
      overlay_max_payload: overlay?.mtu != null ? overlay.mtu - 28 : null,
      min_mtu: upMtus.length > 0 ? upMtus.reduce((a, b) => Math.min(a, b)) : null,
    });
  },
});
