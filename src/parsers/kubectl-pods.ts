import { defineParser, couldNotParse, parsed, distinct, isRecord, str } from './outcome.js';
import {
  containersOf,
  labelsOf,
  meta,
  nameOf,
  namespaceOf,
  ownerOf,
  portsOf,
  readKubeDoc,
  spec,
  status,
  type KubeObject,
} from './kubectl-doc.js';

/** The workload a pod belongs to. A ReplicaSet named `<deploy>-<pod-template-hash>` stands for
 * its Deployment: two ReplicaSets of one Deployment (a rollout) are one workload, two
 * Deployments behind one selector (incident 000) are two. */
export function workloadOf(pod: KubeObject): string {
  const owner = ownerOf(pod);
  if (!owner) return `Pod/${nameOf(pod)}`;
  const hash = labelsOf(pod)['pod-template-hash'];
  if (owner.kind === 'ReplicaSet' && hash && owner.name.endsWith(`-${hash}`)) {
    return `Deployment/${owner.name.slice(0, -(hash.length + 1))}`;
  }
  return `${owner.kind}/${owner.name}`;
}

function podFacts(pod: KubeObject) {
  const s = spec(pod);
  const st = status(pod);
  const owner = ownerOf(pod);
  const statuses = Array.isArray(st.containerStatuses) ? st.containerStatuses.filter(isRecord) : [];
  const ports = portsOf(s);
  return {
    name: nameOf(pod),
    namespace: namespaceOf(pod),
    ip: str(st.podIP) ?? '',
    host_ip: str(st.hostIP) ?? '',
    node: str(s.nodeName) ?? '',
    phase: str(st.phase) ?? '',
    ready: statuses.length > 0 && statuses.every((c) => c.ready === true),
    restarts: statuses.reduce((n, c) => n + (typeof c.restartCount === 'number' ? c.restartCount : 0), 0),
    labels: labelsOf(pod),
    owner: owner ? { kind: owner.kind, name: owner.name } : null,
    owner_kind: owner?.kind ?? '',
    owner_name: owner?.name ?? '',
    workload: workloadOf(pod),
    workload_kind: workloadOf(pod).split('/')[0] ?? '',
    workload_name: workloadOf(pod).split('/').slice(1).join('/'),
    containers: containersOf(s).map((c) => str(c.name) ?? ''),
    ports,
    port_numbers: ports.map((p) => p.containerPort),
    host_network: s.hostNetwork === true,
    deleting: typeof meta(pod).deletionTimestamp === 'string',
  };
}

/** Pods (a Pod or a List of pods) with the facts a diagnosis compares: IPs, nodes, owners. */
export const kubectlPodsParser = defineParser({
  name: 'kubectl-pods',
  description:
    'kubectl get pods -o json: items [{name, ip, node, phase, ready, labels, owner, workload, containers, ports, port_numbers}], ips, nodes, workloads, workload_count',
  fields: [
    'items',
    'count',
    'names',
    'ips',
    'ips_glob',
    'nodes',
    'node_count',
    'workloads',
    'workload_count',
    'running_count',
    'all_running',
    'pod_by_ip',
    'ports_by_workload',
    'first',
  ],
  parse({ stdout }) {
    const r = readKubeDoc(stdout);
    if (!r.ok) return couldNotParse('kubectl pods JSON', r.why);
    const pods = r.items.filter((i) => i.kind === undefined || i.kind === 'Pod');
    if (!r.isList && pods.length === 0) return couldNotParse('kubectl pods JSON', `expected a Pod or a List, got kind ${String(r.doc.kind)}`);
    const items = pods.map(podFacts);
    const running = items.filter((p) => p.phase === 'Running');
    const podByIp: Record<string, string> = {};
    for (const p of items) if (p.ip) podByIp[p.ip] = p.name;
    const workloads = distinct(items.map((p) => p.workload)).sort();
    const nodes = distinct(items.map((p) => p.node).filter((n) => n !== '')).sort();
    // what each workload declares: a Service's targetPort missing from one workload's ports is
    // the other application behind the selector
    const portsByWorkload: Record<string, number[]> = {};
    for (const p of items) portsByWorkload[p.workload] = distinct([...(portsByWorkload[p.workload] ?? []), ...p.port_numbers]).sort((a, b) => a - b);
    return parsed({
      items,
      count: items.length,
      names: items.map((p) => p.name),
      ips: items.map((p) => p.ip).filter((ip) => ip !== ''),
      ips_glob: `{${items.map((p) => p.ip).filter((ip) => ip !== '').join(',')}}`,
      nodes,
      node_count: nodes.length,
      workloads,
      workload_count: workloads.length,
      running_count: running.length,
      all_running: items.length > 0 && running.length === items.length,
      pod_by_ip: podByIp,
      ports_by_workload: portsByWorkload,
      first: items[0] ?? null,
    });
  },
});
