// Kubernetes objects built from the scenario, shaped as a real cluster returns them
// (ownerReferences, uid, resourceVersion, creationTimestamp, realistic status), so that
// `kubectl get -o json` in the lab reads like production.
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Scenario, ScenarioNode, ScenarioPod, ScenarioService, ScenarioWorkload } from '../scenario/model.js';
import { stableUid } from '../scenario/names.js';

export type Obj = any;

export const ts = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

function osImageFor(kernel: string): string {
  if (/\.el7\./.test(kernel)) return 'CentOS Linux 7 (Core)';
  if (/\.el8/.test(kernel)) return 'Rocky Linux 8.9 (Green Obsidian)';
  return 'Debian GNU/Linux 12 (bookworm)';
}

export function nodeObject(s: Scenario, n: ScenarioNode, created: number): Obj {
  return {
    kind: 'Node',
    apiVersion: 'v1',
    metadata: {
      name: n.name,
      uid: stableUid(`${s.name}/node/${n.name}`),
      creationTimestamp: ts(created),
      labels: { ...n.labels, 'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': 'amd64' },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: { podCIDR: n.podCidr, podCIDRs: [n.podCidr] },
    status: {
      capacity: { cpu: '4', 'ephemeral-storage': '41152812Ki', memory: '8008876Ki', pods: '110' },
      allocatable: { cpu: '4', 'ephemeral-storage': '37926431477', memory: '7906476Ki', pods: '110' },
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available', created),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure', created),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available', created),
        cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status', created),
      ],
      addresses: [
        { type: 'InternalIP', address: n.ip },
        { type: 'Hostname', address: n.name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: stableUid(`${s.name}/machine/${n.name}`).replace(/-/g, ''),
        systemUUID: stableUid(`${s.name}/system/${n.name}`),
        bootID: stableUid(`${s.name}/boot/${n.name}`),
        kernelVersion: n.kernel,
        osImage: osImageFor(n.kernel),
        containerRuntimeVersion: 'containerd://1.7.24',
        kubeletVersion: 'v1.32.4',
        kubeProxyVersion: 'v1.32.4',
        operatingSystem: 'linux',
        architecture: 'amd64',
      },
    },
  };
}

function cond(type: string, status: string, reason: string, message: string, at: number): Obj {
  return { type, status, lastHeartbeatTime: ts(Date.now()), lastTransitionTime: ts(at), reason, message };
}

export function namespaceObject(s: Scenario, name: string, created: number): Obj {
  return {
    kind: 'Namespace',
    apiVersion: 'v1',
    metadata: {
      name,
      uid: stableUid(`${s.name}/ns/${name}`),
      creationTimestamp: ts(created),
      labels: { 'kubernetes.io/metadata.name': name },
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

export function serviceObject(s: Scenario, svc: ScenarioService, created: number): Obj {
  const external = svc.type !== 'ClusterIP';
  return {
    kind: 'Service',
    apiVersion: 'v1',
    metadata: {
      name: svc.name,
      namespace: svc.namespace,
      uid: stableUid(`${s.name}/svc/${svc.namespace}/${svc.name}`),
      creationTimestamp: ts(created),
      labels: { ...svc.selector },
    },
    spec: {
      clusterIP: svc.clusterIP,
      clusterIPs: [svc.clusterIP],
      ...(svc.externalIPs.length ? { externalIPs: svc.externalIPs } : {}),
      ...(external ? { externalTrafficPolicy: svc.externalTrafficPolicy } : {}),
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ...(svc.loadBalancerIP ? { loadBalancerIP: svc.loadBalancerIP } : {}),
      ports: svc.ports.map((p) => ({
        ...(p.name !== undefined ? { name: p.name } : {}),
        ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
        port: p.port,
        protocol: 'TCP',
        targetPort: p.targetPort,
      })),
      selector: svc.selector,
      sessionAffinity: 'None',
      type: svc.type,
    },
    status: { loadBalancer: svc.type === 'LoadBalancer' && svc.loadBalancerIP ? { ingress: [{ ip: svc.loadBalancerIP, ipMode: 'VIP' }] } : {} },
  };
}

type ScenarioContainer = ScenarioPod['container'];

/** One container as the API server returns it: `extra` sits where kubectl shows ports/command. */
function containerSpec(c: ScenarioContainer, extra: Obj): Obj {
  return {
    name: c.name,
    image: c.image,
    imagePullPolicy: 'IfNotPresent',
    ...extra,
    resources: {},
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
  };
}

function containerPorts(c: ScenarioContainer): Obj[] {
  return c.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), containerPort: p.containerPort, protocol: 'TCP' }));
}

/** A one-container pod spec with the defaults the API server fills in. */
function podSpec(container: Obj): Obj {
  return {
    containers: [container],
    dnsPolicy: 'ClusterFirst',
    restartPolicy: 'Always',
    schedulerName: 'default-scheduler',
    securityContext: {},
    terminationGracePeriodSeconds: 30,
  };
}

export function podTemplate(w: ScenarioWorkload): Obj {
  return {
    metadata: { labels: { ...w.templateLabels } },
    spec: podSpec(containerSpec(w.container, { ports: containerPorts(w.container) })),
  };
}

export function deploymentObject(s: Scenario, w: ScenarioWorkload, created: number): Obj {
  return {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: {
      name: w.name,
      namespace: w.namespace,
      uid: stableUid(`${s.name}/deploy/${w.namespace}/${w.name}`),
      creationTimestamp: ts(created),
      generation: 1,
      labels: { ...w.labels },
      annotations: { 'deployment.kubernetes.io/revision': '1' },
    },
    spec: {
      replicas: w.replicas,
      selector: { matchLabels: { ...w.selector } },
      template: podTemplate(w),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {},
  };
}

export function ownerRef(o: Obj, controller = true): Obj {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, controller, blockOwnerDeletion: true };
}

/** The pod object of a ScenarioPod. `template` is the owning ReplicaSet's pod template. */
export function podObject(
  p: ScenarioPod,
  opts: { uid: string; created: number; node: { name: string; ip: string }; template?: Obj; owner?: Obj; spec?: Obj },
): Obj {
  const baseSpec =
    opts.spec ??
    opts.template?.spec ??
    podSpec(
      containerSpec(p.container, {
        ...(p.container.ports.length ? { ports: containerPorts(p.container) } : {}),
        command: ['sleep', 'infinity'],
      }),
    );
  const spec = JSON.parse(JSON.stringify(baseSpec));
  spec.nodeName = opts.node.name;
  if (p.hostNetwork) spec.hostNetwork = true;
  spec.enableServiceLinks ??= true;
  spec.preemptionPolicy ??= 'PreemptLowerPriority';
  spec.priority ??= 0;
  spec.serviceAccountName ??= 'default';
  spec.serviceAccount ??= 'default';
  spec.tolerations ??= [
    { effect: 'NoExecute', key: 'node.kubernetes.io/not-ready', operator: 'Exists', tolerationSeconds: 300 },
    { effect: 'NoExecute', key: 'node.kubernetes.io/unreachable', operator: 'Exists', tolerationSeconds: 300 },
  ];
  const started = ts(opts.created + 2000);
  const containers: Obj[] = spec.containers ?? [];
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: {
      name: p.name,
      namespace: p.namespace,
      uid: opts.uid,
      creationTimestamp: ts(opts.created),
      labels: { ...p.labels },
      ...(opts.owner
        ? { generateName: `${opts.owner.metadata.name}-`, ownerReferences: [ownerRef(opts.owner)] }
        : {}),
    },
    spec,
    status: {
      phase: 'Running',
      conditions: [
        { type: 'PodReadyToStartContainers', status: 'True', lastProbeTime: null, lastTransitionTime: started },
        { type: 'Initialized', status: 'True', lastProbeTime: null, lastTransitionTime: ts(opts.created) },
        { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: started },
        { type: 'ContainersReady', status: 'True', lastProbeTime: null, lastTransitionTime: started },
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: ts(opts.created) },
      ],
      hostIP: opts.node.ip,
      hostIPs: [{ ip: opts.node.ip }],
      podIP: p.ip,
      podIPs: [{ ip: p.ip }],
      startTime: ts(opts.created),
      qosClass: 'BestEffort',
      containerStatuses: containers.map((c, i) => ({
        name: c.name,
        image: c.image,
        imageID: `${String(c.image).split(':')[0]}@sha256:${stableUid(`${c.image}`).replace(/-/g, '')}${stableUid(`${c.image}/2`).replace(/-/g, '').slice(0, 32)}`,
        containerID: `containerd://${(stableUid(`${opts.uid}/${i}`) + stableUid(`${opts.uid}/${i}/b`)).replace(/-/g, '').slice(0, 64)}`,
        ready: true,
        restartCount: 0,
        started: true,
        state: { running: { startedAt: started } },
        lastState: {},
      })),
    },
  };
}

export function eventObject(
  involved: Obj,
  e: { reason: string; message: string; type?: string; component: string; host?: string; fieldPath?: string },
  at: number,
  seq: number,
): Obj {
  const ns = involved.metadata.namespace ?? 'default';
  return {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: {
      name: `${involved.metadata.name}.${(at * 1000 + seq).toString(16).slice(-16)}`,
      namespace: ns,
      uid: stableUid(`event/${involved.metadata.uid}/${seq}/${at}`),
      creationTimestamp: ts(at),
    },
    involvedObject: {
      kind: involved.kind,
      namespace: ns,
      name: involved.metadata.name,
      uid: involved.metadata.uid,
      apiVersion: involved.apiVersion,
      ...(e.fieldPath ? { fieldPath: e.fieldPath } : {}),
    },
    reason: e.reason,
    message: e.message,
    source: { component: e.component, ...(e.host ? { host: e.host } : {}) },
    firstTimestamp: ts(at),
    lastTimestamp: ts(at),
    count: 1,
    type: e.type ?? 'Normal',
    eventTime: null,
    reportingComponent: e.component,
    reportingInstance: e.host ?? '',
  };
}
