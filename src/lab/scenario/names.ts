// Deterministic names and addresses for lab pods: the same scenario gives the same pod names
// and IPs on every run (tests and write-ups can quote them), yet they look like a cluster's.
import { createHash } from 'node:crypto';

// Kubernetes' rand.SafeEncodeString alphabet: no vowels, no 0/1/3, so names never spell words.
const ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function encode(seed: string, length: number): string {
  const digest = createHash('sha256').update(seed).digest();
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[digest[i]! % ALPHABET.length];
  return out;
}

/** pod-template-hash of a ReplicaSet: 10 characters, like `6848c8c686` in a real cluster */
export function templateHash(seed: string): string {
  return encode(`template:${seed}`, 10);
}

/** 5-character pod suffix, like `z2p6h` */
export function podSuffix(seed: string): string {
  return encode(`pod:${seed}`, 5);
}

/** deterministic uid-shaped id */
export function stableUid(seed: string): string {
  const h = createHash('sha256').update(`uid:${seed}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

export function parseCidr(cidr: string): { base: number; size: number } {
  const [addr, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const base = ipToInt(addr!) - (ipToInt(addr!) % size);
  return { base, size };
}

export function cidrContains(cidr: string, ip: string): boolean {
  const { base, size } = parseCidr(cidr);
  const n = ipToInt(ip);
  return n >= base && n < base + size;
}

/**
 * Hands out pod IPs per node from its podCidr, skipping .0, .1 (the node's gateway side) and
 * the broadcast address, and never reusing an address still taken.
 */
export class PodIpAllocator {
  private readonly taken = new Set<string>();
  private readonly next = new Map<string, number>();

  constructor(private readonly podCidrs: Map<string, string>) {}

  reserve(ip: string): void {
    this.taken.add(ip);
  }

  release(ip: string): void {
    this.taken.delete(ip);
  }

  allocate(node: string): string {
    const cidr = this.podCidrs.get(node);
    if (!cidr) throw new Error(`node ${node} has no podCidr`);
    const { base, size } = parseCidr(cidr);
    const start = this.next.get(node) ?? 2;
    for (let k = 0; k < size - 3; k++) {
      const off = 2 + ((start - 2 + k) % (size - 3));
      const ip = intToIp(base + off);
      if (!this.taken.has(ip)) {
        this.taken.add(ip);
        this.next.set(node, off + 1);
        return ip;
      }
    }
    throw new Error(`node ${node}: pod CIDR ${cidr} is full`);
  }
}
