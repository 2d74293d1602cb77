import { defineParser, couldNotParse, parsed, distinct, isRecord, str } from './outcome.js';
import { readKubeDoc, type KubeObject } from './kubectl-doc.js';
import type { ParseInput, ParseOutcome } from './types.js';

interface Address {
  ip: string;
  pod: string;
  node: string;
  ready: boolean;
}
interface Port {
  name: string;
  port: number;
  protocol: string;
}

function targetPod(ref: unknown): string {
  return isRecord(ref) && (ref.kind === undefined || ref.kind === 'Pod') ? (str(ref.name) ?? '') : '';
}

function readPorts(v: unknown): Port[] {
  if (!Array.isArray(v)) return [];
  return v
    .filter(isRecord)
    .filter((p) => typeof p.port === 'number')
    .map((p) => ({ name: str(p.name) ?? '', port: p.port as number, protocol: str(p.protocol) ?? 'TCP' }));
}

function fromEndpoints(obj: KubeObject, addrs: Address[], ports: Port[]): void {
  const subsets = Array.isArray(obj.subsets) ? obj.subsets.filter(isRecord) : [];
  for (const s of subsets) {
    for (const [key, ready] of [
      ['addresses', true],
      ['notReadyAddresses', false],
    ] as const) {
      const list = Array.isArray(s[key]) ? (s[key] as unknown[]).filter(isRecord) : [];
      for (const a of list) addrs.push({ ip: str(a.ip) ?? '', pod: targetPod(a.targetRef), node: str(a.nodeName) ?? '', ready });
    }
    ports.push(...readPorts(s.ports));
  }
}

function fromSlice(obj: KubeObject, addrs: Address[], ports: Port[]): void {
  const eps = Array.isArray(obj.endpoints) ? obj.endpoints.filter(isRecord) : [];
  for (const e of eps) {
    // ready unset means ready (EndpointSlice API semantics)
    const ready = !(isRecord(e.conditions) && e.conditions.ready === false);
    const ips = Array.isArray(e.addresses) ? e.addresses.filter((x): x is string => typeof x === 'string') : [];
    for (const ip of ips) addrs.push({ ip, pod: targetPod(e.targetRef), node: str(e.nodeName) ?? '', ready });
  }
  ports.push(...readPorts(obj.ports));
}

function parseEndpoints({ stdout }: ParseInput, what: string): ParseOutcome {
  const r = readKubeDoc(stdout);
  if (!r.ok) return couldNotParse(what, r.why);
  const addrs: Address[] = [];
  const ports: Port[] = [];
  let recognised = r.isList;
  for (const item of r.items) {
    if (item.kind === 'EndpointSlice' || Array.isArray(item.endpoints)) {
      fromSlice(item, addrs, ports);
      recognised = true;
    } else if (item.kind === 'Endpoints' || Array.isArray(item.subsets)) {
      fromEndpoints(item, addrs, ports);
      recognised = true;
    }
  }
  if (!recognised) return couldNotParse(what, `expected Endpoints or EndpointSlices, got kind ${String(r.doc.kind)}`);
  // one endpoint can appear in several slices (dual stack, slice churn): keep the first
  const seen = new Set<string>();
  const unique = addrs.filter((a) => (seen.has(a.ip) ? false : (seen.add(a.ip), a.ip !== '')));
  const ready = unique.filter((a) => a.ready);
  const uniquePorts = distinct(ports.map((p) => JSON.stringify(p))).map((s) => JSON.parse(s) as Port);
  return parsed({
    addresses: unique,
    ready_addresses: ready,
    ips: ready.map((a) => a.ip),
    // one curl URL glob over every ready endpoint: http://{{ep.ips_glob}}:PORT/
    ips_glob: `{${ready.map((a) => a.ip).join(',')}}`,
    pod_by_ip: Object.fromEntries(ready.filter((a) => a.pod !== '').map((a) => [a.ip, a.pod])),
    pod_names: ready.map((a) => a.pod).filter((p) => p !== ''),
    nodes: distinct(ready.map((a) => a.node).filter((n) => n !== '')),
    count: ready.length,
    not_ready_count: unique.length - ready.length,
    ports: uniquePorts,
    port: uniquePorts[0]?.port ?? null,
  });
}

const FIELDS = ['addresses', 'ready_addresses', 'ips', 'ips_glob', 'pod_by_ip', 'pod_names', 'nodes', 'count', 'not_ready_count', 'ports', 'port'];

export const kubectlEndpointsParser = defineParser({
  name: 'kubectl-endpoints',
  description: 'kubectl get endpoints NAME -o json (or EndpointSlices): addresses [{ip, pod, node, ready}], ips, pod_names, ports',
  fields: FIELDS,
  parse: (input) => parseEndpoints(input, 'kubectl endpoints JSON'),
});

export const kubectlEndpointSlicesParser = defineParser({
  name: 'kubectl-endpointslices',
  description:
    'kubectl get endpointslices -l kubernetes.io/service-name=NAME -o json: addresses [{ip, pod, node, ready}], ips, pod_names, ports',
  fields: FIELDS,
  parse: (input) => parseEndpoints(input, 'kubectl endpointslices JSON'),
});
