import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ipLinkParser } from '../../src/parsers/ip-link.js';
import { hopCaptureParser } from '../../src/parsers/hop-capture.js';
import { latestPathPicture, lostAt, narrowestMtu, toHops } from '../../src/ui/path-hops.js';
import { state } from './fixtures.js';
import type { FactValue } from '../../src/engine/types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const capture: FactValue = {
  exit_code: 0,
  hops: [
    { name: 'client pod', device: 'eth0', seen: true },
    { name: 'veth', device: 'cali12ab', node: 'node-a', seen: true },
    { name: 'tunnel', device: 'tunl0', node: 'node-a', seen: true, mtu: 1440 },
    { name: 'node NIC', device: 'eth0', node: 'node-a', seen: false, mtu: 1450 },
    { name: 'node NIC', device: 'eth0', node: 'node-b', seen: false, mtu: 1450 },
    { name: 'server pod', device: 'eth0', seen: false },
  ],
};

describe('path hops', () => {
  it('reads the documented hop shape and rejects anything else', () => {
    expect(toHops(capture)).toHaveLength(6);
    expect(toHops({ hops: [{ device: 'eth0' }] })).toBeNull();
    expect(toHops({ hops: [] })).toBeNull();
    expect(toHops('hops')).toBeNull();
  });

  it('finds where the packet disappeared and the narrowest MTU', () => {
    const hops = toHops(capture)!;
    expect(lostAt(hops)).toBe(3);
    expect(narrowestMtu(hops)).toBe(2);
    expect(narrowestMtu([{ name: 'a', mtu: 1500 }, { name: 'b', mtu: 1500 }])).toBeNull();
    expect(lostAt([{ name: 'a', seen: true }])).toBeNull();
  });

  it('takes the picture from the latest step, also inside a finished sub-playbook call', () => {
    const direct = state({
      frames: [{ playbookId: 'p', stepId: 'x', facts: { capture } }],
      history: [{ seq: 1, playbookId: 'p', stepId: 'capture', kind: 'run', summary: 'exit 0', next: null }],
    });
    expect(latestPathPicture(direct)?.source).toBe('capture');
    const nested = state({
      frames: [{ playbookId: 'p', stepId: 'x', facts: { 'per-hop': { status: 'concluded', cause: 'overlay-mtu', evidence: 'e', facts: { hops_seen: { ...(capture as Record<string, FactValue>), path_mtu: 1430 } } } } }],
    });
    const p = latestPathPicture(nested);
    expect(p?.source).toBe('per-hop.hops_seen');
    expect(p?.pathMtu).toBe(1430);
    expect(latestPathPicture(state())).toBeNull();
  });
});

describe('path pictures from what the shipped parsers produce (real lab output)', () => {
  const fixture = (name: string) => readFileSync(path.join(root, 'test/fixtures/parsers/lab', name), 'utf8');
  const fieldsOf = (r: ReturnType<typeof ipLinkParser.parse>): Record<string, FactValue> => {
    if (!r.ok) throw new Error(r.error);
    return r.fields;
  };

  it('compare-mtu: pod eth0 → tunnel → NIC with MTUs, the too-big tunnel singled out', () => {
    const podlink = fieldsOf(ipLinkParser.parse({ stdout: fixture('ip-link-pod-veth.json'), stderr: '', exitCode: 0 }));
    const nodelink = fieldsOf(ipLinkParser.parse({ stdout: fixture('ip-link-node-vxlan.json'), stderr: '', exitCode: 0 }));
    const p = latestPathPicture(state({ frames: [{ playbookId: 'compare-mtu', stepId: 'x', facts: { podlink, nodelink } }] }));
    expect(p?.hops.map((h) => [h.name, h.device, h.mtu])).toEqual([
      ['pod', 'eth0', 1500],
      ['tunnel', 'vxlan0', 1440],
      ['node NIC', nodelink.nic_device, 1450],
    ]);
    expect(p?.highlight).toBe(1);
    expect(p?.note).toBe(`vxlan0 MTU 1440 + 50 bytes of encapsulation > ${String(nodelink.nic_device)} MTU 1450`);
  });

  it('capture-per-hop: seen where tcpdump captured packets, not seen where it captured none', () => {
    const capture = (hop: string, dev: string, stdout: string, stderr: string) => ({
      item: { hop, a5: dev, tool: 'tcpdump' },
      exit_code: 0,
      ...fieldsOf(hopCaptureParser.parse({ stdout, stderr, exitCode: 0 })),
    });
    const hops: FactValue = [
      capture('client node tunnel', 'vxlan0', fixture('tcpdump-hop-sender-vxlan0.txt'), ''),
      capture('client node NIC', 'eth0', '', '0 packets captured\n0 packets received by filter\n0 packets dropped by kernel\n'),
      { item: { hop: 'ping', tool: 'ping' }, kind: 'ping', exit_code: 1 },
    ];
    const p = latestPathPicture(state({ frames: [{ playbookId: 'capture-per-hop', stepId: 'x', facts: { hops } }] }));
    expect(p?.hops.map((h) => [h.name, h.device, h.seen])).toEqual([
      ['client node tunnel', 'vxlan0', true],
      ['client node NIC', 'eth0', false],
    ]);
    expect(p?.hops[0]?.detail).toMatch(/^max \d+B$/);
    expect(lostAt(p!.hops)).toBe(1);
  });
});

describe('path picture after a sub-playbook returned', () => {
  it('is found inside a foreach of calls (the last call that has one)', () => {
    const inner = { hops: [{ name: 'pod', mtu: 1440 }, { name: 'tunnel', mtu: 1440 }] };
    const s = state({
      frames: [{ playbookId: 'p', stepId: 'x', facts: { mtu: [{ item: 'a', status: 'concluded', cause: 'x', evidence: '', facts: { nothing: 1 } }, { item: 'b', status: 'concluded', cause: 'y', evidence: '', facts: { links: inner } }] } }],
    });
    expect(latestPathPicture(s)?.source).toBe('mtu[1].links');
  });
});
