// The path picture's data: which hops a packet was seen at, and each device's MTU.
//
// Fact shape (documented for playbook/parser authors): any fact whose value is an object
// with a `hops` array draws a path. Each hop is
//   { name: string,            // what the operator reads: "client pod", "veth", "tunl0"…
//     device?: string,         // interface name, e.g. "cali1234", "vxlan.calico", "eth0"
//     node?: string,           // node it lives on (absent for the pod side)
//     seen?: boolean | null,   // capture-per-hop: packet seen here (null/absent = not captured)
//     mtu?: number }           // compare-mtu: the device MTU
// in path order, client side first. Optional `path_mtu` (number) on the same object is the
// measured end-to-end MTU, shown under the picture.
import type { FactValue, Facts, SessionState } from '../engine/types.js';

export interface Hop {
  name: string;
  device?: string;
  node?: string;
  seen?: boolean | null;
  mtu?: number;
}

export interface PathPicture {
  /** fact name it came from */
  source: string;
  hops: Hop[];
  pathMtu?: number;
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
    hops.push(hop);
  }
  return hops.length > 0 ? hops : null;
}

function fromFacts(facts: Facts, preferred: string[]): PathPicture | null {
  for (const name of preferred) {
    const hops = toHops(facts[name]);
    if (hops) return picture(name, facts[name], hops);
  }
  // otherwise the most recently set fact with hops (object key order is insertion order)
  const names = Object.keys(facts).reverse();
  for (const name of names) {
    const hops = toHops(facts[name]);
    if (hops) return picture(name, facts[name], hops);
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
    // a finished call stores {status, cause, evidence, facts}; look one level in
    for (const name of [...recent, ...Object.keys(frame.facts).reverse()]) {
      const v = frame.facts[name];
      if (isRecord(v) && isRecord(v.facts)) {
        const inner = fromFacts(v.facts, []);
        if (inner) return { ...inner, source: `${name}.${inner.source}` };
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
