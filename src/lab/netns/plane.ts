// The netns data plane: a scenario's nodes and pods as Linux network namespaces, its
// Services as kube-proxy-style nftables DNAT, its DNS as dnsmasq, and its faults real on the
// wire. Implements the DataPlane contract the lab API server calls. Topology and the reason
// for each setting: README.md beside this file.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataPlane, SpawnPlan } from '../dataplane.js';
import type { AppBehaviour, Scenario, ScenarioNode, ScenarioPod, ScenarioService } from '../scenario/model.js';
import { inNetns, ipn, run } from './commands.js';
import { dnsmasqArgs, nodeResolvConf, podResolvConf } from './dns.js';
import { labAsset, splitSysctls, twRecycleActive as twRecycleActive_, writeNatSources, writeNodeEmulation, type NodeEmulation } from './emulation.js';
import { externalIpBindings, LB_OWNER_PORT, loadBalancerAddresses, natAddresses, renderFaultRuleset, twRecycleFault } from './faults.js';
import { renderKubeProxyRuleset, serviceKey, type ServiceEndpoints } from './kubeproxy.js';
import { downFromLedger, Ledger, type DownReport, type LedgerEntry } from './ledger.js';
import {
  CALI_MAC,
  caliName,
  cidrContains,
  cidrNetwork,
  IFNAMSIZ,
  IPIP_OVERHEAD,
  lanHostAddress,
  lbNetns,
  makeLabPrefix,
  nodeNetns,
  parseIPv4,
  POD_GATEWAY,
  podNetns,
  vtepAddress,
  vtepMac,
  VXLAN_OVERHEAD,
  wireNetns,
  wirePortName,
} from './names.js';

export interface NetnsDataPlaneOptions {
  /** where the ledger, logs and emulation files go (default: $TMPDIR/netwiz-lab-PREFIX) */
  stateDir?: string;
  /** namespace name prefix (default: random, unique per lab) */
  prefix?: string;
}

export interface NetnsLabStatus {
  prefix: string;
  stateDir: string;
  ledger: string;
  warnings: string[];
  lanHost: string;
  timings: { upMs?: number; downMs?: number; phases?: Record<string, number> };
}

const VXLAN_ID = 4096; // Calico's VXLAN VNI
const VXLAN_PORT = 4789;
const APP_READY_MS = 30_000; // generous: many labs may start at once on a small machine

function podKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** every address a scenario uses, so the lab's own LAN host never takes one of them */
function scenarioAddresses(s: Scenario): string[] {
  return [
    ...s.services.flatMap((v) => [v.clusterIP, ...v.externalIPs, ...(v.loadBalancerIP ? [v.loadBalancerIP] : [])]),
    ...s.faults.flatMap((f) => (f.kind === 'externalip-conflict' ? [f.ip] : f.kind === 'dns-search-domain' ? [f.wrongIp] : [])),
    s.dns.serverIp,
    ...Object.values(s.dns.records),
  ];
}

function labelsMatch(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

export function requireRoot(): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(
      'netwiz lab: the network-namespace data plane needs root (it creates network namespaces, veths and nftables rules). ' +
        'Run it as root, e.g. `sudo netwiz lab up SCENARIO`, or use a scenario server without a data plane.',
    );
  }
}

export class NetnsDataPlane implements DataPlane {
  readonly prefix: string;
  readonly stateDir: string;
  readonly ledgerFile: string;
  readonly warnings: string[] = [];
  readonly timings: { upMs?: number; downMs?: number; phases?: Record<string, number> } = {};
  private readonly ledger: Ledger;
  private scenario: Scenario | undefined;
  private readonly pods = new Map<string, ScenarioPod>();
  private readonly appPids = new Map<string, LedgerEntry & { t: 'pid' }>();
  private readonly endpoints = new Map<string, string[]>();
  /** the Services as they are now (serviceChanged replaces one), in the scenario's order */
  private readonly services = new Map<string, ScenarioService>();
  /** addresses bound on each node's kube-ipvs0, as built and as serviceChanged left them */
  private readonly ipvsBound = new Map<string, Set<string>>();
  private readonly emulation = new Map<string, NodeEmulation>();
  /** /32 routes added on other nodes for a pod whose IP lies outside its node's pod CIDR */
  private readonly extraRoutes = new Map<string, { node: string; dst: string }[]>();
  private lanIp = '';
  /** the load balancer of an externalip-conflict scenario (its own namespace, no node) */
  private lbPod: ScenarioPod | undefined;
  private appStarts = 0;
  private readonly ownsStateDir: boolean;
  private downDone = false;

  constructor(opts: NetnsDataPlaneOptions = {}) {
    this.prefix = opts.prefix ?? makeLabPrefix();
    if (!/^[a-z][a-z0-9]{1,9}$/.test(this.prefix)) throw new Error(`netwiz lab: bad prefix ${this.prefix}: use 2-10 letters/digits`);
    // a given state dir is shared with the lab server: keep to a subdirectory of it
    this.ownsStateDir = opts.stateDir === undefined;
    this.stateDir = opts.stateDir !== undefined ? join(opts.stateDir, 'netns') : join(tmpdir(), `netwiz-lab-${this.prefix}`);
    // the ledger sits at the top of a shared state dir, where `netwiz lab down` looks for it
    this.ledgerFile = join(opts.stateDir ?? this.stateDir, 'netns-ledger.jsonl');
    this.ledger = new Ledger(this.ledgerFile);
  }

  status(): NetnsLabStatus {
    return { prefix: this.prefix, stateDir: this.stateDir, ledger: this.ledgerFile, warnings: [...this.warnings], lanHost: this.lanIp, timings: { ...this.timings } };
  }

  // ---- names ---------------------------------------------------------------------------
  nodeNs(node: string): string {
    return nodeNetns(this.prefix, node);
  }
  podNs(pod: { namespace: string; name: string }): string {
    return podNetns(this.prefix, pod.namespace, pod.name);
  }
  get wireNs(): string {
    return wireNetns(this.prefix);
  }
  get lbNs(): string {
    return lbNetns(this.prefix);
  }
  /** the LAN host: an address on the nodes' L2 that is no node (the wire namespace's bridge) */
  get lanHost(): string {
    return this.lanIp;
  }

  private node(name: string): ScenarioNode {
    const n = this.scenario?.nodes.find((x) => x.name === name);
    if (n === undefined) {
      throw new Error(`netwiz lab: pod placed on node "${name}", which scenario ${this.scenario?.file ?? '?'} does not declare`);
    }
    return n;
  }

  private warn(message: string): void {
    this.warnings.push(message);
    this.ledger.record({ t: 'warning', message });
  }

  // ---- object creation, ledger first ------------------------------------------------------
  private async addNetns(name: string): Promise<void> {
    this.ledger.record({ t: 'netns', name });
    await run('ip', ['netns', 'add', name]);
    await ipn(name, ['link', 'set', 'lo', 'up']);
  }

  private async deleteNetns(name: string): Promise<void> {
    const pids = await run('ip', ['netns', 'pids', name], { allowFail: true });
    for (const p of pids.stdout.split(/\s+/).filter(Boolean)) {
      try {
        process.kill(Number(p), 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await run('ip', ['netns', 'delete', name], { allowFail: true });
    this.ledger.removed({ t: 'netns', name });
  }

  private writeEtcNetns(ns: string, resolv: string): void {
    const dir = `/etc/netns/${ns}`;
    this.ledger.record({ t: 'etcnetns', path: dir });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'resolv.conf'), resolv);
  }

  private statePath(...parts: string[]): string {
    const p = join(this.stateDir, ...parts);
    this.ledger.record({ t: 'path', path: p });
    return p;
  }

  /** start a background process inside a namespace; the ledger gets its pid and argv */
  private startProcess(ns: string, argv: string[], what: string, logName: string): LedgerEntry & { t: 'pid'; exited: () => boolean } {
    const logFile = this.statePath('logs', logName);
    mkdirSync(join(this.stateDir, 'logs'), { recursive: true });
    const fd = openSync(logFile, 'a');
    const full = ['netns', 'exec', ns, ...argv];
    const child = spawn('ip', full, { detached: true, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.unref();
    if (child.pid === undefined) throw new Error(`netwiz lab: could not start ${what} in ${ns} (see ${logFile})`);
    // recorded the moment the pid exists; down also kills whatever runs in lab namespaces
    const entry = { t: 'pid' as const, pid: child.pid, cmdline: argv, what };
    this.ledger.record(entry);
    return { ...entry, exited: () => child.exitCode !== null || child.signalCode !== null };
  }

  private async waitForFile(file: string, what: string, logFile: string, exited: () => boolean): Promise<void> {
    const deadline = Date.now() + APP_READY_MS;
    while (!existsSync(file)) {
      if (Date.now() > deadline || exited()) {
        let log = '';
        try {
          log = readFileSync(logFile, 'utf8').slice(-400);
        } catch {
          /* none */
        }
        const why = exited() ? 'exited before it was ready' : `did not become ready within ${APP_READY_MS} ms`;
        throw new Error(`netwiz lab: ${what} ${why}. Log ${logFile}: ${log.trim() || '(empty)'}`);
      }
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  // ---- up --------------------------------------------------------------------------------
  async up(scenario: Scenario, pods: ScenarioPod[]): Promise<void> {
    requireRoot();
    const t0 = performance.now();
    this.scenario = scenario;
    mkdirSync(this.stateDir, { recursive: true });
    this.ledger.record({ t: 'lab', prefix: this.prefix, stateDir: this.stateDir, scenario: scenario.name, at: new Date().toISOString() });
    try {
      let mark = performance.now();
      const phase = (name: string) => {
        const now = performance.now();
        this.timings.phases = { ...this.timings.phases, [name]: Math.round(now - mark) };
        mark = now;
      };
      await this.buildUnderlay(scenario);
      phase('underlay');
      await Promise.all(scenario.nodes.map((n, i) => this.buildOverlay(scenario, n, i)));
      await this.buildExternalIps(scenario);
      phase('overlay');
      // the resolver starts while pods are plumbed; both must finish before apps run
      const dns = this.startDns(scenario);
      for (const p of pods) this.pods.set(podKey(p.namespace, p.name), p);
      await Promise.all([dns, ...pods.map((p) => this.plumbPod(p))]);
      phase('dns+pods');
      this.computeInitialEndpoints(scenario);
      await this.programNodes();
      phase('nft');
      await Promise.all(pods.map((p) => this.startApp(p)));
      phase('apps');
      await this.flushRouteCaches();
    } catch (err) {
      // a half-built lab is still recorded: remove it so nothing lingers, then report
      const r = await downFromLedger(this.ledgerFile).catch(() => undefined);
      if (r !== undefined && r.errors.length === 0 && this.ownsStateDir) rmSync(this.stateDir, { recursive: true, force: true });
      throw err;
    }
    this.timings.upMs = Math.round(performance.now() - t0);
  }

  private async buildUnderlay(s: Scenario): Promise<void> {
    if (s.nodes.length === 0) throw new Error(`netwiz lab: scenario ${s.file} declares no nodes`);
    const wire = this.wireNs;
    await this.addNetns(wire);
    await ipn(wire, ['link', 'add', 'br0', 'type', 'bridge']);
    const ips = s.nodes.map((n) => n.ip);
    const sameSlash24 = ips.every((ip) => (parseIPv4(ip) & 0xffffff00) === (parseIPv4(ips[0] ?? ip) & 0xffffff00));
    this.lanIp = lanHostAddress(ips, scenarioAddresses(s));
    const minMtu = Math.min(...s.nodes.map((n) => n.nicMtu));
    await ipn(wire, ['link', 'set', 'br0', 'mtu', String(minMtu), 'up']);
    await ipn(wire, ['addr', 'add', `${this.lanIp}/24`, 'dev', 'br0']);
    await Promise.all(
      s.nodes.map(async (n, i) => {
        const ns = this.nodeNs(n.name);
        await this.addNetns(ns);
        // forwarding and loose routing before any device exists, so new devices inherit them;
        // ip_forward_use_pmtu=0 (the default) keeps the overlay-MTU drop silent (README.md)
        await inNetns(ns, 'sysctl', [
          '-q',
          '-w',
          'net.ipv4.ip_forward=1',
          'net.ipv4.ip_forward_use_pmtu=0',
          'net.ipv4.conf.all.rp_filter=0',
          'net.ipv4.conf.default.rp_filter=0',
          'net.ipv4.conf.all.arp_ignore=0',
          'net.ipv4.conf.all.arp_announce=0',
        ]);
        const port = wirePortName(i);
        await ipn(wire, ['link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
        await ipn(wire, ['link', 'set', port, 'mtu', String(n.nicMtu), 'master', 'br0', 'up']);
        await ipn(ns, ['link', 'set', 'eth0', 'mtu', String(n.nicMtu), 'up']);
        await ipn(ns, ['addr', 'add', `${n.ip}/${sameSlash24 ? 24 : 32}`, 'dev', 'eth0']);
        if (!sameSlash24) {
          for (const o of s.nodes) if (o !== n) await ipn(ns, ['route', 'add', `${o.ip}/32`, 'dev', 'eth0']);
          await ipn(ns, ['route', 'add', `${this.lanIp}/32`, 'dev', 'eth0']);
        }
        // the LAN host reaches a node's pods through that node, as through a router
        await ipn(wire, ['route', 'add', cidrNetwork(n.podCidr), 'via', n.ip, 'dev', 'br0']);
        const { real } = splitSysctls(n);
        const kv = Object.entries(real).map(([k, v]) => `${k}=${v}`);
        if (kv.length > 0) await inNetns(ns, 'sysctl', ['-q', '-w', ...kv]);
        const emuDir = this.statePath('nodes', n.name);
        const tw = twRecycleFault(s);
        this.emulation.set(n.name, writeNodeEmulation(emuDir, n, { countsPawsDrops: tw?.node === n.name }));
      }),
    );
  }

  private async buildOverlay(s: Scenario, n: ScenarioNode, i: number): Promise<void> {
    const ns = this.nodeNs(n.name);
    if (n.overlay === undefined) {
      for (const o of s.nodes) {
        if (o === n) continue;
        await ipn(ns, ['route', 'add', cidrNetwork(o.podCidr), 'via', o.ip, 'dev', 'eth0']);
      }
      return;
    }
    const ov = n.overlay;
    if (ov.type === 'ipip') {
      // same devices and MTUs as declared, but the outer packet is 30 bytes bigger: say
      // exactly when that turns a working IPIP set-up into a dropping one
      const fitsIpip = ov.mtu + IPIP_OVERHEAD <= n.nicMtu;
      const fitsVxlan = ov.mtu + VXLAN_OVERHEAD <= n.nicMtu;
      this.warn(
        `node ${n.name}: overlay ipip (${ov.device}) is built as VXLAN: this kernel has no ipip module. ` +
          `VXLAN adds ${VXLAN_OVERHEAD} bytes per packet where IPIP adds ${IPIP_OVERHEAD}` +
          (fitsIpip && !fitsVxlan
            ? `; with tunnel MTU ${ov.mtu} over NIC MTU ${n.nicMtu}, packets above ${n.nicMtu - VXLAN_OVERHEAD} bytes are dropped between nodes here where IPIP would carry them.`
            : '.'),
      );
    }
    const dev = ov.device;
    if (dev.length > IFNAMSIZ || !/^[A-Za-z0-9._-]+$/.test(dev)) {
      throw new Error(`netwiz lab: node ${n.name} overlay device "${dev}" in ${s.file}: interface names are at most ${IFNAMSIZ} of [A-Za-z0-9._-]`);
    }
    // no `dev`: with one the kernel refuses an MTU above underlay - 50, and the incident's
    // misconfiguration is exactly that. `df set`: outer packets carry DF, so an oversized
    // one is dropped rather than fragmented, and the ICMP the node makes goes to itself.
    await ipn(ns, [
      'link', 'add', dev, 'mtu', String(ov.mtu), 'address', vtepMac(i),
      'type', 'vxlan', 'id', String(VXLAN_ID), 'local', n.ip, 'dstport', String(VXLAN_PORT), 'nolearning', 'df', 'set',
    ]);
    await ipn(ns, ['link', 'set', dev, 'up']);
    await ipn(ns, ['addr', 'add', `${vtepAddress(n.podCidr)}/32`, 'dev', dev]);
    for (const [j, o] of s.nodes.entries()) {
      if (o === n) continue;
      const vtep = vtepAddress(o.podCidr);
      await ipn(ns, ['neigh', 'add', vtep, 'lladdr', vtepMac(j), 'dev', dev, 'nud', 'permanent']);
      await run('bridge', ['-n', ns, 'fdb', 'append', vtepMac(j), 'dev', dev, 'dst', o.ip]);
      await ipn(ns, ['route', 'add', cidrNetwork(o.podCidr), 'via', vtep, 'dev', dev, 'onlink']);
    }
  }

  private async buildExternalIps(s: Scenario): Promise<void> {
    await this.syncExternalIps(externalIpBindings(s));
    const lbIps = loadBalancerAddresses(s);
    if (lbIps.length === 0) return;
    // the load balancer that rightfully owns the address: its own host on the nodes' L2
    const lb = this.lbNs;
    await this.addNetns(lb);
    await ipn(this.wireNs, ['link', 'add', 'lb0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', lb]);
    const mtu = String(Math.min(...s.nodes.map((n) => n.nicMtu)));
    await ipn(this.wireNs, ['link', 'set', 'lb0', 'mtu', mtu, 'master', 'br0', 'up']);
    await ipn(lb, ['link', 'set', 'eth0', 'mtu', mtu, 'up']);
    for (const ip of lbIps) await ipn(lb, ['addr', 'add', `${ip}/32`, 'dev', 'eth0']);
    await ipn(lb, ['route', 'add', `${this.lanIp}/32`, 'dev', 'eth0']);
    for (const n of s.nodes) await ipn(lb, ['route', 'add', `${n.ip}/32`, 'dev', 'eth0']);
    this.lbPod = {
      name: 'load-balancer',
      namespace: 'lab',
      node: '',
      ip: lbIps[0] ?? '',
      labels: {},
      container: { name: 'lb', image: 'netwiz/lb', ports: [{ containerPort: LB_OWNER_PORT }] },
      app: { listen: [LB_OWNER_PORT], responses: { '/': 128 }, status: 200 },
      hostNetwork: false,
    };
  }

  /** make each node's kube-ipvs0 hold exactly the wanted addresses (a node not listed: none) */
  private async syncExternalIps(want: Map<string, string[]>): Promise<void> {
    for (const n of this.scenario?.nodes ?? []) {
      const ns = this.nodeNs(n.name);
      const wanted = new Set(want.get(n.name) ?? []);
      let bound = this.ipvsBound.get(n.name);
      if (bound === undefined) {
        if (wanted.size === 0) continue;
        // kube-ipvs0 is a dummy in real IPVS mode; this kernel has no dummy, so an empty
        // bridge left DOWN holds the addresses (their local routes still work). It lives
        // inside the node namespace and goes with it.
        await ipn(ns, ['link', 'add', 'kube-ipvs0', 'type', 'bridge']);
        bound = new Set();
        this.ipvsBound.set(n.name, bound);
      }
      for (const ip of [...bound]) {
        if (wanted.has(ip)) continue;
        await ipn(ns, ['addr', 'del', `${ip}/32`, 'dev', 'kube-ipvs0']);
        bound.delete(ip);
      }
      for (const ip of wanted) {
        if (bound.has(ip)) continue;
        await ipn(ns, ['addr', 'add', `${ip}/32`, 'dev', 'kube-ipvs0']);
        bound.add(ip);
      }
    }
  }

  private async startDns(s: Scenario): Promise<void> {
    const server = this.node(s.dns.serverNode);
    const ns = this.nodeNs(server.name);
    if (s.dns.serverIp !== server.ip) {
      await ipn(ns, ['addr', 'add', `${s.dns.serverIp}/32`, 'dev', 'lo']);
      await Promise.all(
        s.nodes
          .filter((o) => o !== server)
          .map((o) => ipn(this.nodeNs(o.name), ['route', 'add', `${s.dns.serverIp}/32`, 'via', server.ip, 'dev', 'eth0'])),
      );
    }
    const pidFile = this.statePath('dnsmasq.pid');
    const logFile = this.statePath('logs', 'dnsmasq.log');
    mkdirSync(join(this.stateDir, 'logs'), { recursive: true });
    const proc = this.startProcess(ns, ['dnsmasq', ...dnsmasqArgs(s, s.dns.serverIp, pidFile, logFile)], 'dnsmasq', 'dnsmasq.out');
    await this.waitForFile(pidFile, `dnsmasq on ${server.name}`, join(this.stateDir, 'logs', 'dnsmasq.out'), proc.exited);
    const nodeResolv = nodeResolvConf(s);
    for (const n of s.nodes) this.writeEtcNetns(this.nodeNs(n.name), nodeResolv);
  }

  // ---- pods ------------------------------------------------------------------------------
  private podMtu(n: ScenarioNode): number {
    return n.overlay?.mtu ?? n.nicMtu;
  }

  private async plumbPod(p: ScenarioPod): Promise<void> {
    if (p.hostNetwork) return; // runs in its node's namespace
    const s = this.scenario;
    if (s === undefined) throw new Error('netwiz lab: podAdded before up');
    const n = this.node(p.node);
    const nodeNs = this.nodeNs(n.name);
    const ns = this.podNs(p);
    const cali = caliName(p.namespace, p.name);
    const mtu = String(this.podMtu(n));
    await this.addNetns(ns);
    await ipn(nodeNs, ['link', 'add', cali, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    await ipn(nodeNs, ['link', 'set', cali, 'address', CALI_MAC, 'mtu', mtu, 'up']);
    await ipn(ns, ['link', 'set', 'eth0', 'mtu', mtu, 'up']);
    await ipn(ns, ['addr', 'add', `${p.ip}/32`, 'dev', 'eth0']);
    // Calico's pod routing: a link-local gateway whose MAC is the cali end's fixed MAC
    await ipn(ns, ['route', 'add', POD_GATEWAY, 'dev', 'eth0', 'scope', 'link']);
    await ipn(ns, ['route', 'add', 'default', 'via', POD_GATEWAY, 'dev', 'eth0']);
    await ipn(ns, ['neigh', 'add', POD_GATEWAY, 'lladdr', CALI_MAC, 'dev', 'eth0', 'nud', 'permanent']);
    await ipn(nodeNs, ['route', 'add', `${p.ip}/32`, 'dev', cali]);
    // an IP outside the node's pod CIDR (a moved pod that kept its address) needs /32 routes
    if (!cidrContains(n.podCidr, p.ip)) {
      const routes: { node: string; dst: string }[] = [];
      for (const o of s.nodes) {
        if (o === n) continue;
        const ons = this.nodeNs(o.name);
        if (o.overlay !== undefined && n.overlay !== undefined) {
          await ipn(ons, ['route', 'replace', `${p.ip}/32`, 'via', vtepAddress(n.podCidr), 'dev', o.overlay.device, 'onlink']);
        } else {
          await ipn(ons, ['route', 'replace', `${p.ip}/32`, 'via', n.ip, 'dev', 'eth0']);
        }
        routes.push({ node: o.name, dst: `${p.ip}/32` });
      }
      this.extraRoutes.set(podKey(p.namespace, p.name), routes);
    }
    this.writeEtcNetns(ns, podResolvConf(s));
  }

  private async startApp(p: ScenarioPod): Promise<void> {
    const app: AppBehaviour = p.app;
    if (app.listen.length === 0) return; // listens on nothing: connects get RST from the kernel
    const key = podKey(p.namespace, p.name);
    const ns = p === this.lbPod ? this.lbNs : p.hostNetwork ? this.nodeNs(p.node) : this.podNs(p);
    const safe = `${p.namespace}.${p.name}`.replace(/[^A-Za-z0-9._-]/g, '_');
    mkdirSync(join(this.stateDir, 'run'), { recursive: true });
    // a fresh name per start: a re-plumbed pod must not see its previous life's ready file
    this.appStarts += 1;
    const readyFile = this.statePath('run', `${safe}.${this.appStarts}.ready`);
    const spec = JSON.stringify({ name: p.name, listen: app.listen, responses: app.responses, status: app.status, readyFile });
    const entry = this.startProcess(ns, [process.execPath, labAsset('app.mjs'), '--spec', spec], `app of pod ${key}`, `${safe}.log`);
    this.appPids.set(key, entry);
    await this.waitForFile(readyFile, `app of pod ${key} in ${ns}`, join(this.stateDir, 'logs', `${safe}.log`), entry.exited);
  }

  private async stopApp(key: string): Promise<void> {
    const entry = this.appPids.get(key);
    if (entry === undefined) return;
    try {
      process.kill(entry.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
    this.ledger.removed(entry);
    this.appPids.delete(key);
  }

  async podAdded(pod: ScenarioPod): Promise<void> {
    requireRoot();
    const key = podKey(pod.namespace, pod.name);
    if (this.pods.has(key)) await this.podRemoved(this.pods.get(key) ?? pod);
    this.pods.set(key, pod);
    await this.plumbPod(pod);
    await this.startApp(pod);
    await this.programFaults();
    await this.flushRouteCaches();
  }

  async podRemoved(pod: ScenarioPod): Promise<void> {
    const key = podKey(pod.namespace, pod.name);
    const known = this.pods.get(key) ?? pod;
    await this.stopApp(key);
    if (!known.hostNetwork) {
      for (const r of this.extraRoutes.get(key) ?? []) {
        await ipn(this.nodeNs(r.node), ['route', 'del', r.dst], { allowFail: true });
      }
      this.extraRoutes.delete(key);
      const ns = this.podNs(known);
      // delete the veth explicitly: netns teardown is asynchronous in the kernel, and a pod
      // coming straight back to this node would otherwise find its cali name still taken
      await ipn(this.nodeNs(known.node), ['link', 'del', caliName(known.namespace, known.name)], { allowFail: true });
      await this.deleteNetns(ns);
      const dir = `/etc/netns/${ns}`;
      await run('rm', ['-rf', '--', dir], { allowFail: true });
      this.ledger.removed({ t: 'etcnetns', path: dir });
    }
    this.pods.delete(key);
    await this.programFaults();
    await this.flushRouteCaches();
  }

  // ---- services and faults ------------------------------------------------------------------
  private computeInitialEndpoints(s: Scenario): void {
    for (const svc of s.services) {
      this.services.set(serviceKey(svc.namespace, svc.name), svc);
      const ips = [...this.pods.values()]
        .filter((p) => p.namespace === svc.namespace && labelsMatch(svc.selector, p.labels))
        .map((p) => p.ip);
      this.endpoints.set(serviceKey(svc.namespace, svc.name), ips);
    }
  }

  async endpointsChanged(service: string, namespace: string, endpointPods: ScenarioPod[]): Promise<void> {
    this.endpoints.set(
      serviceKey(namespace, service),
      endpointPods.map((p) => p.ip),
    );
    await this.programServices();
  }

  /**
   * A Service's spec changed (kubectl patch/edit/apply): kube-proxy re-renders its rules from
   * the new spec, and in IPVS mode re-syncs kube-ipvs0, so an externalIP removed from the
   * Service (incident 003's fix) stops being a local address of every node, and only its
   * rightful owner answers ARP for it.
   */
  async serviceChanged(service: ScenarioService): Promise<void> {
    const s = this.scenario;
    if (s === undefined) return;
    this.services.set(serviceKey(service.namespace, service.name), service);
    await this.programServices();
    await this.syncExternalIps(externalIpBindings(s, [...this.services.values()]));
  }

  private serviceEndpoints(): ServiceEndpoints[] {
    const services: ScenarioService[] = [...this.services.values()];
    return services.map((service) => ({ service, endpointIps: this.endpoints.get(serviceKey(service.namespace, service.name)) ?? [] }));
  }

  private async programServices(): Promise<void> {
    const ruleset = renderKubeProxyRuleset(this.serviceEndpoints());
    await Promise.all((this.scenario?.nodes ?? []).map((n) => inNetns(this.nodeNs(n.name), 'nft', ['-f', '-'], { input: ruleset })));
  }

  private async programFaults(): Promise<void> {
    const s = this.scenario;
    if (s === undefined) return;
    const pods = [...this.pods.values()];
    const tw = twRecycleFault(s);
    await Promise.all(
      s.nodes.map((n) => {
        const emu = this.emulation.get(n.name);
        let twRecycleActive = true;
        if (tw?.node === n.name && emu !== undefined) {
          // the shim refills the set from this file when the emulated sysctl goes back to 1
          writeNatSources(emu.dir, natAddresses(s, pods, tw));
          twRecycleActive = twRecycleActive_(n, emu.dir);
        }
        return inNetns(this.nodeNs(n.name), 'nft', ['-f', '-'], { input: renderFaultRuleset(s, pods, n.name, { twRecycleActive }) });
      }),
    );
  }

  private async programNodes(): Promise<void> {
    await this.programServices();
    await this.programFaults();
    if (this.lbPod !== undefined) await this.startApp(this.lbPod);
  }

  /** forget learnt PMTUs and cached routes everywhere, or an earlier probe hides the MTU fault */
  async flushRouteCaches(): Promise<void> {
    const all = [this.wireNs, ...(this.scenario?.nodes ?? []).map((n) => this.nodeNs(n.name))];
    for (const p of this.pods.values()) if (!p.hostNetwork) all.push(this.podNs(p));
    if (this.lbPod !== undefined) all.push(this.lbNs);
    await Promise.all(all.map((ns) => ipn(ns, ['route', 'flush', 'cache'], { allowFail: true })));
  }

  // ---- exec --------------------------------------------------------------------------------
  execPlan(pod: ScenarioPod, argv: string[]): SpawnPlan {
    if (argv.length === 0) throw new Error(`netwiz lab: empty command for pod ${pod.namespace}/${pod.name}`);
    if (!pod.hostNetwork) return { file: 'ip', args: ['netns', 'exec', this.podNs(pod), ...argv] };
    return this.nodeExecPlan(pod.node, argv);
  }

  /**
   * A command on a node. The lab node's root filesystem is this machine's, so a leading
   * `chroot /host` (kubectl debug node style) is honoured by dropping it. The emulation
   * shims go first in PATH so sysctl/uname/netstat readers agree with the scenario.
   */
  nodeExecPlan(nodeName: string, argv: string[]): SpawnPlan {
    let rest = argv;
    if (rest[0] === 'chroot' && rest[1] === '/host') rest = rest.slice(2);
    if (rest.length === 0) rest = ['sh'];
    const emu = this.emulation.get(nodeName);
    const path = `${emu ? `${emu.shimDir}:` : ''}${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`;
    return { file: 'ip', args: ['netns', 'exec', this.nodeNs(nodeName), 'env', `PATH=${path}`, ...rest] };
  }

  /** a command on the load balancer host of an externalip-conflict scenario */
  lbExecPlan(argv: string[]): SpawnPlan {
    return { file: 'ip', args: ['netns', 'exec', this.lbNs, ...argv] };
  }

  /** a command on the LAN host (a machine on the nodes' L2, e.g. for arping a VIP) */
  lanExecPlan(argv: string[]): SpawnPlan {
    return { file: 'ip', args: ['netns', 'exec', this.wireNs, ...argv] };
  }

  // ---- down ----------------------------------------------------------------------------------
  /** what the last down() removed */
  lastDown: DownReport | undefined;

  async down(): Promise<void> {
    const t0 = performance.now();
    const report = await downFromLedger(this.ledgerFile);
    this.pods.clear();
    this.appPids.clear();
    this.downDone = true;
    this.timings.downMs = Math.round(performance.now() - t0);
    this.lastDown = report;
    // a state dir of our own goes entirely once everything in it is removed
    if (report.errors.length === 0 && this.ownsStateDir) rmSync(this.stateDir, { recursive: true, force: true });
    else if (report.errors.length === 0) {
      try {
        rmdirSync(this.stateDir); // only when empty: the server's own files stay
      } catch {
        /* not empty or already gone */
      }
    }
    if (report.errors.length > 0) {
      throw new Error(`netwiz lab down: some objects were not removed (ledger ${this.ledgerFile}):\n  ${report.errors.join('\n  ')}`);
    }
  }

  get isDown(): boolean {
    return this.downDone;
  }
}
