import { describe, expect, it } from 'vitest';
import { latestPathPicture, lostAt, narrowestMtu, toHops } from '../../src/ui/path-hops.js';
import { state } from './fixtures.js';
import type { FactValue } from '../../src/engine/types.js';

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
