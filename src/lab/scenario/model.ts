// A lab scenario as the server (src/lab/server) and the data plane (src/lab/netns) see it,
// after src/lab/scenario/load.ts has validated and normalised the YAML (with file:line errors).
// Contract shared by both lab parts. Addresses are lab-private (10.x inside lab netns only).

export interface ScenarioNode {
  name: string;
  /** underlay address of the node NIC (eth0 in its netns), e.g. 10.77.0.11 */
  ip: string;
  /** pod CIDR routed to this node, e.g. 10.244.1.0/24 */
  podCidr: string;
  kernel: string;
  nicMtu: number;
  /** overlay device between nodes; plain routing when absent */
  overlay?: { type: 'vxlan' | 'ipip'; device: string; mtu: number };
  /** what `sysctl` reports on the node; real where the kernel has the key, emulated otherwise */
  sysctls: Record<string, string>;
  /** /proc/net/netstat counters the node reports (emulated fields, documented as such) */
  netstat?: Record<string, number>;
  labels: Record<string, string>;
}

export interface AppBehaviour {
  /** ports the app listens on; empty = listens on nothing (connects get RST) */
  listen: number[];
  /** path → response body size in bytes; '/' is the default */
  responses: Record<string, number>;
  /** http status it answers with (500 for a broken replica) */
  status: number;
}

export interface ScenarioWorkload {
  name: string;
  namespace: string;
  kind: 'Deployment';
  labels: Record<string, string>;
  selector: Record<string, string>;
  templateLabels: Record<string, string>;
  replicas: number;
  container: { name: string; image: string; ports: { name?: string; containerPort: number }[] };
  app: AppBehaviour;
  /** node names pods are placed on, round-robin */
  placement: string[];
  /** per-replica overrides: replica index → behaviour (one bad replica) */
  replicaOverrides?: Record<number, Partial<AppBehaviour>>;
}

export interface ScenarioPod {
  name: string;
  namespace: string;
  node: string;
  ip: string;
  labels: Record<string, string>;
  /** owning workload, absent for bare pods (the client) */
  workload?: string;
  container: { name: string; image: string; ports: { name?: string; containerPort: number }[] };
  app: AppBehaviour;
  hostNetwork: boolean;
  /** tools present in the image: a missing one makes exec fail like "curl: not found" */
  tools?: string[];
}

export interface ScenarioService {
  name: string;
  namespace: string;
  type: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  clusterIP: string;
  selector: Record<string, string>;
  ports: { name?: string; port: number; targetPort: number; nodePort?: number; protocol: 'TCP' }[];
  externalIPs: string[];
  loadBalancerIP?: string;
  externalTrafficPolicy: 'Cluster' | 'Local';
}

export interface ScenarioDns {
  /** where the lab's resolver runs: a node name (its netns) */
  serverNode: string;
  /** resolver address (on that node) */
  serverIp: string;
  /** name → address records; a leading '*.' makes a wildcard zone */
  records: Record<string, string>;
  /** cluster-domain search list pods get, e.g. [ns.svc.cluster.local, svc.cluster.local, cluster.local] */
  podSearch: string[];
  /** node resolv.conf search list (the incident's extra corp domain goes here) */
  nodeSearch: string[];
  ndots: number;
}

export type ScenarioFault =
  | { kind: 'overlay-mtu' }
  | { kind: 'selector-overlap'; service: string }
  | { kind: 'externalip-conflict'; service: string; ip: string; nodes: string[] }
  | { kind: 'tw-recycle-nat'; node: string; natClients: string[] }
  | { kind: 'dns-search-domain'; domain: string; wrongIp: string }
  | { kind: 'bad-replica'; workload: string; replica: number; mode: 'rst' | 'http500' };

export interface ScenarioRbac {
  /** user name the lab kubeconfig authenticates as (default "netwiz-lab"); shown in 403 messages */
  user?: string;
  /** verbs denied to the lab user, e.g. [{verb:'patch', resource:'deployments', subresource:'scale'}] */
  deny: { verb: string; resource: string; subresource?: string }[];
}

export interface Scenario {
  name: string;
  title: string;
  description: string;
  /** incident write-up it reproduces, e.g. '004' */
  incident?: string;
  /** the cause netwiz should conclude, e.g. 'overlay-mtu' or 'healthy' */
  expectedCause: string;
  /** inputs a user would give the wizard */
  entry: { namespace: string; service: string; clientPod: string };
  nodes: ScenarioNode[];
  namespaces: string[];
  workloads: ScenarioWorkload[];
  /** bare pods (clients, tools) */
  pods: ScenarioPod[];
  services: ScenarioService[];
  dns: ScenarioDns;
  faults: ScenarioFault[];
  rbac?: ScenarioRbac;
  /** absolute path of the file it came from */
  file: string;
}
