// Names and addresses the netns lab derives from a scenario. Pure functions only.
// Namespace names carry a per-lab random prefix so concurrent labs never collide; device
// names live inside the lab's own namespaces, so only their 15-character limit matters.
import { createHash, randomBytes } from 'node:crypto';

export const IFNAMSIZ = 15;

/** short random lab prefix, e.g. "nw3k9q": letters and digits only, safe in any name */
export function makeLabPrefix(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(4);
  let out = 'nw';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/** keeps [a-z0-9-] only, so a Kubernetes name can never smuggle a path or an option */
export function safePart(s: string): string {
  const cleaned = s.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+/, '');
  return cleaned.length > 0 ? cleaned : 'x';
}

function shortHash(s: string, len: number): string {
  return createHash('sha1').update(s).digest('hex').slice(0, len);
}

export function wireNetns(prefix: string): string {
  return `${prefix}-wire`;
}

export function lbNetns(prefix: string): string {
  return `${prefix}-lb`;
}

export function nodeNetns(prefix: string, node: string): string {
  return `${prefix}-node-${safePart(node)}`;
}

export function podNetns(prefix: string, namespace: string, pod: string): string {
  // netns names are files under /run/netns: keep them readable but bounded
  const base = `${prefix}-pod-${safePart(namespace)}-${safePart(pod)}`;
  return base.length <= 100 ? base : `${base.slice(0, 90)}-${shortHash(base, 8)}`;
}

/** host side of a pod's veth, named like Calico's: "cali" + 11 hex chars of a hash */
export function caliName(namespace: string, pod: string): string {
  return `cali${shortHash(`${namespace}.${pod}`, IFNAMSIZ - 4)}`;
}

/** the wire-side end of a node's underlay veth (unique inside the wire namespace) */
export function wirePortName(index: number): string {
  return `u${index}`;
}

/** Calico gives every cali* veth this MAC and pods a static neighbour for 169.254.1.1 */
export const CALI_MAC = 'ee:ee:ee:ee:ee:ee';
export const POD_GATEWAY = '169.254.1.1';

/** a stable, locally administered MAC for a node's VXLAN device */
export function vtepMac(nodeIndex: number): string {
  const hi = (nodeIndex >> 8) & 0xff;
  const lo = nodeIndex & 0xff;
  return `66:6e:77:00:${hex2(hi)}:${hex2(lo)}`;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

export function parseIPv4(ip: string): number {
  const parts = ip.split('.');
  if (parts.length !== 4) throw new Error(`not an IPv4 address: ${ip}`);
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) throw new Error(`not an IPv4 address: ${ip}`);
    n = n * 256 + v;
  }
  return n >>> 0;
}

export function formatIPv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
}

export function parseCidr(cidr: string): { base: number; bits: number } {
  const [ip, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (ip === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) {
    throw new Error(`not an IPv4 CIDR: ${cidr}`);
  }
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (parseIPv4(ip) & mask) >>> 0, bits };
}

export function cidrContains(cidr: string, ip: string): boolean {
  const { base, bits } = parseCidr(cidr);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return ((parseIPv4(ip) & mask) >>> 0) === base;
}

/** the normalised network form of a CIDR, e.g. 10.244.1.7/24 → 10.244.1.0/24 */
export function cidrNetwork(cidr: string): string {
  const { base, bits } = parseCidr(cidr);
  return `${formatIPv4(base)}/${bits}`;
}

/** Calico-style VTEP address of a node: the first address of its pod CIDR */
export function vtepAddress(podCidr: string): string {
  return formatIPv4(parseCidr(podCidr).base);
}

/**
 * An address for the "LAN host" (the wire namespace's bridge): a free address in the nodes'
 * /24, searched from .250 down, so arping and connects can come from a machine on the
 * nodes' L2 that is not itself a node (like the engineer's box in incident 003).
 */
export function lanHostAddress(nodeIps: string[], otherUsed: string[] = []): string {
  const first = nodeIps[0];
  if (first === undefined) throw new Error('a scenario needs at least one node');
  const base = (parseIPv4(first) & 0xffffff00) >>> 0;
  const used = new Set([...nodeIps, ...otherUsed].flatMap((ip) => (/^\d+\.\d+\.\d+\.\d+$/.test(ip) ? [parseIPv4(ip)] : [])));
  for (let host = 250; host >= 2; host--) {
    const cand = (base + host) >>> 0;
    if (!used.has(cand)) return formatIPv4(cand);
  }
  throw new Error(`no free address for the lab's LAN host in ${formatIPv4(base)}/24`);
}

/** VXLAN adds 50 bytes (outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14); IPIP adds 20 */
export const VXLAN_OVERHEAD = 50;
export const IPIP_OVERHEAD = 20;
