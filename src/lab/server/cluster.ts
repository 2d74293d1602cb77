// The lab cluster's state and its controllers: a versioned object store with watch, plus
// just enough of the deployment, replicaset, scheduler and endpoints controllers to make
// scaling, pinning and pod creation real. Every change is told to the data plane (when
// there is one) in order; mutating requests wait for it before answering.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { randomUUID } from 'node:crypto';
import type { DataPlane } from '../dataplane.js';
import type { Scenario, ScenarioPod, ScenarioService, ScenarioWorkload } from '../scenario/model.js';
import { PodIpAllocator, ipToInt, podSuffix, stableUid } from '../scenario/names.js';
import { derivePods, podNameFor, replicaBehaviour, replicaSetName } from '../scenario/load.js';
import { deploymentObject, eventObject, namespaceObject, nodeObject, ownerRef, podObject, serviceObject, ts, type Obj } from './objects.js';
import { selectorMatches } from './selectors.js';

export type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  rv: number;
  type: WatchType;
  kind: string;
  namespace: string;
  object: Obj;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Obj,
  ) {
    super(message);
  }
}

/** 422 Invalid with the details kubectl prints as `The Kind "name" is invalid: field: message` */
export function invalid(kind: string, group: string, name: string, field: string, message: string): ApiError {
  const qualified = group ? `${kind}.${group}` : kind;
  return new ApiError(422, 'Invalid', `${qualified} "${name}" is invalid: ${field}: ${message}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes: [{ reason: 'FieldValueInvalid', message, field }],
  });
}

const HISTORY = 5000;
const DAY = 24 * 3600_000;

export interface ClusterOptions {
  dataPlane?: DataPlane;
  /** logs data-plane failures; they never fail the API request */
  log?: (line: string) => void;
  now?: () => number;
}

export class LabCluster {
  private rv = 1;
  private readonly objects = new Map<string, Obj>();
  private readonly history: WatchEvent[] = [];
  private readonly listeners = new Set<(e: WatchEvent) => void>();
  /** data-plane view of each pod, by ns/name */
  private readonly podInfo = new Map<string, ScenarioPod>();
  /** pods created so far per ReplicaSet (pod names stay unique and stable) */
  private readonly rsCounter = new Map<string, number>();
  /** creation index of each ReplicaSet pod (scale-down removes the newest first) */
  private readonly replicaIndex = new Map<string, number>();
  private readonly ips: PodIpAllocator;
  private eventSeq = 0;
  private plane: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  readonly user: string;

  constructor(
    readonly scenario: Scenario,
    private readonly opts: ClusterOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.user = scenario.rbac?.user ?? 'netwiz-lab';
    this.ips = new PodIpAllocator(new Map(scenario.nodes.map((n) => [n.name, n.podCidr])));
  }

  get dataPlane(): DataPlane | undefined {
    return this.opts.dataPlane;
  }

  // ---------------------------------------------------------------- store

  private key(kind: string, ns: string | undefined, name: string): string {
    return `${kind}/${ns ?? ''}/${name}`;
  }

  get(kind: string, ns: string | undefined, name: string): Obj | undefined {
    return this.objects.get(this.key(kind, ns, name));
  }

  list(kind: string, ns?: string): Obj[] {
    const out: Obj[] = [];
    for (const [k, o] of this.objects) {
      if (!k.startsWith(`${kind}/`)) continue;
      if (ns !== undefined && o.metadata.namespace !== ns) continue;
      out.push(o);
    }
    return out.sort((a, b) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name.localeCompare(b.metadata.name));
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  /** events after `rv` still in history; undefined when `rv` is too old (410 Gone) */
  eventsSince(rv: number): WatchEvent[] | undefined {
    if (rv >= this.rv) return [];
    const first = this.history[0];
    if (first && first.rv > rv + 1 && this.history.length >= HISTORY) return undefined;
    return this.history.filter((e) => e.rv > rv);
  }

  subscribe(fn: (e: WatchEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(type: WatchType, o: Obj): void {
    this.rv++;
    if (type !== 'DELETED') o.metadata.resourceVersion = String(this.rv);
    else o = { ...o, metadata: { ...o.metadata, resourceVersion: String(this.rv) } };
    // a snapshot: stored objects are updated in place later, history must not change with them
    const e: WatchEvent = { rv: this.rv, type, kind: o.kind, namespace: o.metadata.namespace ?? '', object: structuredClone(o) };
    this.history.push(e);
    if (this.history.length > HISTORY) this.history.shift();
    for (const l of this.listeners) l(e);
  }

  private put(o: Obj): Obj {
    const k = this.key(o.kind, o.metadata.namespace, o.metadata.name);
    const existed = this.objects.has(k);
    this.objects.set(k, o);
    this.emit(existed ? 'MODIFIED' : 'ADDED', o);
    return o;
  }

  private remove(o: Obj): void {
    const k = this.key(o.kind, o.metadata.namespace, o.metadata.name);
    if (!this.objects.delete(k)) return;
    this.emit('DELETED', o);
  }

  // ---------------------------------------------------------------- data plane

  private toPlane(what: string, fn: (dp: DataPlane) => Promise<void>): void {
    const dp = this.opts.dataPlane;
    if (!dp) return;
    this.plane = this.plane.then(() =>
      fn(dp).catch((e: unknown) => this.opts.log?.(`data plane ${what} failed: ${e instanceof Error ? e.message : String(e)}`)),
    );
  }

  /** resolves when every data-plane call queued so far has finished */
  settle(): Promise<void> {
    return this.plane;
  }

  podInfoOf(ns: string, name: string): ScenarioPod | undefined {
    return this.podInfo.get(`${ns}/${name}`);
  }

  allPodInfo(): ScenarioPod[] {
    return [...this.podInfo.values()];
  }

  // ---------------------------------------------------------------- bootstrap

  /** Builds the initial objects; calls DataPlane.up with the initial pods. */
  async start(): Promise<void> {
    const s = this.scenario;
    const t0 = this.now();
    for (const ns of s.namespaces) this.put(namespaceObject(s, ns, t0 - 30 * DAY));
    for (const n of s.nodes) this.put(nodeObject(s, n, t0 - 30 * DAY));
    for (const svc of s.services) this.put(serviceObject(s, svc, t0 - 2 * DAY));
    const initial = derivePods(s, this.ips);
    for (const w of s.workloads) {
      const d = this.put(deploymentObject(s, w, t0 - 2 * DAY));
      const rs = this.ensureReplicaSet(d, 1, t0 - 2 * DAY);
      this.rsCounter.set(rs.metadata.name, w.replicas);
      this.event(d, { reason: 'ScalingReplicaSet', message: `Scaled up replica set ${rs.metadata.name} from 0 to ${w.replicas}`, component: 'deployment-controller' }, t0 - 2 * DAY);
      initial
        .filter((p) => p.workload === w.name && p.namespace === w.namespace)
        .forEach((p, i) => {
          this.replicaIndex.set(`${p.namespace}/${p.name}`, i);
          this.addPod(p, { owner: rs, template: rs.spec.template, created: t0 - 26 * 3600_000, quiet: true });
        });
      this.updateReplicaSetStatus(rs);
      this.updateStatuses(d);
    }
    for (const p of initial.filter((x) => !x.workload)) this.addPod(p, { created: t0 - 3600_000, quiet: true });
    for (const svc of this.list('Service')) this.syncEndpoints(svc, true);
    const dp = this.opts.dataPlane;
    if (dp) {
      await dp.up(s, [...this.podInfo.values()]);
      for (const svc of this.list('Service')) {
        const eps = this.endpointPods(svc);
        this.toPlane('endpointsChanged', (d) => d.endpointsChanged(svc.metadata.name, svc.metadata.namespace, eps));
      }
      await this.settle();
    }
  }

  private event(involved: Obj, e: Parameters<typeof eventObject>[1], at = this.now()): void {
    this.put(eventObject(involved, e, at, ++this.eventSeq));
  }

  private workloadOf(d: Obj): ScenarioWorkload {
    const w = this.scenario.workloads.find((x) => x.name === d.metadata.name && x.namespace === d.metadata.namespace);
    if (w) return w;
    const c = d.spec.template.spec.containers?.[0] ?? {};
    return {
      name: d.metadata.name,
      namespace: d.metadata.namespace,
      kind: 'Deployment',
      labels: d.metadata.labels ?? {},
      selector: d.spec.selector?.matchLabels ?? {},
      templateLabels: d.spec.template.metadata?.labels ?? {},
      replicas: d.spec.replicas ?? 1,
      container: { name: c.name ?? d.metadata.name, image: c.image ?? '', ports: c.ports ?? [] },
      app: { listen: (c.ports ?? []).map((p: Obj) => p.containerPort), responses: { '/': 612 }, status: 200 },
      placement: this.scenario.nodes.map((n) => n.name),
    };
  }

  // ---------------------------------------------------------------- replica sets and pods

  private ensureReplicaSet(d: Obj, revision: number, created = this.now()): Obj {
    const w = this.workloadOf(d);
    const name = replicaSetName(this.scenario.name, w, revision);
    const existing = this.get('ReplicaSet', d.metadata.namespace, name);
    if (existing) return existing;
    const hash = name.slice(d.metadata.name.length + 1);
    const template = JSON.parse(JSON.stringify(d.spec.template));
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash } };
    return this.put({
      kind: 'ReplicaSet',
      apiVersion: 'apps/v1',
      metadata: {
        name,
        namespace: d.metadata.namespace,
        uid: stableUid(`${this.scenario.name}/rs/${d.metadata.namespace}/${name}`),
        creationTimestamp: ts(created),
        generation: 1,
        labels: { ...(d.spec.template.metadata?.labels ?? {}), 'pod-template-hash': hash },
        annotations: {
          'deployment.kubernetes.io/desired-replicas': String(d.spec.replicas ?? 1),
          'deployment.kubernetes.io/max-replicas': String(Math.ceil((d.spec.replicas ?? 1) * 1.25)),
          'deployment.kubernetes.io/revision': String(revision),
        },
        ownerReferences: [ownerRef(d)],
      },
      spec: {
        replicas: d.spec.replicas ?? 1,
        selector: { matchLabels: { ...(d.spec.selector?.matchLabels ?? {}), 'pod-template-hash': hash } },
        template,
      },
      status: { replicas: 0, observedGeneration: 1 },
    });
  }

  /** nodes a pod template may run on, in placement order */
  candidateNodes(spec: Obj, placement: string[]): string[] {
    const nodes = this.list('Node');
    const byName = new Map(nodes.map((n) => [n.metadata.name, n]));
    if (spec?.nodeName) return byName.has(spec.nodeName) ? [spec.nodeName] : [];
    const ok = (n: Obj) => {
      const labels = n.metadata.labels ?? {};
      for (const [k, v] of Object.entries(spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
      const terms: Obj[] = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
      if (terms.length === 0) return true;
      return terms.some((t) => {
        const exprs: Obj[] = t.matchExpressions ?? [];
        const fields: Obj[] = t.matchFields ?? [];
        return (
          exprs.every((e) => matchExpr(e, labels[e.key])) &&
          fields.every((e) => matchExpr(e, e.key === 'metadata.name' ? n.metadata.name : undefined))
        );
      });
    };
    const fitting = nodes.filter(ok).map((n) => n.metadata.name);
    const preferred = placement.filter((p) => fitting.includes(p));
    return preferred.length ? preferred : fitting;
  }

  private nodeRef(name: string): { name: string; ip: string } {
    const n = this.scenario.nodes.find((x) => x.name === name);
    return { name, ip: n?.ip ?? '' };
  }

  private addPod(p: ScenarioPod, o: { owner?: Obj; template?: Obj; spec?: Obj; created?: number; quiet?: boolean; uid?: string }): Obj {
    const created = o.created ?? this.now();
    if (!p.hostNetwork) this.ips.reserve(p.ip);
    const obj = podObject(p, {
      uid: o.uid ?? stableUid(`${this.scenario.name}/pod/${p.namespace}/${p.name}/${created}`),
      created,
      node: this.nodeRef(p.node),
      ...(o.template ? { template: o.template } : {}),
      ...(o.owner ? { owner: o.owner } : {}),
      ...(o.spec ? { spec: o.spec } : {}),
    });
    this.podInfo.set(`${p.namespace}/${p.name}`, p);
    this.put(obj);
    const at = o.quiet ? created : this.now();
    this.event(obj, { reason: 'Scheduled', message: `Successfully assigned ${p.namespace}/${p.name} to ${p.node}`, component: 'default-scheduler' }, at);
    const c = obj.spec.containers?.[0];
    if (c) {
      const fp = `spec.containers{${c.name}}`;
      this.event(obj, { reason: 'Pulled', message: `Container image "${c.image}" already present on machine`, component: 'kubelet', host: p.node, fieldPath: fp }, at);
      this.event(obj, { reason: 'Created', message: `Created container ${c.name}`, component: 'kubelet', host: p.node, fieldPath: fp }, at);
      this.event(obj, { reason: 'Started', message: `Started container ${c.name}`, component: 'kubelet', host: p.node, fieldPath: fp }, at);
    }
    if (!o.quiet) this.toPlane('podAdded', (dp) => dp.podAdded(p));
    return obj;
  }

  private removePod(obj: Obj): void {
    const k = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const info = this.podInfo.get(k);
    this.podInfo.delete(k);
    if (info && !info.hostNetwork) this.ips.release(info.ip);
    this.replicaIndex.delete(k);
    // the final state watchers see, as a kubelet reports a pod going away
    obj.metadata.deletionTimestamp = ts(this.now());
    obj.metadata.deletionGracePeriodSeconds = 0;
    this.remove(obj);
    this.event(obj, { reason: 'Killing', message: `Stopping container ${obj.spec.containers?.[0]?.name ?? ''}`, component: 'kubelet', host: obj.spec.nodeName, fieldPath: `spec.containers{${obj.spec.containers?.[0]?.name ?? ''}}` });
    if (info) this.toPlane('podRemoved', (dp) => dp.podRemoved(info));
  }

  private podsOfReplicaSet(rs: Obj): Obj[] {
    return this.list('Pod', rs.metadata.namespace).filter((p) => p.metadata.ownerReferences?.some((r: Obj) => r.uid === rs.metadata.uid));
  }

  private replicaSetsOf(d: Obj): Obj[] {
    return this.list('ReplicaSet', d.metadata.namespace).filter((r) => r.metadata.ownerReferences?.some((o: Obj) => o.uid === d.metadata.uid));
  }

  /** Brings a ReplicaSet's pods to spec.replicas: newest pods go first, like the real controller. */
  private reconcileReplicaSet(rs: Obj, d: Obj): void {
    const w = this.workloadOf(d);
    const pods = this.podsOfReplicaSet(rs);
    const want = rs.spec.replicas ?? 0;
    if (pods.length > want) {
      const idx = (p: Obj) => this.replicaIndex.get(`${p.metadata.namespace}/${p.metadata.name}`) ?? 0;
      const victims = [...pods].sort((a, b) => idx(b) - idx(a) || b.metadata.name.localeCompare(a.metadata.name)).slice(0, pods.length - want);
      for (const v of victims) this.removePod(v);
    } else if (pods.length < want) {
      const candidates = this.candidateNodes(rs.spec.template.spec, w.placement);
      if (candidates.length === 0) {
        this.event(rs, { reason: 'FailedCreate', type: 'Warning', message: 'no node matches the pod template (nodeName/nodeSelector/nodeAffinity)', component: 'replicaset-controller' });
        return;
      }
      // spread like the scheduler: the least-loaded candidate node (ties: placement order)
      const load = new Map(candidates.map((c) => [c, 0]));
      for (const p of pods) if (load.has(p.spec.nodeName)) load.set(p.spec.nodeName, load.get(p.spec.nodeName)! + 1);
      for (let k = pods.length; k < want; k++) {
        const n = this.rsCounter.get(rs.metadata.name) ?? 0;
        this.rsCounter.set(rs.metadata.name, n + 1);
        const node = [...load.entries()].sort((a, b) => a[1] - b[1] || candidates.indexOf(a[0]) - candidates.indexOf(b[0]))[0]![0];
        load.set(node, load.get(node)! + 1);
        const c = rs.spec.template.spec.containers?.[0] ?? {};
        const info: ScenarioPod = {
          name: podNameFor(rs.metadata.name, n),
          namespace: rs.metadata.namespace,
          node,
          ip: this.ips.allocate(node),
          labels: { ...(rs.spec.template.metadata?.labels ?? {}) },
          workload: d.metadata.name,
          container: {
            name: c.name ?? w.container.name,
            image: c.image ?? w.container.image,
            ports: (c.ports ?? []).map((p: Obj) => ({ ...(p.name ? { name: p.name } : {}), containerPort: p.containerPort })),
          },
          app: replicaBehaviour(w, n),
          hostNetwork: false,
        };
        this.replicaIndex.set(`${info.namespace}/${info.name}`, n);
        this.addPod(info, { owner: rs, template: rs.spec.template });
        this.event(rs, { reason: 'SuccessfulCreate', message: `Created pod: ${info.name}`, component: 'replicaset-controller' });
      }
    }
    this.updateReplicaSetStatus(rs);
  }

  private updateReplicaSetStatus(rs: Obj): void {
    const n = this.podsOfReplicaSet(rs).length;
    rs.status = {
      replicas: n,
      fullyLabeledReplicas: n,
      readyReplicas: n,
      availableReplicas: n,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    if (n === 0) rs.status = { replicas: 0, observedGeneration: rs.metadata.generation ?? 1 };
    this.put(rs);
  }

  private revisionOf(d: Obj): number {
    return Number(d.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '1');
  }

  /** Deployment controller: current ReplicaSet gets spec.replicas, older ones go to 0. */
  reconcileDeployment(d: Obj, templateChanged: boolean): void {
    const before = this.replicaSetsOf(d);
    let revision = this.revisionOf(d);
    if (templateChanged) {
      revision += 1;
      d.metadata.annotations = { ...(d.metadata.annotations ?? {}), 'deployment.kubernetes.io/revision': String(revision) };
    }
    const current = this.ensureReplicaSet(d, revision);
    const oldReplicas = current.spec.replicas;
    const want = d.spec.replicas ?? 1;
    if (current.spec.replicas !== want || this.podsOfReplicaSet(current).length !== want) {
      const from = this.podsOfReplicaSet(current).length;
      current.spec.replicas = want;
      current.metadata.annotations['deployment.kubernetes.io/desired-replicas'] = String(want);
      if (oldReplicas !== want) current.metadata.generation = (current.metadata.generation ?? 1) + 1;
      this.reconcileReplicaSet(current, d);
      if (from !== want) {
        this.event(d, {
          reason: 'ScalingReplicaSet',
          message: `Scaled ${want > from ? 'up' : 'down'} replica set ${current.metadata.name} from ${from} to ${want}`,
          component: 'deployment-controller',
        });
      }
    }
    for (const rs of before) {
      if (rs.metadata.uid === current.metadata.uid) continue;
      const had = this.podsOfReplicaSet(rs).length;
      if (rs.spec.replicas !== 0 || had > 0) {
        rs.spec.replicas = 0;
        rs.metadata.annotations['deployment.kubernetes.io/desired-replicas'] = String(want);
        this.reconcileReplicaSet(rs, d);
        this.event(d, { reason: 'ScalingReplicaSet', message: `Scaled down replica set ${rs.metadata.name} from ${had} to 0`, component: 'deployment-controller' });
      }
    }
    this.updateStatuses(d);
    for (const svc of this.list('Service', d.metadata.namespace)) this.syncEndpoints(svc);
  }

  private updateStatuses(d: Obj): void {
    const rss = this.replicaSetsOf(d);
    const current = rss.find((r) => r.metadata.annotations?.['deployment.kubernetes.io/revision'] === String(this.revisionOf(d)));
    const total = rss.reduce((a, r) => a + this.podsOfReplicaSet(r).length, 0);
    const updated = current ? this.podsOfReplicaSet(current).length : 0;
    const created = d.metadata.creationTimestamp;
    const now = ts(this.now());
    d.status = {
      observedGeneration: d.metadata.generation ?? 1,
      ...(total > 0 ? { replicas: total, updatedReplicas: updated, readyReplicas: total, availableReplicas: total } : {}),
      conditions: [
        {
          type: 'Available',
          status: 'True',
          lastUpdateTime: created,
          lastTransitionTime: created,
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        },
        {
          type: 'Progressing',
          status: 'True',
          lastUpdateTime: now,
          lastTransitionTime: created,
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${current?.metadata.name ?? ''}" has successfully progressed.`,
        },
      ],
    };
    this.put(d);
  }

  // ---------------------------------------------------------------- endpoints

  /** pods that back a Service: Running, not terminating, labels match its selector */
  endpointPods(svc: Obj): ScenarioPod[] {
    const sel = svc.spec?.selector ?? {};
    if (!Object.keys(sel).length) return [];
    return this.list('Pod', svc.metadata.namespace)
      .filter((p) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp && selectorMatches(sel, p.metadata.labels))
      .map((p) => this.podInfo.get(`${p.metadata.namespace}/${p.metadata.name}`))
      .filter((x): x is ScenarioPod => !!x)
      .sort((a, b) => ipToInt(a.ip) - ipToInt(b.ip));
  }

  /** Recomputes Endpoints and EndpointSlice of a Service; tells the data plane when they changed. */
  syncEndpoints(svc: Obj, initial = false): void {
    const ns = svc.metadata.namespace;
    const name = svc.metadata.name;
    const pods = this.endpointPods(svc);
    const podObjs = new Map(this.list('Pod', ns).map((p) => [p.metadata.name, p]));
    const ports: Obj[] = (svc.spec.ports ?? []).map((p: Obj) => ({
      ...(p.name ? { name: p.name } : {}),
      port: typeof p.targetPort === 'number' ? p.targetPort : resolveNamedPort(p.targetPort, pods[0]) ?? p.port,
      protocol: p.protocol ?? 'TCP',
    }));
    const addresses = pods.map((p) => ({
      ip: p.ip,
      nodeName: p.node,
      targetRef: { kind: 'Pod', namespace: ns, name: p.name, uid: podObjs.get(p.name)?.metadata.uid },
    }));
    const created = initial ? svc.metadata.creationTimestamp : ts(this.now());
    const prev = this.get('Endpoints', ns, name);
    const subsets = addresses.length ? [{ addresses, ports }] : undefined;
    if (prev && JSON.stringify(prev.subsets) === JSON.stringify(subsets)) return;
    this.put({
      kind: 'Endpoints',
      apiVersion: 'v1',
      metadata: {
        name,
        namespace: ns,
        uid: prev?.metadata.uid ?? stableUid(`${this.scenario.name}/ep/${ns}/${name}`),
        creationTimestamp: prev?.metadata.creationTimestamp ?? created,
        labels: { ...(svc.metadata.labels ?? {}) },
        annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': ts(this.now()) },
      },
      ...(subsets ? { subsets } : {}),
    });
    const sliceName = `${name}-${podSuffix(`${this.scenario.name}/${ns}/${name}/slice`)}`;
    const prevSlice = this.get('EndpointSlice', ns, sliceName);
    this.put({
      kind: 'EndpointSlice',
      apiVersion: 'discovery.k8s.io/v1',
      metadata: {
        name: sliceName,
        namespace: ns,
        generateName: `${name}-`,
        uid: prevSlice?.metadata.uid ?? stableUid(`${this.scenario.name}/slice/${ns}/${name}`),
        creationTimestamp: prevSlice?.metadata.creationTimestamp ?? created,
        generation: (prevSlice?.metadata.generation ?? 0) + 1,
        labels: {
          ...(svc.metadata.labels ?? {}),
          'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
          'kubernetes.io/service-name': name,
        },
        annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': ts(this.now()) },
        ownerReferences: [ownerRef(svc)],
      },
      addressType: 'IPv4',
      endpoints: pods.map((p) => ({
        addresses: [p.ip],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: p.node,
        targetRef: { kind: 'Pod', namespace: ns, name: p.name, uid: podObjs.get(p.name)?.metadata.uid },
      })),
      ports: ports.map((p) => ({ ...(p.name ? { name: p.name } : { name: '' }), port: p.port, protocol: p.protocol })),
    });
    if (!initial) this.toPlane('endpointsChanged', (dp) => dp.endpointsChanged(name, ns, pods));
  }

  // ---------------------------------------------------------------- API operations

  /** kubectl create of a pod (bare pod, or a hostNetwork pod pinned with nodeName). */
  createPod(ns: string, body: Obj): Obj {
    let name: string = body.metadata?.name ?? '';
    if (!name && body.metadata?.generateName) name = `${body.metadata.generateName}${podSuffix(randomUUID())}`;
    if (!name) throw invalid('Pod', '', '', 'metadata.name', 'Required value: name or generateName is required');
    if (this.get('Pod', ns, name)) throw new ApiError(409, 'AlreadyExists', `pods "${name}" already exists`, { name, kind: 'pods' });
    if (!this.get('Namespace', undefined, ns)) throw new ApiError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
    const spec = body.spec ?? {};
    const containers: Obj[] = spec.containers ?? [];
    if (!containers.length) throw invalid('Pod', '', name, 'spec.containers', 'Required value');
    const candidates = this.candidateNodes(spec, this.scenario.nodes.map((n) => n.name));
    if (!candidates.length) {
      throw invalid('Pod', '', name, 'spec.nodeName', `Not found: "${spec.nodeName ?? ''}" (the lab's nodes: ${this.scenario.nodes.map((n) => n.name).join(', ')})`);
    }
    const loads = candidates.map((c) => [c, this.list('Pod').filter((p) => p.spec.nodeName === c).length] as const);
    const node = [...loads].sort((a, b) => a[1] - b[1])[0]![0];
    const hostNetwork = spec.hostNetwork === true;
    const c = containers[0];
    const info: ScenarioPod = {
      name,
      namespace: ns,
      node,
      ip: hostNetwork ? this.nodeRef(node).ip : this.ips.allocate(node),
      labels: { ...(body.metadata?.labels ?? {}) },
      container: {
        name: c.name ?? name,
        image: c.image ?? '',
        ports: (c.ports ?? []).map((p: Obj) => ({ ...(p.name ? { name: p.name } : {}), containerPort: p.containerPort })),
      },
      app: { listen: [], responses: {}, status: 200 },
      hostNetwork,
    };
    const fullSpec = JSON.parse(JSON.stringify(spec));
    fullSpec.containers = containers.map((x) => ({
      imagePullPolicy: 'IfNotPresent',
      resources: {},
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      ...x,
    }));
    fullSpec.dnsPolicy ??= hostNetwork ? 'ClusterFirst' : 'ClusterFirst';
    fullSpec.restartPolicy ??= 'Always';
    fullSpec.schedulerName ??= 'default-scheduler';
    fullSpec.securityContext ??= {};
    fullSpec.terminationGracePeriodSeconds ??= 30;
    const pod = this.addPod(info, { spec: fullSpec, uid: randomUUID() });
    if (body.metadata?.annotations) pod.metadata.annotations = { ...body.metadata.annotations };
    for (const svc of this.list('Service', ns)) this.syncEndpoints(svc);
    return pod;
  }

  deletePod(ns: string, name: string): Obj {
    const pod = this.get('Pod', ns, name);
    if (!pod) throw new ApiError(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' });
    this.removePod(pod);
    // a ReplicaSet replaces what it lost
    const owner = pod.metadata.ownerReferences?.[0];
    if (owner?.kind === 'ReplicaSet') {
      const rs = this.get('ReplicaSet', ns, owner.name);
      const d = rs && this.get('Deployment', ns, rs.metadata.ownerReferences?.[0]?.name);
      if (rs && d) this.reconcileReplicaSet(rs, d);
    }
    for (const svc of this.list('Service', ns)) this.syncEndpoints(svc);
    return pod;
  }

  /** Replaces a pod after a patch/update; only labels, annotations and images may change. */
  updatePod(next: Obj): Obj {
    const ns = next.metadata.namespace;
    const cur = this.get('Pod', ns, next.metadata.name);
    if (!cur) throw new ApiError(404, 'NotFound', `pods "${next.metadata.name}" not found`, { name: next.metadata.name, kind: 'pods' });
    if (next.spec?.nodeName !== cur.spec.nodeName) {
      throw invalid('Pod', '', cur.metadata.name, 'spec', 'Forbidden: pod updates may not change fields other than `spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing tolerations), `spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)');
    }
    const merged = { ...cur, metadata: { ...cur.metadata, labels: next.metadata.labels ?? {}, annotations: next.metadata.annotations }, spec: next.spec };
    if (!merged.metadata.annotations) delete merged.metadata.annotations;
    const info = this.podInfo.get(`${ns}/${cur.metadata.name}`);
    if (info) info.labels = { ...(merged.metadata.labels ?? {}) };
    this.put(merged);
    for (const svc of this.list('Service', ns)) this.syncEndpoints(svc);
    return merged;
  }

  /**
   * `kubectl debug POD --image=…`: ephemeral containers join the pod (and its network
   * namespace, so execs in them run where the pod's do); new ones start at once.
   */
  setEphemeralContainers(next: Obj): Obj {
    const ns = next.metadata.namespace;
    const cur = this.get('Pod', ns, next.metadata.name);
    if (!cur) throw new ApiError(404, 'NotFound', `pods "${next.metadata.name}" not found`, { name: next.metadata.name, kind: 'pods' });
    const wanted: Obj[] = next.spec?.ephemeralContainers ?? [];
    const had: Obj[] = cur.spec.ephemeralContainers ?? [];
    for (const h of had) {
      if (!wanted.some((w) => w.name === h.name)) {
        throw invalid('Pod', '', cur.metadata.name, 'spec.ephemeralContainers', 'Forbidden: existing ephemeral containers may not be removed');
      }
    }
    for (const w of wanted) {
      if (!w.name || !w.image) throw invalid('Pod', '', cur.metadata.name, 'spec.ephemeralContainers', 'Required value: name and image');
      if ((cur.spec.containers ?? []).some((c: Obj) => c.name === w.name)) {
        throw invalid('Pod', '', cur.metadata.name, `spec.ephemeralContainers[${w.name}].name`, `Duplicate value: "${w.name}"`);
      }
    }
    const started = ts(this.now());
    const statuses: Obj[] = wanted.map(
      (w) =>
        (cur.status.ephemeralContainerStatuses ?? []).find((s: Obj) => s.name === w.name) ?? {
          name: w.name,
          image: w.image,
          imageID: '',
          containerID: `containerd://${(stableUid(`${cur.metadata.uid}/eph/${w.name}`) + stableUid(`${cur.metadata.uid}/eph2/${w.name}`)).replace(/-/g, '').slice(0, 64)}`,
          ready: false,
          restartCount: 0,
          state: { running: { startedAt: started } },
          lastState: {},
        },
    );
    const pod = { ...cur, spec: { ...cur.spec, ephemeralContainers: wanted }, status: { ...cur.status, ephemeralContainerStatuses: statuses } };
    this.put(pod);
    return pod;
  }

  /** Replaces a Deployment's spec/metadata; template changes roll out a new ReplicaSet. */
  updateDeployment(next: Obj): Obj {
    const ns = next.metadata.namespace;
    const cur = this.get('Deployment', ns, next.metadata.name);
    if (!cur) throw new ApiError(404, 'NotFound', `deployments.apps "${next.metadata.name}" not found`, { name: next.metadata.name, group: 'apps', kind: 'deployments' });
    const replicas = next.spec?.replicas;
    if (typeof replicas !== 'number' || replicas < 0 || !Number.isInteger(replicas)) {
      throw invalid('Deployment', 'apps', cur.metadata.name, 'spec.replicas', `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
    }
    const tmplLabels = next.spec?.template?.metadata?.labels ?? {};
    if (!selectorMatches(next.spec?.selector?.matchLabels ?? {}, tmplLabels)) {
      throw invalid('Deployment', 'apps', cur.metadata.name, 'spec.template.metadata.labels', `Invalid value: ${JSON.stringify(tmplLabels)}: \`selector\` does not match template \`labels\``);
    }
    if (JSON.stringify(next.spec.selector) !== JSON.stringify(cur.spec.selector)) {
      throw invalid('Deployment', 'apps', cur.metadata.name, 'spec.selector', `Invalid value: ${JSON.stringify(next.spec.selector)}: field is immutable`);
    }
    const templateChanged = JSON.stringify(next.spec.template) !== JSON.stringify(cur.spec.template);
    const specChanged = JSON.stringify(next.spec) !== JSON.stringify(cur.spec);
    const d = {
      ...cur,
      metadata: {
        ...cur.metadata,
        labels: next.metadata.labels ?? cur.metadata.labels,
        annotations: { ...(next.metadata.annotations ?? {}), 'deployment.kubernetes.io/revision': cur.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '1' },
        generation: (cur.metadata.generation ?? 1) + (specChanged ? 1 : 0),
      },
      spec: next.spec,
    };
    this.objects.set(this.key('Deployment', ns, d.metadata.name), d);
    this.reconcileDeployment(d, templateChanged);
    return this.get('Deployment', ns, d.metadata.name);
  }

  updateService(next: Obj): Obj {
    const ns = next.metadata.namespace;
    const cur = this.get('Service', ns, next.metadata.name);
    if (!cur) throw new ApiError(404, 'NotFound', `services "${next.metadata.name}" not found`, { name: next.metadata.name, kind: 'services' });
    if (next.spec?.clusterIP !== cur.spec.clusterIP) {
      throw invalid('Service', '', cur.metadata.name, 'spec.clusterIPs[0]', `Invalid value: []string{${JSON.stringify(next.spec?.clusterIP ?? '')}}: may not change once set`);
    }
    const svc = { ...cur, metadata: { ...cur.metadata, labels: next.metadata.labels, annotations: next.metadata.annotations }, spec: next.spec };
    if (!svc.metadata.annotations) delete svc.metadata.annotations;
    this.put(svc);
    if (JSON.stringify(cur.spec) !== JSON.stringify(svc.spec)) {
      const view = scenarioServiceOf(svc);
      this.toPlane('serviceChanged', async (dp) => dp.serviceChanged?.(view));
    }
    this.syncEndpoints(svc);
    return svc;
  }

  scaleOf(d: Obj): Obj {
    return {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: {
        name: d.metadata.name,
        namespace: d.metadata.namespace,
        uid: d.metadata.uid,
        resourceVersion: d.metadata.resourceVersion,
        creationTimestamp: d.metadata.creationTimestamp,
      },
      spec: { replicas: d.spec.replicas ?? 1 },
      status: {
        replicas: d.status?.replicas ?? 0,
        selector: Object.entries(d.spec.selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(','),
      },
    };
  }

  scaleDeployment(ns: string, name: string, replicas: number): Obj {
    const cur = this.get('Deployment', ns, name);
    if (!cur) throw new ApiError(404, 'NotFound', `deployments.apps "${name}" not found`, { name, group: 'apps', kind: 'deployments' });
    const next = JSON.parse(JSON.stringify(cur));
    next.spec.replicas = replicas;
    return this.updateDeployment(next);
  }
}

/** the data plane's view of a Service object */
export function scenarioServiceOf(svc: Obj): ScenarioService {
  return {
    name: svc.metadata.name,
    namespace: svc.metadata.namespace,
    type: svc.spec.type ?? 'ClusterIP',
    clusterIP: svc.spec.clusterIP,
    selector: { ...(svc.spec.selector ?? {}) },
    ports: (svc.spec.ports ?? []).map((p: Obj) => ({
      ...(p.name ? { name: p.name } : {}),
      port: p.port,
      targetPort: typeof p.targetPort === 'number' ? p.targetPort : p.port,
      ...(p.nodePort ? { nodePort: p.nodePort } : {}),
      protocol: 'TCP' as const,
    })),
    externalIPs: [...(svc.spec.externalIPs ?? [])],
    ...(svc.spec.loadBalancerIP ? { loadBalancerIP: svc.spec.loadBalancerIP } : {}),
    externalTrafficPolicy: svc.spec.externalTrafficPolicy ?? 'Cluster',
  };
}

function matchExpr(e: Obj, value: string | undefined): boolean {
  switch (e.operator) {
    case 'In':
      return value !== undefined && (e.values ?? []).includes(value);
    case 'NotIn':
      return value === undefined || !(e.values ?? []).includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
      return value !== undefined && Number(value) > Number(e.values?.[0]);
    case 'Lt':
      return value !== undefined && Number(value) < Number(e.values?.[0]);
    default:
      return false;
  }
}

function resolveNamedPort(name: unknown, pod: ScenarioPod | undefined): number | undefined {
  return pod?.container.ports.find((p) => p.name === name)?.containerPort;
}
