import { describe, expect, it } from 'vitest';
import { fixture, parseLab, parseOk, run } from './fixtures.js';

describe('ip-link', () => {
  it('finds the VXLAN overlay that does not fit the NIC (lab node: vxlan0 1440 over 1450)', () => {
    const f = parseLab('ip-link', 'ip-link-node-vxlan.json');
    expect(f).toMatchObject({
      overlay_device: 'vxlan0',
      overlay_kind: 'vxlan',
      overlay_mtu: 1440,
      overlay_overhead: 50,
      nic_device: 'ua',
      nic_mtu: 1450,
      max_overlay_mtu: 1400,
      overlay_excess: 40,
      overlay_mtu_too_big: true,
    });
    expect(f.mtu_by_device).toMatchObject({ lo: 65536, ua: 1450, vxlan0: 1440, 'kube-ipvs0': 1500 });
    const dev = (f.devices as Record<string, unknown>[]).find((d) => d.name === 'vxlan0');
    expect(dev).toMatchObject({ kind: 'vxlan', vni: 42, df: 'set', remote: '10.199.0.2' });
    expect((f.devices as Record<string, unknown>[]).find((d) => d.name === 'kube-ipvs0')).toMatchObject({ kind: 'bridge', up: false });
  });

  it('a pod netns has no overlay; its eth0 (a veth) is the NIC', () => {
    const f = parseLab('ip-link', 'ip-link-pod-veth.json');
    expect(f.overlay_device).toBeNull();
    expect(f.overlay_mtu_too_big).toBeNull();
    expect(f.nic_device).toBe('eth0');
    expect(f.nic_mtu).toBe(1500);
  });

  it('reads the text lines quoted in incident 004 (ip a eth0 1450; vxlan.calico 1400)', () => {
    const f = parseOk('ip-link', fixture('incidents/004-ip-a-eth0.txt') + fixture('incidents/004-vxlan-calico-link.txt'));
    expect(f).toMatchObject({ nic_device: 'eth0', nic_mtu: 1450, overlay_device: 'vxlan.calico', overlay_mtu: 1400, overlay_overhead: 50, overlay_mtu_too_big: false });
  });

  it('incident 004 itself: tunl0 1440 (IPIP +20) over eth0 1450 is too big', () => {
    const text = `${fixture('incidents/004-ip-a-eth0.txt')}5: tunl0@NONE: <NOARP,UP,LOWER_UP> mtu 1440 qdisc noqueue state UNKNOWN group default qlen 1000\n    link/ipip 0.0.0.0 brd 0.0.0.0\n`;
    const f = parseOk('ip-link', text);
    expect(f).toMatchObject({ overlay_device: 'tunl0', overlay_kind: 'ipip', overlay_overhead: 20, overlay_excess: 10, overlay_mtu_too_big: true });
  });

  it('garbage is a clear failure', () => {
    expect(run('ip-link', 'Device "eth9" does not exist.')).toMatchObject({ ok: false });
    expect(run('ip-link', '[1,2')).toMatchObject({ ok: false, error: expect.stringMatching(/^could not parse ip -j link output/) });
  });
});

describe('ip-addr', () => {
  it('sees the VIP on a DOWN kube-ipvs0 (what hostname -I missed in incident 003)', () => {
    const f = parseLab('ip-addr', 'ip-addr-node-kube-ipvs0.json');
    expect(f.ipvs_ips).toEqual(['10.199.3.250']);
    expect(f.ips).toContain('10.199.3.250');
    expect(f.ipv4).toEqual(['127.0.0.1', '10.199.3.11', '10.199.3.250']);
    expect(f.ips_by_device).toMatchObject({ eth0: ['10.199.3.11', 'fe80::f844:a1ff:fe72:946f'] });
  });

  it('reads the lab node and the incident text', () => {
    expect(parseLab('ip-addr', 'ip-addr-node.json').ipvs_ips).toEqual(['10.199.9.9']);
    const f = parseOk('ip-addr', fixture('incidents/004-ip-a-eth0.txt'));
    expect(f.addresses).toEqual([{ ip: '10.1.0.11', prefixlen: 24, dev: 'eth0', family: 'inet', scope: 'global' }]);
  });
});

describe('ip-neigh', () => {
  it('lists MACs per address and failed entries', () => {
    const f = parseLab('ip-neigh', 'ip-neigh-node.json');
    expect(f.macs_by_ip).toEqual({ '10.199.0.2': ['4a:7f:c5:78:d2:d7'], '10.199.1.2': ['82:08:13:ba:ab:19'] });
    expect(f.failed_ips).toEqual(['10.199.0.77']);
    expect(f.duplicate_ips).toEqual([]);
  });

  it('reads text output and flags one IP behind two MACs', () => {
    const text = '10.199.3.250 dev eth0 lladdr be:ae:63:c3:ca:ca REACHABLE\n10.199.3.250 dev eth1 lladdr fa:44:a1:72:94:6f STALE\n';
    const f = parseOk('ip-neigh', text);
    expect(f.duplicate_ips).toEqual(['10.199.3.250']);
    expect(parseLab('ip-neigh', 'ip-neigh-client-vip.json').macs_by_ip).toMatchObject({ '10.199.3.250': ['be:ae:63:c3:ca:ca'] });
  });
});
