// Every shipped scenario file (src/lab/scenarios/*.yaml, loaded by the scenario loader)
// comes up on the netns data plane with its fault real on the wire, checked with the tool
// an engineer would use. Labs are independent (own prefix), so they run concurrently.
import { describe, expect, it } from 'vitest';
import { NetnsDataPlane } from '../../src/lab/netns/index.js';
import { derivePods, listShippedScenarios, loadScenarioFile } from '../../src/lab/scenario/load.js';
import type { Scenario, ScenarioPod } from '../../src/lab/scenario/model.js';
import { curlArgs, inPod, runPlan } from './helpers.js';

type Check = (dp: NetnsDataPlane, s: Scenario, pods: ScenarioPod[]) => Promise<void>;

function entryClient(s: Scenario, pods: ScenarioPod[]): ScenarioPod {
  const c = pods.find((p) => p.name === s.entry.clientPod);
  if (c === undefined) throw new Error(`${s.file}: no client pod ${s.entry.clientPod}`);
  return c;
}

function entryService(s: Scenario): { url: string; ip: string; port: number } {
  const svc = s.services.find((v) => v.name === s.entry.service);
  const port = svc?.ports[0]?.port;
  if (svc === undefined || port === undefined) throw new Error(`${s.file}: no service ${s.entry.service}`);
  return { url: `http://${svc.clusterIP}:${port}/`, ip: svc.clusterIP, port };
}

async function curlMany(dp: NetnsDataPlane, client: ScenarioPod, url: string, n: number, extra: string[] = []): Promise<number[]> {
  const rs = await Promise.all(Array.from({ length: n }, () => inPod(dp, client, curlArgs(url, extra))));
  return rs.map((r) => r.exitCode);
}

const dfPing = (size: number, ip: string) => ['ping', '-M', 'do', '-s', String(size), '-c', '2', '-i', '0.2', '-W', '1', ip];

const checks: Record<string, Check> = {
  healthy: async (dp, s, pods) => {
    const codes = await curlMany(dp, entryClient(s, pods), entryService(s).url, 20);
    expect(codes).toEqual(Array.from({ length: 20 }, () => 0));
  },
  'overlay-mtu': async (dp, s, pods) => {
    const client = entryClient(s, pods);
    const servers = pods.filter((p) => p.workload === 'apiserver');
    const far = servers.find((p) => p.node !== client.node);
    const near = servers.find((p) => p.node === client.node);
    if (far === undefined || near === undefined) throw new Error('overlay-mtu.yaml: need apiserver pods on both nodes');
    await dp.flushRouteCaches();
    expect((await inPod(dp, client, dfPing(1400, far.ip))).exitCode).toBe(1);
    expect((await inPod(dp, client, dfPing(1300, far.ip))).exitCode).toBe(0);
    expect((await inPod(dp, client, dfPing(1400, near.ip))).exitCode).toBe(0);
  },
  'selector-overlap': async (dp, s, pods) => {
    const codes = await curlMany(dp, entryClient(s, pods), entryService(s).url, 20);
    expect(codes.filter((c) => c === 7).length).toBeGreaterThan(0);
    expect(codes.filter((c) => c === 0).length).toBeGreaterThan(0);
  },
  'externalip-conflict': async (dp, s) => {
    const f = s.faults.find((x) => x.kind === 'externalip-conflict');
    if (f?.kind !== 'externalip-conflict') throw new Error('no externalip-conflict fault');
    const r = await runPlan(dp.lanExecPlan(['arping', '-c', '2', '-w', '3', '-I', 'br0', f.ip]));
    const macs = new Set([...r.stdout.matchAll(/\[([0-9a-f:]{17})\]/gi)].map((m) => m[1]));
    expect(macs.size).toBeGreaterThan(1);
  },
  'dns-search-domain': async (dp, s, pods) => {
    const f = s.faults.find((x) => x.kind === 'dns-search-domain');
    if (f?.kind !== 'dns-search-domain') throw new Error('no dns-search-domain fault');
    const r = await inPod(dp, entryClient(s, pods), ['getent', 'ahostsv4', 'mysql']);
    expect(r.stdout.split(/\s+/)[0]).toBe(f.wrongIp);
  },
  'tw-recycle-nat': async (dp, s, pods) => {
    const f = s.faults.find((x) => x.kind === 'tw-recycle-nat');
    if (f?.kind !== 'tw-recycle-nat') throw new Error('no tw-recycle-nat fault');
    const client = entryClient(s, pods);
    const server = pods.find((p) => p.node === f.node && p.app.listen.length > 0);
    if (server === undefined) throw new Error('tw-recycle-nat.yaml: no server pod on the fault node');
    const url = `http://${server.ip}:${server.app.listen[0]}/`;
    expect((await inPod(dp, client, curlArgs(url, ['--local-port', '41002'], 2))).exitCode).toBe(28);
    expect((await inPod(dp, client, curlArgs(url, ['--local-port', '41004'], 2))).exitCode).toBe(0);
    const node = s.nodes.find((n) => n.name === f.node);
    const tw = await runPlan(dp.nodeExecPlan(f.node, ['chroot', '/host', 'sysctl', 'net.ipv4.tcp_tw_recycle']));
    expect(tw.stdout.trim()).toBe(`net.ipv4.tcp_tw_recycle = ${node?.sysctls['net.ipv4.tcp_tw_recycle']}`);
    expect((await runPlan(dp.nodeExecPlan(f.node, ['uname', '-r']))).stdout.trim()).toBe(node?.kernel);
  },
  'bad-replica': async (dp, s, pods) => {
    const client = entryClient(s, pods);
    const f = s.faults.find((x) => x.kind === 'bad-replica');
    if (f?.kind !== 'bad-replica') throw new Error('no bad-replica fault');
    for (const p of pods.filter((x) => x.workload === f.workload)) {
      const port = p.container.ports[0]?.containerPort ?? 8080;
      // curl -f: a refused connect is rc 7, an HTTP 500 rc 22; a healthy replica rc 0
      const codes = await curlMany(dp, client, `http://${p.ip}:${port}/`, 3, ['-f']);
      const broken = p.app.listen.length === 0 || p.app.status >= 500;
      const failure = p.app.listen.length === 0 ? 7 : 22;
      expect(codes, p.name).toEqual(broken ? [failure, failure, failure] : [0, 0, 0]);
    }
    expect(pods.filter((x) => x.workload === f.workload && (x.app.listen.length === 0 || x.app.status >= 500)).length).toBe(1);
  },
};

describe.concurrent('shipped scenarios on the netns data plane', () => {
  for (const { name, file } of listShippedScenarios()) {
    it(`${name}: up, fault on the wire, down`, async () => {
      const s = loadScenarioFile(file);
      const pods = derivePods(s);
      const check = checks[name];
      expect(check, `no wire check for shipped scenario ${name}: add one`).toBeDefined();
      const dp = new NetnsDataPlane();
      await dp.up(s, pods);
      try {
        await check?.(dp, s, pods);
      } finally {
        await dp.down();
        console.log(`[lab-netns] shipped ${name}: up ${dp.timings.upMs} ms, down ${dp.timings.downMs} ms${dp.warnings.length ? `; warnings: ${dp.warnings.join(' | ')}` : ''}`);
      }
    });
  }
});
