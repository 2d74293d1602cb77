import { defineParser, couldNotParse, parsed, distinct, isRecord, str, stringMap } from './outcome.js';
import { nameOf, namespaceOf, readKubeDoc, selectorString, spec, status, type KubeObject } from './kubectl-doc.js';

function servicePorts(s: Record<string, unknown>) {
  const ports = Array.isArray(s.ports) ? s.ports.filter(isRecord) : [];
  return ports.map((p) => ({
    name: str(p.name) ?? '',
    port: typeof p.port === 'number' ? p.port : null,
    // targetPort is a number or a named container port
    targetPort: typeof p.targetPort === 'number' || typeof p.targetPort === 'string' ? p.targetPort : typeof p.port === 'number' ? p.port : null,
    nodePort: typeof p.nodePort === 'number' ? p.nodePort : null,
    protocol: str(p.protocol) ?? 'TCP',
  }));
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function serviceFacts(svc: KubeObject) {
  const s = spec(svc);
  const st = status(svc);
  const selector = stringMap(s.selector);
  const ingress = isRecord(st.loadBalancer) && Array.isArray(st.loadBalancer.ingress) ? st.loadBalancer.ingress.filter(isRecord) : [];
  const lbIngressIPs = ingress.map((i) => str(i.ip) ?? '').filter((ip) => ip !== '');
  const clusterIP = str(s.clusterIP) ?? '';
  const externalIPs = stringList(s.externalIPs);
  const loadBalancerIP = str(s.loadBalancerIP) ?? '';
  const ports = servicePorts(s);
  return {
    name: nameOf(svc),
    namespace: namespaceOf(svc),
    type: str(s.type) ?? 'ClusterIP',
    clusterIP,
    selector,
    selector_string: selectorString(selector),
    selector_size: Object.keys(selector).length,
    ports,
    port: ports[0]?.port ?? null,
    targetPort: ports[0]?.targetPort ?? null,
    nodePort: ports[0]?.nodePort ?? null,
    externalIPs,
    loadBalancerIP,
    lb_ingress_ips: lbIngressIPs,
    // every address this Service makes nodes answer for (kube-proxy binds them in IPVS mode)
    exposed_ips: distinct([...externalIPs, loadBalancerIP, ...lbIngressIPs].filter((ip) => ip !== '')),
    all_ips: distinct([clusterIP, ...externalIPs, loadBalancerIP, ...lbIngressIPs].filter((ip) => ip !== '' && ip !== 'None')),
    externalTrafficPolicy: str(s.externalTrafficPolicy) ?? '',
  };
}

const SERVICE_FIELDS = [
  'name',
  'namespace',
  'type',
  'clusterIP',
  'selector',
  'selector_string',
  'selector_size',
  'ports',
  'port',
  'targetPort',
  'nodePort',
  'externalIPs',
  'loadBalancerIP',
  'lb_ingress_ips',
  'exposed_ips',
  'all_ips',
  'externalTrafficPolicy',
];

/** One Service: selector (also as `k=v,…` for `-l`), ports, type and every address it exposes. */
export const kubectlServiceParser = defineParser({
  name: 'kubectl-service',
  description: 'kubectl get svc NAME -o json: selector, selector_string, ports, type, clusterIP, externalIPs, loadBalancerIP, exposed_ips',
  fields: SERVICE_FIELDS,
  parse({ stdout }) {
    const r = readKubeDoc(stdout);
    if (!r.ok) return couldNotParse('kubectl service JSON', r.why);
    const svc = r.isList ? r.items[0] : r.doc;
    if (!svc || (svc.kind !== undefined && svc.kind !== 'Service')) {
      return couldNotParse('kubectl service JSON', `expected a Service, got ${r.isList ? 'an empty List' : `kind ${String(svc?.kind)}`}`);
    }
    return parsed(serviceFacts(svc));
  },
});

/** All Services (of a namespace or cluster): who else claims an address. */
export const kubectlServicesParser = defineParser({
  name: 'kubectl-services',
  description: 'kubectl get svc -A -o json: items [{name, namespace, type, clusterIP, externalIPs, exposed_ips}], exposed_ips, owners_by_ip',
  fields: ['items', 'count', 'exposed_ips', 'cluster_ips', 'owners_by_ip'],
  parse({ stdout }) {
    const r = readKubeDoc(stdout);
    if (!r.ok) return couldNotParse('kubectl services JSON', r.why);
    const items = r.items.filter((i) => i.kind === undefined || i.kind === 'Service').map(serviceFacts);
    const ownersByIp: Record<string, string[]> = {};
    for (const s of items) {
      for (const ip of s.all_ips) (ownersByIp[ip] ??= []).push(`${s.namespace}/${s.name}`);
    }
    return parsed({
      items,
      count: items.length,
      exposed_ips: distinct(items.flatMap((s) => s.exposed_ips)),
      cluster_ips: items.map((s) => s.clusterIP).filter((ip) => ip !== '' && ip !== 'None'),
      owners_by_ip: ownersByIp,
    });
  },
});
