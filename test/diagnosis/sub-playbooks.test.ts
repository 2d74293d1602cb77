// The sub-playbooks that change the cluster or need several targets at once, run on their
// own against labs: capture-per-hop (seven concurrent jobs on pods and node pods),
// pin-to-node and isolate-replicas (mutations the journal must put back).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type TestLab } from '../helpers/lab.js';
import { runPlaybook } from './diagnose.js';

interface PodList {
  items: { metadata: { name: string }; spec: { nodeName: string; nodeSelector?: Record<string, string> }; status: { podIP: string } }[];
}

describe('sub-playbooks on the overlay-mtu lab', () => {
  let lab: TestLab;
  let state: string;
  beforeAll(async () => {
    lab = await startLab('overlay-mtu', { dataPlane: 'netns' });
    state = await mkdtemp(join(tmpdir(), 'netwiz-sub-'));
  }, 120_000);
  const pcaps: string[] = [];
  afterAll(async () => {
    await lab?.stop();
    await rm(state, { recursive: true, force: true });
    for (const f of pcaps) await rm(f, { force: true });
  });

  async function apiserverPods(): Promise<PodList['items']> {
    return (JSON.parse((await lab.kubectl(['get', 'pods', '-n', 'app-system', '-l', 'app=apiserver', '-o', 'json'])).stdout) as PodList).items;
  }

  it('capture-per-hop: the full-size packet is on the sending node tunnel and never on its NIC', async () => {
    const server = (await apiserverPods()).find((p) => p.spec.nodeName === 'vm-5')!;
    const vars = { namespace: 'app-system', client_pod: 'client', client_node: 'vm-4', server_pod: server.metadata.name, server_ip: server.status.podIP, server_node: 'vm-5' };
    for (const size of ['1412', '1200']) {
      for (const hop of ['1-client-pod', '2-client-node-tunnel', '3-client-node-nic', '4-server-node-nic', '5-server-node-tunnel', '6-server-pod']) {
        pcaps.push(`/tmp/netwiz-hop-${hop}-${server.status.podIP}-${size}.pcap`);
      }
    }
    const big = await runPlaybook(lab, 'capture-per-hop', { ...vars, size: '1412' }, state);
    expect(big.result).toMatchObject({ status: 'concluded', cause: 'overlay-mtu' });
    const text = big.result.evidence.join('\n');
    expect(text).toMatch(/client eth0 1420, vm-4 tunnel 1420, vm-4 NIC 0, vm-5 NIC 0, vm-5 tunnel 0, server eth0 0/);
    // seven jobs ran side by side: six tcpdumps and the ping
    const jobs = big.result.commands.filter((c) => c.argv[0] === 'timeout');
    expect(jobs.map((c) => c.argv[2])).toEqual(['tcpdump', 'tcpdump', 'tcpdump', 'tcpdump', 'tcpdump', 'tcpdump', 'ping']);
    // the lab's pods and node pods run on this machine, so the pcaps are here: Wireshark-ready
    const pcap = `/tmp/netwiz-hop-2-client-node-tunnel-${server.status.podIP}-1412.pcap`;
    const read = spawnSync('tcpdump', ['-nn', '-r', pcap], { encoding: 'utf8' });
    expect(read.status).toBe(0);
    expect(read.stdout).toMatch(/ICMP echo request, .*length 1420/);
    const nic = spawnSync('tcpdump', ['-nn', '-r', `/tmp/netwiz-hop-3-client-node-nic-${server.status.podIP}-1412.pcap`], { encoding: 'utf8' });
    expect(nic.stdout).not.toMatch(/length 1420/);
    const small = await runPlaybook(lab, 'capture-per-hop', { ...vars, size: '1200' }, state);
    expect(small.result).toMatchObject({ status: 'concluded', cause: 'reaches-server' });
  }, 120_000);

  it('pin-to-node: works on the client node; the journal puts the pod template back', async () => {
    const r = await runPlaybook(
      lab,
      'pin-to-node',
      { namespace: 'app-system', deployment: 'apiserver', node: 'vm-4', client_pod: 'client', url: 'http://10.96.98.148:80/' },
      state,
    );
    expect(r.result).toMatchObject({ status: 'concluded', cause: 'works-on-one-node' });
    expect(r.result.commands.some((c) => c.argv.includes('patch'))).toBe(true);
    expect(r.stderr).toMatch(/restored: kubectl patch deployment\/apiserver/);
    const deploy = JSON.parse((await lab.kubectl(['get', 'deployment', 'apiserver', '-n', 'app-system', '-o', 'json'])).stdout) as {
      spec: { replicas: number; template: { spec: { nodeSelector?: Record<string, string> } } };
    };
    expect(deploy.spec.template.spec.nodeSelector ?? {}).toEqual({});
    expect(deploy.spec.replicas).toBe(3);
  }, 120_000);
});

describe('isolate-replicas on the bad-replica lab', () => {
  let lab: TestLab;
  let state: string;
  beforeAll(async () => {
    lab = await startLab('bad-replica', { dataPlane: 'netns' });
    state = await mkdtemp(join(tmpdir(), 'netwiz-sub-'));
  }, 120_000);
  afterAll(async () => {
    await lab?.stop();
    await rm(state, { recursive: true, force: true });
  });

  it('scales to one, probes, and the journal restores three replicas', async () => {
    const r = await runPlaybook(lab, 'isolate-replicas', { namespace: 'shop', deployment: 'web', client_pod: 'client', url: 'http://10.96.80.80:80/' }, state);
    expect(r.result.status).toBe('concluded');
    expect(['steady-with-one', 'gone-with-one']).toContain(r.result.cause);
    expect(r.stderr).toMatch(/restored: kubectl scale deployment\/web -n shop --replicas=3/);
    const deploy = JSON.parse((await lab.kubectl(['get', 'deployment', 'web', '-n', 'shop', '-o', 'json'])).stdout) as { spec: { replicas: number } };
    expect(deploy.spec.replicas).toBe(3);
  }, 120_000);
});
