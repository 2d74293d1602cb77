// Reads a scenario file: YAML with positions → schema check (zod) → semantic checks →
// the normalised Scenario of model.ts. Every problem is reported as `file:line:col: message`.
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import { keyPositionOf, positionOf, type YamlPositions } from '../../playbook/source.js';
import type { z } from 'zod';
import { scenarioFileSchema, type ScenarioFile } from './schema.js';
import type { AppBehaviour, Scenario, ScenarioNode, ScenarioPod, ScenarioService, ScenarioWorkload } from './model.js';
import { PodIpAllocator, cidrContains, podSuffix, templateHash } from './names.js';

export interface ScenarioDiagnostic {
  file: string;
  line: number;
  col: number;
  message: string;
}

export class ScenarioError extends Error {
  constructor(readonly diagnostics: ScenarioDiagnostic[]) {
    super(diagnostics.map(formatScenarioDiagnostic).join('\n'));
    this.name = 'ScenarioError';
  }
}

export function formatScenarioDiagnostic(d: ScenarioDiagnostic): string {
  const rel = path.relative(process.cwd(), d.file);
  const shown = rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? d.file : rel;
  return `${shown}:${d.line}:${d.col}: ${d.message}`;
}

type YamlPath = (string | number)[];

interface Source extends YamlPositions {
  file: string;
}

function zodDiagnostics(src: Source, error: z.ZodError): ScenarioDiagnostic[] {
  const out: ScenarioDiagnostic[] = [];
  for (const issue of error.issues) {
    const p = issue.path.filter((k): k is string | number => typeof k !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        out.push({ file: src.file, ...keyPositionOf(src, p, key), message: `unknown key "${key}"${where(p)}` });
      }
      continue;
    }
    out.push({ file: src.file, ...positionOf(src, p), message: `${p.length ? p.join('.') + ': ' : ''}${issue.message}` });
  }
  return out;
}

function where(p: YamlPath): string {
  return p.length ? ` in ${p.join('.')}` : '';
}

/** Directory of the shipped scenarios (works from src/ under tsx and from the dist bundle). */
export function shippedScenarioDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [
    path.resolve(here, '../scenarios'), // src/lab/scenario → src/lab/scenarios
    path.resolve(here, '../src/lab/scenarios'), // dist/netwiz.mjs → src/lab/scenarios
    path.resolve(here, '../../src/lab/scenarios'),
  ];
  return candidates.find((d) => existsSync(path.join(d, 'healthy.yaml'))) ?? candidates[0]!;
}

export function listShippedScenarios(): { name: string; file: string }[] {
  const dir = shippedScenarioDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => ({ name: f.replace(/\.yaml$/, ''), file: path.join(dir, f) }));
}

/** A shipped scenario name (`overlay-mtu`) or a path to a YAML file. */
export function resolveScenarioRef(ref: string): string {
  if (ref.includes('/') || ref.endsWith('.yaml') || ref.endsWith('.yml')) {
    const file = path.resolve(ref);
    if (!existsSync(file)) throw new Error(`scenario file ${file} does not exist`);
    return file;
  }
  const shipped = listShippedScenarios().find((s) => s.name === ref);
  if (!shipped) {
    const names = listShippedScenarios().map((s) => s.name);
    throw new Error(`no scenario named "${ref}"; shipped scenarios: ${names.join(', ')} (or give a path to a YAML file)`);
  }
  return shipped.file;
}

export function loadScenarioFile(file: string): Scenario {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new ScenarioError([{ file: abs, line: 1, col: 1, message: `cannot read: ${(e as Error).message}` }]);
  }
  return parseScenario(abs, text);
}

export function parseScenario(file: string, text: string): Scenario {
  if (text.length > 1024 * 1024) {
    throw new ScenarioError([{ file, line: 1, col: 1, message: 'file is larger than 1 MiB; a scenario is a small YAML file' }]);
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      doc.errors.map((e) => ({
        file,
        ...lc.linePos(e.pos[0]),
        message: `YAML: ${(e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '')}`,
      })),
    );
  }
  const src: Source = { file, doc, linePos: (offset) => lc.linePos(offset) };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new ScenarioError([{ file, line: 1, col: 1, message: `YAML: ${(e as Error).message}` }]);
  }
  const parsed = scenarioFileSchema.safeParse(data);
  if (!parsed.success) throw new ScenarioError(sortDiags(zodDiagnostics(src, parsed.error)));
  const semantic = checkSemantics(src, parsed.data);
  if (semantic.length > 0) throw new ScenarioError(sortDiags(semantic));
  return normalise(file, parsed.data);
}

function sortDiags(ds: ScenarioDiagnostic[]): ScenarioDiagnostic[] {
  return ds.sort((a, b) => a.line - b.line || a.col - b.col || a.message.localeCompare(b.message));
}

/** Cross-references the schema cannot see: unknown nodes, duplicate names, addresses outside CIDRs. */
function checkSemantics(src: Source, f: ScenarioFile): ScenarioDiagnostic[] {
  const out: ScenarioDiagnostic[] = [];
  const at = (p: YamlPath, message: string) => out.push({ file: src.file, ...positionOf(src, p), message });
  const nodeNames = new Set<string>();
  f.nodes.forEach((n, i) => {
    if (nodeNames.has(n.name)) at(['nodes', i, 'name'], `node "${n.name}" is declared twice`);
    nodeNames.add(n.name);
    if (n.overlay && n.overlay.type === 'ipip') {
      // still accepted: the model keeps IPIP, the data plane decides whether this kernel can build it
    }
  });
  const defNs = f.namespace ?? f.entry.namespace;
  const seen = new Set<string>();
  const claim = (kind: string, ns: string, name: string, p: YamlPath) => {
    const key = `${kind}/${ns}/${name}`;
    if (seen.has(key)) at(p, `${kind} "${ns}/${name}" is declared twice`);
    seen.add(key);
  };
  (f.workloads ?? []).forEach((w, i) => {
    claim('workload', w.namespace ?? defNs, w.name, ['workloads', i, 'name']);
    (w.placement ?? []).forEach((n, j) => {
      if (!nodeNames.has(n)) at(['workloads', i, 'placement', j], `unknown node "${n}" (nodes: ${[...nodeNames].join(', ')})`);
    });
    const sel = w.selector ?? w.templateLabels ?? { app: w.name };
    const tmpl = w.templateLabels ?? w.selector ?? { app: w.name };
    for (const [k, v] of Object.entries(sel)) {
      if (tmpl[k] !== v) at(['workloads', i, 'selector', k], `selector ${k}=${v} does not match the template labels; the Deployment would own no pods`);
    }
    for (const k of Object.keys(w.replicaOverrides ?? {})) {
      if (Number(k) >= w.replicas) at(['workloads', i, 'replicaOverrides', k], `replica ${k} does not exist (replicas: ${w.replicas})`);
    }
  });
  const podNames = new Set<string>();
  (f.pods ?? []).forEach((p, i) => {
    const ns = p.namespace ?? defNs;
    claim('pod', ns, p.name, ['pods', i, 'name']);
    podNames.add(`${ns}/${p.name}`);
    const node = f.nodes.find((n) => n.name === p.node);
    if (!node) at(['pods', i, 'node'], `unknown node "${p.node}" (nodes: ${[...nodeNames].join(', ')})`);
    else if (p.ip && !p.hostNetwork && !cidrContains(node.podCidr, p.ip)) {
      at(['pods', i, 'ip'], `pod IP ${p.ip} is outside node ${node.name}'s podCidr ${node.podCidr}`);
    }
  });
  (f.services ?? []).forEach((s, i) => {
    claim('service', s.namespace ?? defNs, s.name, ['services', i, 'name']);
    if (s.type !== 'NodePort' && s.type !== 'LoadBalancer') {
      s.ports.forEach((p, j) => {
        if (p.nodePort !== undefined) at(['services', i, 'ports', j, 'nodePort'], 'nodePort needs type NodePort or LoadBalancer');
      });
    }
  });
  const entryNs = f.entry.namespace;
  if (!(f.services ?? []).some((s) => s.name === f.entry.service && (s.namespace ?? defNs) === entryNs)) {
    at(['entry', 'service'], `entry service "${entryNs}/${f.entry.service}" is not declared under services`);
  }
  if (!podNames.has(`${entryNs}/${f.entry.clientPod}`)) {
    at(['entry', 'clientPod'], `entry client pod "${entryNs}/${f.entry.clientPod}" is not declared under pods`);
  }
  if (f.dns?.serverNode && !nodeNames.has(f.dns.serverNode)) at(['dns', 'serverNode'], `unknown node "${f.dns.serverNode}"`);
  (f.faults ?? []).forEach((fault, i) => {
    if ('node' in fault && !nodeNames.has(fault.node)) at(['faults', i, 'node'], `unknown node "${fault.node}"`);
    if ('nodes' in fault) fault.nodes.forEach((n, j) => nodeNames.has(n) || at(['faults', i, 'nodes', j], `unknown node "${n}"`));
    if ('service' in fault && !(f.services ?? []).some((s) => s.name === fault.service)) {
      at(['faults', i, 'service'], `unknown service "${fault.service}"`);
    }
    if (fault.kind === 'bad-replica') {
      const w = (f.workloads ?? []).find((x) => x.name === fault.workload);
      if (!w) at(['faults', i, 'workload'], `unknown workload "${fault.workload}"`);
      else if (fault.replica >= w.replicas) at(['faults', i, 'replica'], `replica ${fault.replica} does not exist (replicas: ${w.replicas})`);
    }
    if (fault.kind === 'tw-recycle-nat') {
      fault.natClients.forEach((c, j) => {
        if (![...podNames].some((p) => p.endsWith(`/${c}`))) at(['faults', i, 'natClients', j], `unknown pod "${c}"`);
      });
    }
  });
  return out;
}

const DEFAULT_SYSCTLS: Record<string, string> = {
  'net.ipv4.ip_forward': '1',
  'net.ipv4.tcp_timestamps': '1',
  'net.ipv4.ip_forward_use_pmtu': '0',
};

function behaviour(b: NonNullable<ScenarioFile['workloads']>[number]['app'], ports: number[]): AppBehaviour {
  return {
    listen: b?.listen ?? ports,
    responses: b?.responses ?? { '/': 612 },
    status: b?.status ?? 200,
  };
}

function normalise(file: string, f: ScenarioFile): Scenario {
  const defNs = f.namespace ?? f.entry.namespace;
  const nodes: ScenarioNode[] = f.nodes.map((n, i) => ({
    name: n.name,
    ip: n.ip,
    podCidr: n.podCidr,
    kernel: n.kernel ?? '6.1.0-lab-amd64',
    nicMtu: n.nicMtu ?? 1500,
    ...(n.overlay
      ? { overlay: { type: n.overlay.type, device: n.overlay.device ?? (n.overlay.type === 'vxlan' ? 'vxlan0' : 'tunl0'), mtu: n.overlay.mtu } }
      : {}),
    sysctls: { ...DEFAULT_SYSCTLS, ...Object.fromEntries(Object.entries(n.sysctls ?? {}).map(([k, v]) => [k, String(v)])) },
    ...(n.netstat ? { netstat: n.netstat } : {}),
    labels: {
      'kubernetes.io/hostname': n.name,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      ...(i === 0 ? { 'node-role.kubernetes.io/control-plane': '' } : {}),
      ...(n.labels ?? {}),
    },
  }));
  const badReplicas = new Map<string, { replica: number; mode: 'rst' | 'http500' }>();
  for (const fault of f.faults ?? []) if (fault.kind === 'bad-replica') badReplicas.set(fault.workload, fault);

  const workloads: ScenarioWorkload[] = (f.workloads ?? []).map((w) => {
    const ports = w.ports ?? [{ name: 'http', containerPort: 8080 }];
    const templateLabels = w.templateLabels ?? w.selector ?? { app: w.name };
    const overrides: Record<number, Partial<AppBehaviour>> = {};
    for (const [k, v] of Object.entries(w.replicaOverrides ?? {})) overrides[Number(k)] = stripUndefined(v);
    const bad = badReplicas.get(w.name);
    if (bad && overrides[bad.replica] === undefined) overrides[bad.replica] = bad.mode === 'rst' ? { listen: [] } : { status: 500 };
    return {
      name: w.name,
      namespace: w.namespace ?? defNs,
      kind: 'Deployment',
      labels: w.labels ?? { app: w.name },
      selector: w.selector ?? templateLabels,
      templateLabels,
      replicas: w.replicas,
      container: { name: w.containerName ?? w.name, image: w.image ?? `registry.lab.example/${w.name}:1.0`, ports },
      app: behaviour(w.app, ports.map((p) => p.containerPort)),
      placement: w.placement ?? nodes.map((n) => n.name),
      ...(Object.keys(overrides).length ? { replicaOverrides: overrides } : {}),
    };
  });

  const pods: ScenarioPod[] = (f.pods ?? []).map((p) => {
    const ports = p.ports ?? [];
    return {
      name: p.name,
      namespace: p.namespace ?? defNs,
      node: p.node,
      ip: p.hostNetwork ? nodes.find((n) => n.name === p.node)!.ip : (p.ip ?? ''),
      labels: p.labels ?? { run: p.name },
      container: { name: p.containerName ?? p.name, image: p.image ?? 'registry.lab.example/netshoot:lab', ports },
      app: behaviour(p.app, ports.map((x) => x.containerPort)),
      hostNetwork: p.hostNetwork ?? false,
      ...(p.tools ? { tools: p.tools } : {}),
    };
  });

  // bare pods first so their addresses do not move when a workload's replica count changes
  const ips = new PodIpAllocator(new Map(nodes.map((n) => [n.name, n.podCidr])));
  for (const p of pods) if (p.ip) ips.reserve(p.ip);
  for (const p of pods) if (!p.ip) p.ip = ips.allocate(p.node);

  const services: ScenarioService[] = (f.services ?? []).map((s) => ({
    name: s.name,
    namespace: s.namespace ?? defNs,
    type: s.type ?? 'ClusterIP',
    clusterIP: s.clusterIP,
    selector: s.selector,
    ports: s.ports.map((p) => ({
      ...(p.name !== undefined ? { name: p.name } : {}),
      port: p.port,
      targetPort: p.targetPort ?? p.port,
      ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
      protocol: 'TCP' as const,
    })),
    externalIPs: s.externalIPs ?? [],
    ...(s.loadBalancerIP ? { loadBalancerIP: s.loadBalancerIP } : {}),
    externalTrafficPolicy: s.externalTrafficPolicy ?? 'Cluster',
  }));

  const namespaces = [
    ...new Set([
      'default',
      'kube-system',
      ...(f.namespaces ?? []),
      f.entry.namespace,
      ...workloads.map((w) => w.namespace),
      ...pods.map((p) => p.namespace),
      ...services.map((s) => s.namespace),
    ]),
  ];
  const dnsNode = f.dns?.serverNode ?? nodes[0]!.name;
  const scenario: Scenario = {
    name: f.name,
    title: f.title,
    description: f.description.trim(),
    ...(f.incident ? { incident: f.incident } : {}),
    expectedCause: f.expectedCause,
    entry: f.entry,
    nodes,
    namespaces,
    workloads,
    pods,
    services,
    dns: {
      serverNode: dnsNode,
      serverIp: f.dns?.serverIp ?? '10.96.0.10',
      records: f.dns?.records ?? {},
      podSearch: f.dns?.podSearch ?? [`${f.entry.namespace}.svc.cluster.local`, 'svc.cluster.local', 'cluster.local'],
      nodeSearch: f.dns?.nodeSearch ?? [],
      ndots: f.dns?.ndots ?? 5,
    },
    faults: f.faults ?? [],
    ...(f.rbac ? { rbac: { deny: f.rbac.deny, ...(f.rbac.user ? { user: f.rbac.user } : {}) } } : {}),
    file,
  };
  return scenario;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Name of a workload's ReplicaSet for template revision `revision` (1 = as declared). */
export function replicaSetName(scenarioName: string, w: { namespace: string; name: string }, revision: number): string {
  return `${w.name}-${templateHash(`${scenarioName}/${w.namespace}/${w.name}/rev${revision}`)}`;
}

/** Name of the `n`th pod a ReplicaSet ever created (0-based), stable across runs. */
export function podNameFor(rsName: string, n: number): string {
  return `${rsName}-${podSuffix(`${rsName}/${n}`)}`;
}

/** Behaviour of replica `index` of a workload, with its per-replica override applied. */
export function replicaBehaviour(w: ScenarioWorkload, index: number): AppBehaviour {
  const o = w.replicaOverrides?.[index];
  return { ...w.app, ...(o ?? {}) };
}

/**
 * The scenario's initial pods: each workload's replicas (named like a ReplicaSet's, placed
 * round-robin over its placement nodes, IPs from the node's podCidr) followed by bare pods.
 */
export function derivePods(s: Scenario, alloc?: PodIpAllocator): ScenarioPod[] {
  const ips = alloc ?? new PodIpAllocator(new Map(s.nodes.map((n) => [n.name, n.podCidr])));
  for (const p of s.pods) if (!p.hostNetwork) ips.reserve(p.ip);
  const out: ScenarioPod[] = [];
  for (const w of s.workloads) {
    const rs = replicaSetName(s.name, w, 1);
    for (let i = 0; i < w.replicas; i++) {
      const node = w.placement[i % w.placement.length]!;
      out.push({
        name: podNameFor(rs, i),
        namespace: w.namespace,
        node,
        ip: ips.allocate(node),
        labels: { ...w.templateLabels, 'pod-template-hash': rs.slice(w.name.length + 1) },
        workload: w.name,
        container: w.container,
        app: replicaBehaviour(w, i),
        hostNetwork: false,
      });
    }
  }
  out.push(...s.pods);
  return out;
}
