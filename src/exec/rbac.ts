// RBAC preflight: before a playbook starts, derive every permission its steps need (from
// the kubectl verbs in their argv, their target, and RunSpec.requires), ask the cluster
// once per distinct permission with `kubectl auth can-i`, and report the steps the operator
// may not run, saying which permission is missing. Also `dryRunArgv` for --dry-run.
import type { Catalog, PermissionSpec, RunSpec, TargetSpec } from '../engine/model.js';
import { apiServerUrl } from './api-server.js';
import { kubectlArgv } from './kubectl.js';
import type { ClusterOptions } from './types.js';
import { runLocal } from './workstation.js';
import { reachableCatalog as reachablePlaybooks, stepRuns } from '../engine/reachable.js';

/** a permission with its namespace resolved ('' = cluster-scoped or unknown) */
export interface Permission {
  verb: string;
  resource: string;
  subresource?: string;
  namespace?: string;
}

const SHORT_NAMES: Record<string, string> = {
  po: 'pods', pod: 'pods', pods: 'pods',
  svc: 'services', service: 'services', services: 'services',
  deploy: 'deployments', deployment: 'deployments', deployments: 'deployments',
  'deployment.apps': 'deployments', 'deployments.apps': 'deployments',
  rs: 'replicasets', replicaset: 'replicasets', replicasets: 'replicasets',
  sts: 'statefulsets', statefulset: 'statefulsets', statefulsets: 'statefulsets',
  ds: 'daemonsets', daemonset: 'daemonsets', daemonsets: 'daemonsets',
  no: 'nodes', node: 'nodes', nodes: 'nodes',
  ns: 'namespaces', namespace: 'namespaces', namespaces: 'namespaces',
  ep: 'endpoints', endpoints: 'endpoints',
  endpointslice: 'endpointslices', endpointslices: 'endpointslices',
  cm: 'configmaps', configmap: 'configmaps', configmaps: 'configmaps',
  netpol: 'networkpolicies', networkpolicy: 'networkpolicies', networkpolicies: 'networkpolicies',
  ing: 'ingresses', ingress: 'ingresses', ingresses: 'ingresses',
  ev: 'events', event: 'events', events: 'events',
  job: 'jobs', jobs: 'jobs',
  cronjob: 'cronjobs', cronjobs: 'cronjobs', cj: 'cronjobs',
};

export function resourceName(word: string): string {
  const lower = word.toLowerCase();
  return SHORT_NAMES[lower] ?? lower;
}

/** kubectl flags that take a separate value (so the value is not a positional) */
const VALUE_FLAGS = new Set([
  '-n', '--namespace', '-c', '--container', '-o', '--output', '-l', '--selector', '--context', '--kubeconfig',
  '--cluster', '--user', '--replicas', '--type', '-p', '--patch', '--image', '--target', '-f', '--filename',
  '--field-selector', '--timeout', '--for', '--sort-by', '--template', '--profile', '--current-replicas',
  '--grace-period', '--since', '--tail', '--subresource', '-s', '--server', '--token', '--as', '--request-timeout',
]);

interface ParsedKubectl {
  positionals: string[];
  namespace?: string;
  allNamespaces: boolean;
  subresourceFlag?: string;
}

function parseKubectl(args: string[]): ParsedKubectl {
  const positionals: string[] = [];
  let namespace: string | undefined;
  let allNamespaces = false;
  let subresourceFlag: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (a.startsWith('-')) {
      const eq = a.indexOf('=');
      const name = eq === -1 ? a : a.slice(0, eq);
      let value = eq === -1 ? undefined : a.slice(eq + 1);
      if (value === undefined && /^-n./.test(a)) value = a.slice(2);
      else if (value === undefined && VALUE_FLAGS.has(name)) value = args[++i];
      if (name === '-n' || name === '--namespace') namespace = value;
      if (name === '-A' || name === '--all-namespaces') allNamespaces = true;
      if (name === '--subresource') subresourceFlag = value;
      continue;
    }
    positionals.push(a);
  }
  return { positionals, ...(namespace !== undefined ? { namespace } : {}), allNamespaces, ...(subresourceFlag ? { subresourceFlag } : {}) };
}

function isKubectl(argv: readonly string[]): boolean {
  const first = argv[0] ?? '';
  return first === 'kubectl' || first.endsWith('/kubectl');
}

/** `deploy/web` → deployments, has name; `deployment web` → deployments, has name */
function resourceRef(pos: string[]): { resource: string; named: boolean } | undefined {
  const r = pos[0];
  if (!r) return undefined;
  if (r.includes('/')) return { resource: resourceName(r.split('/')[0]!), named: true };
  // `get pods,svc` → first type (each is checked by the caller splitting on ',')
  return { resource: resourceName(r), named: pos.length > 1 };
}

/** Permissions a kubectl argv needs, by verb. Unknown verbs need nothing we can tell. */
export function permissionsForKubectl(argv: readonly string[], defaultNs: string | undefined): Permission[] {
  if (!isKubectl(argv)) return [];
  const p = parseKubectl(argv.slice(1));
  const [verb, ...rest] = p.positionals;
  const ns = p.allNamespaces ? '' : (p.namespace ?? defaultNs);
  const perm = (verb: string, resource: string, subresource?: string): Permission => ({
    verb,
    resource,
    ...(subresource ? { subresource } : {}),
    ...(ns ? { namespace: ns } : {}),
  });
  const ref = resourceRef(rest);
  switch (verb) {
    case 'get':
    case 'describe': {
      if (!ref) return [];
      const types = (rest[0]!.includes('/') ? [rest[0]!.split('/')[0]!] : rest[0]!.split(',')).map(resourceName);
      const v = ref.named && !rest[0]!.includes(',') ? 'get' : 'list';
      return types.map((t) => perm(v, t));
    }
    case 'logs':
      return [perm('get', 'pods', 'log')];
    case 'top':
      return [];
    case 'scale':
      return ref ? [perm('patch', ref.resource, 'scale')] : [];
    case 'patch':
    case 'label':
    case 'annotate':
      return ref ? [perm('patch', ref.resource)] : [];
    case 'delete':
      return ref ? [perm('delete', ref.resource)] : [];
    case 'exec':
      return [perm('create', 'pods', 'exec')];
    case 'port-forward':
      return [perm('create', 'pods', 'portforward')];
    case 'cordon':
    case 'uncordon':
      return [perm('patch', 'nodes')];
    case 'rollout': {
      const sub = rest[0];
      const r = resourceRef(rest.slice(1));
      if (!r) return [];
      if (sub === 'restart' || sub === 'undo' || sub === 'pause' || sub === 'resume') return [perm('patch', r.resource)];
      return [perm('get', r.resource)];
    }
    case 'debug': {
      const target = rest[0] ?? '';
      if (target.startsWith('node/') || target.startsWith('nodes/')) return [perm('create', 'pods')];
      return [perm('patch', 'pods', 'ephemeralcontainers')];
    }
    case 'auth':
      return [];
    default:
      return [];
  }
}

/** Replace `{{name}}` with a known input; anything still templated counts as unknown. */
function resolveNs(template: string | undefined, inputs: Record<string, string>): string | undefined {
  if (template === undefined) return undefined;
  const out = template.replace(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (m, name: string) => inputs[name] ?? m);
  return out.includes('{{') ? undefined : out;
}

export interface PreflightOptions {
  /** the session's namespace (default: cluster.namespace) */
  namespace?: string;
  /** playbook inputs, to resolve `{{ns}}`-style namespaces */
  inputs?: Record<string, string>;
  /** namespace of node pods (default: session namespace, else 'default') */
  nodePodNamespace?: string;
  /** parallel `auth can-i` calls when the one-process batch is refused (default 8) */
  concurrency?: number;
  /** bound of the batched call and of each fallback `auth can-i` process (default CAN_I_TIMEOUT_MS) */
  timeoutMs?: number;
  /** kubectl's own --request-timeout per HTTP request, in seconds (default CAN_I_REQUEST_TIMEOUT_S) */
  requestTimeoutS?: number;
  env?: Record<string, string>;
  /** preflight(): where to say that the API server did not answer (default: console.error,
   * which Ink prints above the wizard and `netwiz run` shows on stderr) */
  onNotice?: (text: string) => void;
}

/**
 * An API server that accepts TCP and never answers must not hold the session for long before
 * its first step. kubectl makes up to four requests for one `auth can-i` here (the
 * dispatcher's /version, discovery, the review), each bounded by --request-timeout; the
 * process timeout bounds the whole call. A healthy server answers in well under a second.
 */
export const CAN_I_REQUEST_TIMEOUT_S = 5;
export const CAN_I_TIMEOUT_MS = 8_000;

function targetPermissions(t: TargetSpec, ns: string | undefined, nodeNs: string, inputs: Record<string, string>): Permission[] {
  if (t.kind === 'pod') {
    const podNs = resolveNs(t.namespace, inputs) ?? ns;
    return [{ verb: 'create', resource: 'pods', subresource: 'exec', ...(podNs ? { namespace: podNs } : {}) }];
  }
  if (t.kind === 'node') {
    return [
      { verb: 'create', resource: 'pods', namespace: nodeNs },
      { verb: 'get', resource: 'pods', namespace: nodeNs },
      { verb: 'create', resource: 'pods', subresource: 'exec', namespace: nodeNs },
      { verb: 'delete', resource: 'pods', namespace: nodeNs },
    ];
  }
  return [];
}

/** Every permission a run spec needs. Templated argv elements stay as they are: the verb
 * and resource type are literal in practice; a templated namespace falls back to `ns`. */
export function permissionsForRun(run: RunSpec, o: { namespace?: string; nodePodNamespace?: string; inputs?: Record<string, string> } = {}): Permission[] {
  const inputs = o.inputs ?? {};
  const ns = o.namespace;
  const nodeNs = o.nodePodNamespace ?? ns ?? 'default';
  const fromArgv = permissionsForKubectl(run.argv, ns).map((p) => {
    const resolved = resolveNs(p.namespace, inputs);
    const { namespace: _drop, ...rest } = p;
    const finalNs = p.namespace === undefined ? undefined : (resolved ?? ns);
    return { ...rest, ...(finalNs ? { namespace: finalNs } : {}) };
  });
  const fromRequires = (run.requires ?? []).map((r: PermissionSpec) => {
    const rns = resolveNs(r.namespace, inputs) ?? ns;
    return { verb: r.verb, resource: r.resource, ...(r.subresource ? { subresource: r.subresource } : {}), ...(rns ? { namespace: rns } : {}) };
  });
  return dedupe([...fromArgv, ...targetPermissions(run.target, ns, nodeNs, inputs), ...fromRequires]);
}


export function permissionKey(p: Permission): string {
  return `${p.verb} ${p.resource}${p.subresource ? `/${p.subresource}` : ''}${p.namespace ? ` in ns ${p.namespace}` : ''}`;
}

function dedupe(ps: Permission[]): Permission[] {
  const seen = new Map<string, Permission>();
  for (const p of ps) if (!seen.has(permissionKey(p))) seen.set(permissionKey(p), p);
  return [...seen.values()];
}

/** 'playbookId:stepId' → the permissions its command(s) need */
export function permissionsForCatalog(catalog: Catalog, o: { namespace?: string; nodePodNamespace?: string; inputs?: Record<string, string> } = {}): Map<string, Permission[]> {
  const out = new Map<string, Permission[]>();
  for (const pb of Object.values(catalog)) {
    for (const step of pb.steps) {
      // one command per id: a parallel step's branches are steps of their own (ids unique)
      for (const { stepId, run } of stepRuns(step)) {
        const perms = dedupe(permissionsForRun(run, o));
        if (perms.length > 0) out.set(`${pb.id}:${stepId}`, perms);
      }
    }
  }
  return out;
}

/** noAnswer: the server did not answer in time (or the check was abandoned because another
 * did not); the permission is unknown, not denied */
export type CanIAnswer = { allowed: true } | { allowed: false } | { error: string; noAnswer?: boolean };

/** kubectl's words for "the server did not answer" (as opposed to an answer that is an error) */
const NO_ANSWER = /context deadline exceeded|Client\.Timeout|i\/o timeout|TLS handshake timeout|request canceled while waiting for connection/i;

/** `kubectl auth can-i VERB RESOURCE [--subresource=S] [--namespace=NS]`: "yes" exit 0,
 * "no" exit 1; anything else is an error (no answer), not a denial. */
export async function canI(
  cluster: ClusterOptions,
  p: Permission,
  o: { timeoutMs?: number; requestTimeoutS?: number; env?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<CanIAnswer> {
  const args = ['auth', 'can-i', p.verb, p.resource];
  if (p.subresource) args.push(`--subresource=${p.subresource}`);
  args.push(`--request-timeout=${o.requestTimeoutS ?? CAN_I_REQUEST_TIMEOUT_S}s`);
  // cluster-scoped resources: kubectl ignores the namespace; pass none to be plain
  const r = await runLocal({
    argv: p.namespace ? kubectlArgv({ ...cluster, namespace: p.namespace }, args) : kubectlArgv({ ...cluster, namespace: undefined }, args),
    timeoutMs: o.timeoutMs ?? CAN_I_TIMEOUT_MS,
    ...(o.env ? { env: o.env } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  if (r.timedOut) return { error: 'timed out', noAnswer: true };
  if (r.cancelled) return { error: 'not asked (the API server did not answer another check)', noAnswer: true };
  const answer = r.stdout.trim().split('\n').at(-1)?.trim().toLowerCase();
  if (answer === 'yes' && r.exitCode === 0) return { allowed: true };
  if (answer?.startsWith('no') && r.exitCode === 1) return { allowed: false };
  const error = (r.stderr || r.spawnError || r.stdout || `exit ${r.exitCode}`).trim();
  return NO_ANSWER.test(error) ? { error, noAnswer: true } : { error };
}

/** API group of the resources playbooks name ('' = core); SelfSubjectAccessReview needs it */
const GROUPS: Record<string, string> = {
  deployments: 'apps', replicasets: 'apps', statefulsets: 'apps', daemonsets: 'apps',
  jobs: 'batch', cronjobs: 'batch', networkpolicies: 'networking.k8s.io', ingresses: 'networking.k8s.io',
  endpointslices: 'discovery.k8s.io',
};

/** Split kubectl's `-o json` output of several created objects: it prints one JSON document
 * per item of the List, back to back, not a List. */
function jsonDocuments(text: string): unknown[] {
  const docs: unknown[] = [];
  let depth = 0, start = -1, inStr = false, esc = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inStr) { if (esc) esc = false; else if (c === '\\') esc = true; else if (c === '"') inStr = false; continue; }
    if (c === '"') inStr = true;
    else if (c === '{') { if (depth++ === 0) start = i; }
    else if (c === '}' && --depth === 0) docs.push(JSON.parse(text.slice(start, i + 1)));
  }
  return docs;
}

/** All permissions with ONE kubectl process: `kubectl create -f -` of a List of
 * SelfSubjectAccessReviews (kubectl posts each item). Each kubectl start costs 60-100 ms on a
 * small machine, so this replaces one `auth can-i` per permission. undefined: the batch did
 * not work for a reason other than silence (the caller falls back to `auth can-i`).
 * --validate=false: validation fetches /openapi/v2, which servers (the lab) may not serve. */
export async function canIAll(
  cluster: ClusterOptions,
  perms: Permission[],
  o: { timeoutMs?: number; requestTimeoutS?: number; env?: Record<string, string> } = {},
): Promise<CanIAnswer[] | undefined> {
  const items = perms.map((p) => ({
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: {
      verb: p.verb, resource: p.resource,
      ...(p.subresource ? { subresource: p.subresource } : {}),
      ...(p.namespace ? { namespace: p.namespace } : {}),
      ...(GROUPS[p.resource] ? { group: GROUPS[p.resource] } : {}),
    } },
  }));
  const args = ['create', '-f', '-', '-o', 'json', '--validate=false', `--request-timeout=${o.requestTimeoutS ?? CAN_I_REQUEST_TIMEOUT_S}s`];
  const r = await runLocal({
    argv: kubectlArgv({ ...cluster, namespace: undefined }, args),
    stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }),
    timeoutMs: o.timeoutMs ?? CAN_I_TIMEOUT_MS,
    ...(o.env ? { env: o.env } : {}),
  });
  const silent = (error: string): CanIAnswer[] => perms.map(() => ({ error, noAnswer: true }));
  if (r.timedOut) return silent('timed out');
  if (r.exitCode !== 0) {
    const error = (r.stderr || r.spawnError || `exit ${r.exitCode}`).trim();
    return NO_ANSWER.test(error) ? silent(error) : undefined;
  }
  let docs: unknown[];
  try { docs = jsonDocuments(r.stdout); } catch { return undefined; }
  if (docs.length !== perms.length) return undefined;
  const answers: CanIAnswer[] = [];
  for (const d of docs) {
    const st = (d as { kind?: string; status?: { allowed?: unknown } }).status;
    if ((d as { kind?: string }).kind !== 'SelfSubjectAccessReview' || !st || typeof st.allowed !== 'boolean') return undefined;
    // like `auth can-i`: not allowed is "no", whether denied outright or with an evaluationError
    answers.push(st.allowed ? { allowed: true } : { allowed: false });
  }
  return answers;
}

async function mapBounded<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

export interface PreflightReport {
  /** 'playbookId:stepId' → 'missing: patch deployments/scale in ns shop' */
  missing: Map<string, string>;
  /** permissions the cluster gave no answer for (left to the step itself to find out) */
  unknown: Map<string, string>;
  /** how many distinct `auth can-i` questions were asked */
  asked: number;
  /** for the operator when the API server did not answer: "the API server at URL did not
   * answer within Ns: permissions not checked" */
  notice?: string;
}

/** what the operator reads when the preflight got no answer */
export function noAnswerNotice(server: string | undefined, timeoutMs: number): string {
  return `the API server${server ? ` at ${server}` : ''} did not answer within ${Math.round(timeoutMs / 1000)}s: permissions not checked`;
}

export async function preflightReport(catalog: Catalog, cluster: ClusterOptions, o: PreflightOptions = {}): Promise<PreflightReport> {
  const ns = o.namespace ?? cluster.namespace;
  const byStep = permissionsForCatalog(catalog, {
    ...(ns ? { namespace: ns } : {}),
    ...(o.nodePodNamespace ? { nodePodNamespace: o.nodePodNamespace } : {}),
    ...(o.inputs ? { inputs: o.inputs } : {}),
  });
  const distinct = dedupe([...byStep.values()].flat());
  const timeoutMs = o.timeoutMs ?? CAN_I_TIMEOUT_MS;
  // the first check the server leaves unanswered stops the others: it will not answer them
  // either, and the checks still queued would each wait their full timeout again
  const giveUp = new AbortController();
  const batched = distinct.length === 0 ? [] : await canIAll(cluster, distinct, {
    timeoutMs,
    ...(o.requestTimeoutS !== undefined ? { requestTimeoutS: o.requestTimeoutS } : {}),
    ...(o.env ? { env: o.env } : {}),
  });
  const answers = batched ?? await mapBounded(distinct, o.concurrency ?? 8, async (p) => {
    const a = await canI(cluster, p, {
      timeoutMs,
      ...(o.requestTimeoutS !== undefined ? { requestTimeoutS: o.requestTimeoutS } : {}),
      ...(o.env ? { env: o.env } : {}),
      signal: giveUp.signal,
    });
    if ('error' in a && a.noAnswer) giveUp.abort();
    return a;
  });
  const silent = answers.some((a) => 'error' in a && a.noAnswer);
  const notice = silent ? noAnswerNotice(apiServerUrl(cluster, { ...process.env, ...o.env }), timeoutMs) : undefined;
  const answerOf = new Map(distinct.map((p, i) => [permissionKey(p), answers[i]!]));
  const missing = new Map<string, string>();
  const unknown = new Map<string, string>();
  for (const [step, perms] of byStep) {
    const denied = perms.filter((p) => {
      const a = answerOf.get(permissionKey(p));
      return a !== undefined && 'allowed' in a && !a.allowed;
    });
    const errs = perms.flatMap((p) => {
      const a = answerOf.get(permissionKey(p));
      if (!a || !('error' in a)) return [];
      return [a.noAnswer && notice ? `${permissionKey(p)}: no answer` : `${permissionKey(p)}: ${a.error}`];
    });
    if (denied.length > 0) missing.set(step, `missing: ${denied.map(permissionKey).join('; ')}`);
    if (errs.length > 0) unknown.set(step, `could not check: ${errs.join('; ')}${notice && errs.some((e) => e.endsWith(': no answer')) ? ` (${notice})` : ''}`);
  }
  return { missing, unknown, asked: distinct.length, ...(notice ? { notice } : {}) };
}

/** Steps the operator may not run: 'playbookId:stepId' → 'missing: VERB RESOURCE in ns NS'.
 * Steps whose permissions got no answer are not in it (unknown is not denied: the command
 * itself will say); that the server did not answer goes to `onNotice`. */
export async function preflight(catalog: Catalog, cluster: ClusterOptions, o: PreflightOptions = {}): Promise<Map<string, string>> {
  const report = await preflightReport(catalog, cluster, o);
  if (report.notice) (o.onNotice ?? ((t: string) => console.error(`netwiz: ${t}`)))(report.notice);
  return report.missing;
}

const DRY_RUN_VERBS = new Set(['scale', 'patch', 'delete', 'apply', 'create', 'label', 'annotate', 'set', 'cordon', 'uncordon', 'drain', 'replace', 'autoscale', 'expose', 'taint']);

/** Does this kubectl argv change the cluster in a way `--dry-run=server` can rehearse? */
export function supportsServerDryRun(argv: readonly string[]): boolean {
  if (!isKubectl(argv)) return false;
  const [verb, sub] = parseKubectl(argv.slice(1)).positionals;
  if (verb === 'rollout') return sub === 'restart' || sub === 'undo';
  return verb !== undefined && DRY_RUN_VERBS.has(verb);
}

/** `kubectl scale …` → `kubectl scale … --dry-run=server` (before any `--`); other argv and
 * argv that already say --dry-run come back unchanged. */
export function dryRunArgv(argv: readonly string[]): string[] {
  if (!supportsServerDryRun(argv) || argv.some((a) => a === '--dry-run' || a.startsWith('--dry-run='))) return [...argv];
  const dd = argv.indexOf('--');
  return dd === -1 ? [...argv, '--dry-run=server'] : [...argv.slice(0, dd), '--dry-run=server', ...argv.slice(dd)];
}

/** playbooks reachable from `rootId` through call steps (including foreach calls) */
export { reachablePlaybooks };

/** The driver's RbacPreflight (src/session/types.ts): checks the playbooks reachable from
 * the root. Values read "missing: VERB RESOURCE[/SUB] in ns NS[; …]". */
export function createPreflight(cluster: ClusterOptions, o: PreflightOptions = {}): (catalog: Catalog, rootId: string) => Promise<Map<string, string>> {
  return (catalog, rootId) => preflight(reachablePlaybooks(catalog, rootId), cluster, o);
}
