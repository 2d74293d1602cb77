// Server-side Tables (meta.k8s.io/v1 Table): kubectl 1.32 has no client-side printers, so
// the columns of `kubectl get` (and `-o wide`, priority-1 columns) come from here. Cells
// follow the real apiserver's printers closely enough that output reads like production.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = any;

export interface Column {
  name: string;
  type: string;
  format?: string;
  description: string;
  priority: number;
}

const col = (name: string, priority = 0, type = 'string', format = ''): Column => ({
  name,
  type,
  ...(format ? { format } : {}),
  description: name,
  priority,
});

/** k8s.io/apimachinery duration.HumanDuration */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const d = Math.floor(hours / 24) % 365;
    return d === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${d}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

const age = (o: Obj, now: number) => humanDuration(now - Date.parse(o.metadata?.creationTimestamp ?? new Date(now).toISOString()));
const selectorString = (sel: Record<string, string> | undefined) =>
  sel && Object.keys(sel).length ? Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',') : '<none>';

function podRow(p: Obj, now: number): unknown[] {
  const statuses: Obj[] = p.status?.containerStatuses ?? [];
  const total = p.spec?.containers?.length ?? 0;
  const ready = statuses.filter((c) => c.ready).length;
  const restarts = statuses.reduce((a, c) => a + (c.restartCount ?? 0), 0);
  const status = p.metadata?.deletionTimestamp ? 'Terminating' : (p.status?.reason ?? p.status?.phase ?? 'Unknown');
  return [
    p.metadata.name,
    `${ready}/${total}`,
    status,
    restarts,
    age(p, now),
    p.status?.podIP ?? '<none>',
    p.spec?.nodeName ?? '<none>',
    p.status?.nominatedNodeName ?? '<none>',
    '<none>',
  ];
}

function servicePorts(s: Obj): string {
  const ports: Obj[] = s.spec?.ports ?? [];
  if (!ports.length) return '<none>';
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? 'TCP'}` : `${p.port}/${p.protocol ?? 'TCP'}`)).join(',');
}

function serviceExternal(s: Obj): string {
  const ext: string[] = [...(s.status?.loadBalancer?.ingress ?? []).map((i: Obj) => i.ip ?? i.hostname), ...(s.spec?.externalIPs ?? [])];
  if (s.spec?.type === 'LoadBalancer') return ext.length ? ext.join(',') : '<pending>';
  if (s.spec?.type === 'ExternalName') return s.spec.externalName;
  return ext.length ? ext.join(',') : '<none>';
}

function containersOf(spec: Obj): { names: string; images: string } {
  const cs: Obj[] = spec?.template?.spec?.containers ?? [];
  return { names: cs.map((c) => c.name).join(','), images: cs.map((c) => c.image).join(',') };
}

function nodeRow(n: Obj, now: number): unknown[] {
  const ready = (n.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
  let status = ready?.status === 'True' ? 'Ready' : 'NotReady';
  if (n.spec?.unschedulable) status += ',SchedulingDisabled';
  const roles = Object.keys(n.metadata?.labels ?? {})
    .filter((k) => k.startsWith('node-role.kubernetes.io/'))
    .map((k) => k.slice('node-role.kubernetes.io/'.length))
    .join(',');
  const addr = (t: string) => (n.status?.addresses ?? []).find((a: Obj) => a.type === t)?.address ?? '<none>';
  const info = n.status?.nodeInfo ?? {};
  return [
    n.metadata.name,
    status,
    roles || '<none>',
    age(n, now),
    info.kubeletVersion ?? '',
    addr('InternalIP'),
    addr('ExternalIP'),
    info.osImage ?? '',
    info.kernelVersion ?? '',
    info.containerRuntimeVersion ?? '',
  ];
}

function endpointsString(e: Obj): string {
  const all: string[] = [];
  for (const s of e.subsets ?? []) {
    for (const a of s.addresses ?? []) for (const p of s.ports ?? []) all.push(`${a.ip}:${p.port}`);
  }
  if (!all.length) return '<none>';
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
}

function sliceEndpoints(s: Obj): string {
  const addrs: string[] = (s.endpoints ?? []).flatMap((e: Obj) => e.addresses ?? []);
  if (!addrs.length) return '<unset>';
  return addrs.length > 3 ? `${addrs.slice(0, 3).join(',')} + ${addrs.length - 3} more...` : addrs.join(',');
}

interface Printer {
  columns: Column[];
  row: (o: Obj, now: number) => unknown[];
}

const PRINTERS: Record<string, Printer> = {
  Pod: {
    columns: [col('Name', 0, 'string', 'name'), col('Ready'), col('Status'), col('Restarts', 0, 'string'), col('Age'), col('IP', 1), col('Node', 1), col('Nominated Node', 1), col('Readiness Gates', 1)],
    row: podRow,
  },
  Service: {
    columns: [col('Name', 0, 'string', 'name'), col('Type'), col('Cluster-IP'), col('External-IP'), col('Port(s)'), col('Age'), col('Selector', 1)],
    row: (s, now) => [s.metadata.name, s.spec?.type ?? 'ClusterIP', s.spec?.clusterIP ?? '<none>', serviceExternal(s), servicePorts(s), age(s, now), selectorString(s.spec?.selector)],
  },
  Deployment: {
    columns: [col('Name', 0, 'string', 'name'), col('Ready'), col('Up-to-date', 0, 'integer'), col('Available', 0, 'integer'), col('Age'), col('Containers', 1), col('Images', 1), col('Selector', 1)],
    row: (d, now) => {
      const c = containersOf(d.spec);
      return [
        d.metadata.name,
        `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 0}`,
        d.status?.updatedReplicas ?? 0,
        d.status?.availableReplicas ?? 0,
        age(d, now),
        c.names,
        c.images,
        selectorString(d.spec?.selector?.matchLabels),
      ];
    },
  },
  ReplicaSet: {
    columns: [col('Name', 0, 'string', 'name'), col('Desired', 0, 'integer'), col('Current', 0, 'integer'), col('Ready', 0, 'integer'), col('Age'), col('Containers', 1), col('Images', 1), col('Selector', 1)],
    row: (r, now) => {
      const c = containersOf(r.spec);
      return [r.metadata.name, r.spec?.replicas ?? 0, r.status?.replicas ?? 0, r.status?.readyReplicas ?? 0, age(r, now), c.names, c.images, selectorString(r.spec?.selector?.matchLabels)];
    },
  },
  Node: {
    columns: [col('Name', 0, 'string', 'name'), col('Status'), col('Roles'), col('Age'), col('Version'), col('Internal-IP', 1), col('External-IP', 1), col('OS-Image', 1), col('Kernel-Version', 1), col('Container-Runtime', 1)],
    row: nodeRow,
  },
  Namespace: {
    columns: [col('Name', 0, 'string', 'name'), col('Status'), col('Age')],
    row: (n, now) => [n.metadata.name, n.status?.phase ?? 'Active', age(n, now)],
  },
  Endpoints: {
    columns: [col('Name', 0, 'string', 'name'), col('Endpoints'), col('Age')],
    row: (e, now) => [e.metadata.name, endpointsString(e), age(e, now)],
  },
  EndpointSlice: {
    columns: [col('Name', 0, 'string', 'name'), col('AddressType'), col('Ports'), col('Endpoints'), col('Age')],
    row: (s, now) => [
      s.metadata.name,
      s.addressType,
      (s.ports ?? []).map((p: Obj) => p.port).join(',') || '<unset>',
      sliceEndpoints(s),
      age(s, now),
    ],
  },
  Event: {
    columns: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Subobject', 1), col('Source', 1), col('Message'), col('First Seen', 1), col('Count', 1), col('Name', 1)],
    row: (e, now) => [
      humanDuration(now - Date.parse(e.lastTimestamp ?? e.metadata.creationTimestamp)),
      e.type,
      e.reason,
      `${(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`,
      e.involvedObject?.fieldPath ?? '',
      e.source?.component ?? '',
      e.message,
      humanDuration(now - Date.parse(e.firstTimestamp ?? e.metadata.creationTimestamp)),
      e.count ?? 1,
      e.metadata.name,
    ],
  },
};

const GENERIC: Printer = { columns: [col('Name', 0, 'string', 'name'), col('Age')], row: (o, now) => [o.metadata.name, age(o, now)] };

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

function tableApiVersion(accept: string | undefined): string {
  // kubectl offers v1 first, then v1beta1; answer the first one it offers
  const first = (accept ?? '').split(',').find((p) => /as=Table/.test(p)) ?? '';
  return /v=v1beta1/.test(first) ? 'meta.k8s.io/v1beta1' : 'meta.k8s.io/v1';
}

function partialMetadata(o: Obj, includeObject: string): unknown {
  if (includeObject === 'None') return undefined;
  if (includeObject === 'Object') return o;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

export function toTable(
  kind: string,
  objects: Obj[],
  opts: { accept?: string; includeObject?: string; resourceVersion?: string; withColumns?: boolean; now?: number },
): object {
  const printer = PRINTERS[kind] ?? GENERIC;
  const now = opts.now ?? Date.now();
  const include = opts.includeObject ?? 'Metadata';
  return {
    kind: 'Table',
    apiVersion: tableApiVersion(opts.accept),
    metadata: { resourceVersion: opts.resourceVersion ?? '' },
    ...(opts.withColumns === false ? {} : { columnDefinitions: printer.columns }),
    rows: objects.map((o) => {
      const object = partialMetadata(o, include);
      return { cells: printer.row(o, now), ...(object ? { object } : {}) };
    }),
  };
}
