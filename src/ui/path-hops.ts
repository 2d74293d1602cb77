// The path picture's data: which hops a packet was seen at, and each device's MTU.
//
// Fact shape (documented for playbook/parser authors): any fact whose value is an object
// with a `hops` array draws a path. Each hop is
//   { name: string,            // what the operator reads: "client pod", "veth", "tunl0"…
//     device?: string,         // interface name, e.g. "cali1234", "vxlan.calico", "eth0"
//     node?: string,           // node it lives on (absent for the pod side)
//     seen?: boolean | null,   // capture-per-hop: packet seen here (null/absent = not captured)
//     mtu?: number,            // compare-mtu: the device MTU
//     detail?: string }        // a few words shown after the hop, e.g. "max 1468B"
// in path order, client side first. Optional `path_mtu` (number) on the same object is the
// measured end-to-end MTU, shown under the picture.
//
// Two shapes the shipped playbooks already produce are drawn too, without a `hops` field:
// - capture-per-hop's foreach result: a list of hop-capture results, each
//   {item: {hop: "client node tunnel", a5: DEVICE, …}, kind: "capture", packet_count, max_length}
// - an ip-link result of a node ({overlay_device, overlay_mtu, nic_device, nic_mtu, …}),
//   preceded by the pod's eth0 when a pod ip-link fact (nic_mtu, no overlay) is known.
import type { FactValue, Facts, SessionState } from '../engine/types.js';

export interface Hop {
  name: string;
  device?: string;
  node?: string;
  seen?: boolean | null;
  mtu?: number;
  detail?: string;
}

export interface PathPicture {
  /** fact name it came from */
  source: string;
  hops: Hop[];
  pathMtu?: number;
  /** a hop the facts single out (e.g. a tunnel whose MTU + overhead exceeds the NIC's) */
  highlight?: number;
  /** one line from the facts that explains the highlight */
  note?: string;
}

function isRecord(v: FactValue | undefined): v is { [k: string]: FactValue } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function toHops(value: FactValue | undefined): Hop[] | null {
  if (!isRecord(value) || !Array.isArray(value.hops)) return null;
  const hops: Hop[] = [];
  for (const h of value.hops) {
    if (!isRecord(h) || typeof h.name !== 'string') return null;
    const hop: Hop = { name: h.name };
    if (typeof h.device === 'string') hop.device = h.device;
    if (typeof h.node === 'string') hop.node = h.node;
    if (typeof h.seen === 'boolean' || h.seen === null) hop.seen = h.seen;
    if (typeof h.mtu === 'number') hop.mtu = h.mtu;
    if (typeof h.detail === 'string') hop.detail = h.detail;
    hops.push(hop);
  }
  return hops.length > 0 ? hops : null;
}

/** capture-per-hop's list of per-hop capture results (the ping item is left out). */
export function hopsFromCaptures(value: FactValue | undefined): Hop[] | null {
  if (!Array.isArray(value)) return null;
  const hops: Hop[] = [];
  for (const r of value) {
    if (!isRecord(r) || !isRecord(r.item) || typeof r.item.hop !== 'string') continue;
    if (r.kind === 'ping' || r.item.tool === 'ping') continue;
    const hop: Hop = { name: r.item.hop };
    if (typeof r.item.a5 === 'string') hop.device = r.item.a5;
    // a capture that did not run (skipped, no such device) says nothing either way
    hop.seen = r.kind === 'capture' && typeof r.packet_count === 'number' ? r.packet_count > 0 : null;
    if (typeof r.max_length === 'number' && r.max_length > 0) hop.detail = `max ${r.max_length}B`;
    hops.push(hop);
  }
  return hops.length >= 2 ? hops : null;
}

function isNodeLinks(v: FactValue | undefined): v is { [k: string]: FactValue } {
  return isRecord(v) && typeof v.overlay_device === 'string' && typeof v.overlay_mtu === 'number' && typeof v.nic_mtu === 'number';
}

/** compare-mtu: pod eth0 → node tunnel → node NIC, each with its MTU. */
function mtuPicture(facts: Facts, name: string): PathPicture | null {
  const node = facts[name];
  if (!isNodeLinks(node)) return null;
  const hops: Hop[] = [];
  const pod = Object.values(facts).find((v) => isRecord(v) && v !== node && typeof v.nic_mtu === 'number' && (v.overlay_device === null || v.overlay_device === undefined));
  if (isRecord(pod) && typeof pod.nic_mtu === 'number') hops.push({ name: 'pod', device: typeof pod.nic_device === 'string' ? pod.nic_device : 'eth0', mtu: pod.nic_mtu });
  hops.push({ name: 'tunnel', device: node.overlay_device as string, mtu: node.overlay_mtu as number });
  hops.push({ name: 'node NIC', device: typeof node.nic_device === 'string' ? node.nic_device : 'eth0', mtu: node.nic_mtu as number });
  const p: PathPicture = { source: name, hops };
  if (node.overlay_mtu_too_big === true && typeof node.overlay_overhead === 'number') {
    p.highlight = hops.length - 2;
    p.note = `${node.overlay_device} MTU ${node.overlay_mtu} + ${node.overlay_overhead} bytes of encapsulation > ${hops[hops.length - 1]?.device} MTU ${node.nic_mtu}`;
  }
  return p;
}

function pictureOf(facts: Facts, name: string): PathPicture | null {
  const v = facts[name];
  const hops = toHops(v) ?? hopsFromCaptures(v);
  if (hops) return picture(name, v, hops);
  return mtuPicture(facts, name);
}

function fromFacts(facts: Facts, preferred: string[]): PathPicture | null {
  for (const name of preferred) {
    const p = pictureOf(facts, name);
    if (p) return p;
  }
  // otherwise the most recently set fact with hops (object key order is insertion order)
  for (const name of Object.keys(facts).reverse()) {
    const p = pictureOf(facts, name);
    if (p) return p;
  }
  return null;
}

function picture(source: string, value: FactValue | undefined, hops: Hop[]): PathPicture {
  const p: PathPicture = { source, hops };
  if (isRecord(value) && typeof value.path_mtu === 'number') p.pathMtu = value.path_mtu;
  return p;
}

/** The newest path picture in the session: active frames first (innermost), then the
 * results of finished sub-playbook calls (`{facts: {...}}`) the root keeps. */
export function latestPathPicture(state: SessionState): PathPicture | null {
  const recent = state.history
    .slice(-8)
    .reverse()
    .map((h) => h.stepId);
  for (let i = state.frames.length - 1; i >= 0; i--) {
    const frame = state.frames[i];
    if (!frame) continue;
    const direct = fromFacts(frame.facts, recent);
    if (direct) return direct;
    // a finished call stores {status, cause, evidence, facts}, a foreach of calls a list of
    // them: look one level in, newest first
    for (const name of [...recent, ...Object.keys(frame.facts).reverse()]) {
      const v = frame.facts[name];
      const calls = Array.isArray(v) ? [...v].reverse() : [v];
      for (const [i, call] of calls.entries()) {
        if (!isRecord(call) || !isRecord(call.facts)) continue;
        const inner = fromFacts(call.facts, []);
        const at = Array.isArray(v) ? `[${v.length - 1 - i}]` : '';
        if (inner) return { ...inner, source: `${name}${at}.${inner.source}` };
      }
    }
  }
  return null;
}

/** The first hop that did not see the packet: where it disappeared (null = none lost). */
export function lostAt(hops: Hop[]): number | null {
  const i = hops.findIndex((h) => h.seen === false);
  return i >= 0 ? i : null;
}

/** Index of the hop whose MTU is the smallest on the path, when MTUs differ. */
export function narrowestMtu(hops: Hop[]): number | null {
  let idx: number | null = null;
  let min = Infinity;
  let max = -Infinity;
  hops.forEach((h, i) => {
    if (h.mtu === undefined) return;
    if (h.mtu < min) {
      min = h.mtu;
      idx = i;
    }
    max = Math.max(max, h.mtu);
  });
  return idx !== null && min < max ? idx : null;
}
