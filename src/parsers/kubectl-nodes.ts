import { defineParser, couldNotParse, parsed, distinct, isRecord, str } from './outcome.js';
import { labelsOf, nameOf, readKubeDoc, status, type KubeObject } from './kubectl-doc.js';

function nodeFacts(node: KubeObject) {
  const st = status(node);
  const addresses = (Array.isArray(st.addresses) ? st.addresses.filter(isRecord) : []).map((a) => ({
    type: str(a.type) ?? '',
    address: str(a.address) ?? '',
  }));
  const conditions = Array.isArray(st.conditions) ? st.conditions.filter(isRecord) : [];
  const info = isRecord(st.nodeInfo) ? st.nodeInfo : {};
  return {
    name: nameOf(node),
    internal_ip: addresses.find((a) => a.type === 'InternalIP')?.address ?? '',
    external_ip: addresses.find((a) => a.type === 'ExternalIP')?.address ?? '',
    addresses,
    ready: conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
    kernel: str(info.kernelVersion) ?? '',
    labels: labelsOf(node),
  };
}

/** Nodes: names, addresses and kernels (for tw_recycle and address-conflict checks). */
export const kubectlNodesParser = defineParser({
  name: 'kubectl-nodes',
  description: 'kubectl get nodes -o json: items [{name, internal_ip, external_ip, addresses, ready, kernel, labels}], names, ips, node_by_ip',
  fields: ['items', 'count', 'names', 'ips', 'internal_ips', 'node_by_ip', 'ready_count'],
  parse({ stdout }) {
    const r = readKubeDoc(stdout);
    if (!r.ok) return couldNotParse('kubectl nodes JSON', r.why);
    const items = r.items.filter((i) => i.kind === undefined || i.kind === 'Node').map(nodeFacts);
    const nodeByIp: Record<string, string> = {};
    for (const n of items) for (const a of n.addresses) if (a.address && a.type.endsWith('IP')) nodeByIp[a.address] = n.name;
    return parsed({
      items,
      count: items.length,
      names: items.map((n) => n.name),
      ips: distinct(Object.keys(nodeByIp)),
      internal_ips: items.map((n) => n.internal_ip).filter((ip) => ip !== ''),
      node_by_ip: nodeByIp,
      ready_count: items.filter((n) => n.ready).length,
    });
  },
});
