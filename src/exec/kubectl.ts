// kubectl argv building: pure functions, no I/O. Every value (pod, namespace, container,
// node, operator text) is one argv element; nothing is ever joined into a shell string.
import type { TargetSpec } from '../engine/model.js';
import type { CommandResult } from '../engine/types.js';
import type { ClusterOptions } from './types.js';

export const DEFAULT_DEBUG_IMAGE = 'nicolaka/netshoot';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'netwiz';
export const SESSION_LABEL = 'netwiz.io/session';
export const HOST_ANNOTATION = 'netwiz.io/host';
export const NODE_ANNOTATION = 'netwiz.io/node';

export class UnsafeNameError extends Error {}

/** A leading '-' would turn a name into a kubectl flag (`--kubeconfig=/evil`): refuse it.
 * Everything else is passed verbatim as data; the API server judges validity. */
export function checkName(what: string, value: string): string {
  if (value === '' || value.startsWith('-')) {
    throw new UnsafeNameError(
      `refusing ${what} ${JSON.stringify(value)}: Kubernetes names never start with '-' or are empty; check the playbook input`,
    );
  }
  return value;
}

export function kubectlBinary(cluster: ClusterOptions): string {
  return cluster.kubectl ?? 'kubectl';
}

/** Flags that go on every kubectl call. `--flag=value` keeps each flag and its value one
 * element, so a value can never be read as a second flag. $KUBECONFIG is left to kubectl. */
export function globalFlags(cluster: ClusterOptions): string[] {
  const flags: string[] = [];
  if (cluster.kubeconfig) flags.push(`--kubeconfig=${cluster.kubeconfig}`);
  if (cluster.context) flags.push(`--context=${cluster.context}`);
  return flags;
}

/** `[kubectl, --kubeconfig=…, --context=…, --namespace=NS, ...args]`; namespace falls back
 * to the session's (ClusterOptions.namespace), and is omitted when neither is set so
 * kubectl uses the context's namespace. */
export function kubectlArgv(cluster: ClusterOptions, args: string[], namespace?: string): string[] {
  const ns = namespace ?? cluster.namespace;
  return [kubectlBinary(cluster), ...globalFlags(cluster), ...(ns ? [`--namespace=${ns}`] : []), ...args];
}

const NAMESPACE_FLAG = /^(-n|--namespace)(=.*)?$|^-n.+|^(-A|--all-namespaces)(=.*)?$/;

/** A playbook's own `kubectl …` argv on the workstation gets the session's cluster options
 * too: kubeconfig and context always, the namespace unless the argv names one (or -A).
 * Flags go right after the binary, before any `--`. Other argv are returned unchanged. */
export function withClusterOptions(cluster: ClusterOptions, argv: string[]): string[] {
  if (argv[0] !== 'kubectl') return argv;
  const rest = argv.slice(1);
  const dashdash = rest.indexOf('--');
  const own = dashdash === -1 ? rest : rest.slice(0, dashdash);
  const hasNs = own.some((a) => NAMESPACE_FLAG.test(a));
  const ns = hasNs ? [] : cluster.namespace ? [`--namespace=${cluster.namespace}`] : [];
  return [kubectlBinary(cluster), ...globalFlags(cluster), ...ns, ...rest];
}

export interface PodExecOptions {
  pod: string;
  namespace?: string;
  container?: string;
  /** keep stdin open (-i) to feed RunRequest.stdin */
  stdin?: boolean;
}

/** `kubectl exec POD --container=C --namespace=NS -- argv…` */
export function podExecArgv(cluster: ClusterOptions, o: PodExecOptions, argv: string[]): string[] {
  const args = ['exec'];
  if (o.stdin) args.push('-i');
  args.push(checkName('pod', o.pod));
  if (o.container) args.push(`--container=${checkName('container', o.container)}`);
  args.push('--', ...argv);
  return kubectlArgv(cluster, args, o.namespace ? checkName('namespace', o.namespace) : undefined);
}

/** Node commands: argv that names a host path (`/host/usr/sbin/iptables-save`) runs that
 * host binary under `chroot /host` so it sees the host's own files and libraries; an argv
 * that already starts with `chroot` is left alone; everything else runs in the debug image
 * with the host's network and PID namespaces (ip, ss, sysctl net.*, tcpdump). */
export function nodeCommand(argv: string[]): string[] {
  const first = argv[0];
  if (first !== undefined && first.startsWith('/host/')) {
    return ['chroot', '/host', first.slice('/host'.length), ...argv.slice(1)];
  }
  return argv;
}

/** Bound a command inside a container we own, so a cancelled `kubectl exec` (which does not
 * stop the remote process) cannot leave a tcpdump running there for long. */
export function boundedRemote(argv: string[], timeoutMs: number): string[] {
  const secs = Math.max(1, Math.ceil(timeoutMs / 1000) + 1);
  return ['timeout', '-s', 'KILL', String(secs), ...argv];
}

const RAW_SOCKET_TOOLS = new Set(['ping', 'ping6', 'arping', 'tcpdump', 'traceroute', 'tracepath', 'mtr', 'hping3', 'nping']);

function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i === -1 ? p : p.slice(i + 1);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Did `kubectl exec` fail because the image lacks the tool (or the right to use it), as
 * opposed to the tool running and reporting a finding? Only then is a debug container due. */
export function toolMissing(result: CommandResult, argv: string[]): boolean {
  if (result.timedOut || result.cancelled || result.spawnError) return false;
  if (result.exitCode === 0 || result.exitCode === null) return false;
  const err = result.stderr;
  // kubectl's own errors (pod not found, forbidden) are not a missing tool
  if (/^error from server|^error: /im.test(err) && !/executable file not found/i.test(err)) return false;
  if (result.exitCode === 126 || result.exitCode === 127) return true;
  if (/executable file not found|no such file or directory: unknown/i.test(err)) return true;
  const tool = basename(argv[0] ?? '');
  if (tool && new RegExp(`(^|[\\s:])${escapeRe(tool)}: (command )?not found`, 'im').test(err)) return true;
  if (RAW_SOCKET_TOOLS.has(tool) && /permission denied|operation not permitted|you don't have permission/i.test(err)) {
    return true;
  }
  return false;
}

/** `kubectl debug POD --image=IMG --target=C --container=NAME --profile=netadmin -- sleep TTL`:
 * an ephemeral container in the pod's network (and, with a target, PID) namespace. */
export function debugContainerArgv(
  cluster: ClusterOptions,
  o: { pod: string; namespace?: string; target?: string; name: string; ttlSeconds: number },
): string[] {
  const args = [
    'debug',
    checkName('pod', o.pod),
    `--image=${cluster.debugImage ?? DEFAULT_DEBUG_IMAGE}`,
    `--container=${o.name}`,
    '--profile=netadmin',
  ];
  if (o.target) args.push(`--target=${checkName('container', o.target)}`);
  // an ephemeral container cannot be deleted; it ends on its own after the TTL
  args.push('--', 'sleep', String(o.ttlSeconds));
  return kubectlArgv(cluster, args, o.namespace ? checkName('namespace', o.namespace) : undefined);
}

/** Short stable names: label-safe, DNS-1123, <= 63 chars. */
export function labelSafe(value: string): string {
  const s = value.replace(/[^A-Za-z0-9._-]/g, '-').replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
  return (s || 'x').slice(0, 63).replace(/[^A-Za-z0-9]+$/, '') || 'x';
}

export interface NodePodSpec {
  name: string;
  namespace: string;
  node: string;
  sessionId: string;
  image: string;
  host: string;
  ttlSeconds: number;
}

/** What `kubectl debug node` would create, made by netwiz so it can be reused and deleted:
 * host network/PID, privileged, host root at /host, tolerating every taint. */
export function nodePodManifest(s: NodePodSpec): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: s.name,
      namespace: s.namespace,
      labels: {
        [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
        [SESSION_LABEL]: labelSafe(s.sessionId),
      },
      annotations: {
        [NODE_ANNOTATION]: s.node,
        [HOST_ANNOTATION]: s.host,
        'netwiz.io/session-id': s.sessionId,
      },
    },
    spec: {
      nodeName: s.node,
      hostNetwork: true,
      hostPID: true,
      hostIPC: true,
      dnsPolicy: 'ClusterFirstWithHostNet',
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      enableServiceLinks: false,
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: 'netwiz',
          image: s.image,
          // ends by itself even if netwiz and the sweep both never run again
          command: ['sleep', String(s.ttlSeconds)],
          securityContext: { privileged: true },
          volumeMounts: [{ name: 'host-root', mountPath: '/host' }],
        },
      ],
      volumes: [{ name: 'host-root', hostPath: { path: '/' } }],
    },
  };
}

export const NODE_POD_CONTAINER = 'netwiz';

export interface PeerPodSpec {
  name: string;
  namespace: string;
  node: string;
  sessionId: string;
  image: string;
  host: string;
  ttlSeconds: number;
  /** the pod it stands in for */
  forPod: string;
}

/** When ephemeral containers are unavailable (disabled, forbidden, old cluster): a plain
 * pod on the same node and in the same namespace (so DNS search domains match), with the
 * capabilities ping and tcpdump need. Not the pod's own network namespace: the result
 * says so (via 'same-node-pod'). */
export function peerPodManifest(s: PeerPodSpec): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: s.name,
      namespace: s.namespace,
      labels: {
        [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
        [SESSION_LABEL]: labelSafe(s.sessionId),
      },
      annotations: {
        [NODE_ANNOTATION]: s.node,
        [HOST_ANNOTATION]: s.host,
        'netwiz.io/session-id': s.sessionId,
        'netwiz.io/stands-in-for': s.forPod,
      },
    },
    spec: {
      nodeName: s.node,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      enableServiceLinks: false,
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: NODE_POD_CONTAINER,
          image: s.image,
          command: ['sleep', String(s.ttlSeconds)],
          securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } },
        },
      ],
    },
  };
}

export function targetLabel(t: TargetSpec): string {
  switch (t.kind) {
    case 'workstation':
      return 'workstation';
    case 'pod':
      return `pod ${t.namespace ? `${t.namespace}/` : ''}${t.pod ?? '?'}${t.container ? ` (${t.container})` : ''}`;
    case 'node':
      return `node ${t.node ?? '?'}`;
  }
}
