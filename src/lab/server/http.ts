// The scenario API server: HTTPS + bearer token, routes kubectl's requests to the cluster
// state, serves discovery, Tables, watches and exec. See
// /work/shared/notes/kubectl-and-a-scenario-server.md for what kubectl 1.32 needs and why.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { createServer as createHttpsServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { WebSocketServer } from 'ws';
import type { DataPlane, SpawnPlan } from '../dataplane.js';
import type { Scenario, ScenarioPod } from '../scenario/model.js';
import { ApiError, LabCluster, invalid, type WatchEvent } from './cluster.js';
import { EXEC_PROTOCOLS, commandOf, finishWithStatus, internalErrorStatus, runExec } from './exec.js';
import { PatchError, applyPatch } from './patch.js';
import { decodePod, decodeSelfSubjectAccessReview, unwrapEnvelope } from './protobuf.js';
import { forbiddenMessage, isAllowed, type Attributes } from './rbac.js';
import {
  AGGREGATED_CONTENT_TYPE,
  GROUPS,
  aggregatedDiscovery,
  apiGroupList,
  apiResourceList,
  apiVersionOf,
  apiVersions,
  findResource,
  openApiV3Doc,
  openApiV3Root,
  type ResourceDef,
} from './resources.js';
import { SelectorError, matchFields, matchLabels, parseFieldSelector, parseLabelSelector } from './selectors.js';
import { toTable, wantsTable } from './tables.js';
import { makeSelfSignedCert, type LabCertificate } from './tls.js';

export interface LabServerOptions {
  scenario: Scenario;
  dataPlane?: DataPlane;
  /** overrides dataPlane.execPlan (API tests run execs as plain host processes) */
  execPlan?: (pod: ScenarioPod, argv: string[]) => SpawnPlan;
  token?: string;
  host?: string;
  /** 0 = any free port */
  port?: number;
  tls?: LabCertificate;
  log?: (line: string) => void;
  /** why exec has no data plane, shown to the kubectl user */
  noDataPlaneReason?: string;
}

export interface LabServer {
  url: string;
  port: number;
  token: string;
  caPem: string;
  cluster: LabCluster;
  close(): Promise<void>;
}

const MAX_BODY = 4 * 1024 * 1024;

function status(code: number, reason: string, message: string, details?: object): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

function sendError(res: ServerResponse, e: unknown): void {
  if (e instanceof ApiError) return sendJson(res, e.code, status(e.code, e.reason, e.message, e.details));
  if (e instanceof SelectorError) return sendJson(res, 400, status(400, 'BadRequest', e.message));
  if (e instanceof PatchError) return sendJson(res, 422, status(422, 'Invalid', e.message));
  const msg = e instanceof Error ? e.message : String(e);
  sendJson(res, 500, status(500, 'InternalError', `Internal error occurred: ${msg}`));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new ApiError(413, 'RequestEntityTooLarge', 'request entity too large');
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks);
}

interface Route {
  def: ResourceDef;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** /api/v1/... or /apis/G/V/... → resource, namespace, name, subresource */
function parseResourcePath(parts: string[]): Route | undefined {
  let group = '';
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') {
    version = parts[1] ?? '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    group = parts[1] ?? '';
    version = parts[2] ?? '';
    rest = parts.slice(3);
  } else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const def = findResource(group, version, rest[0] ?? '');
  if (!def) return undefined;
  // names arrive percent-encoded (kubectl exec sends `a%28b%29` for `a(b)`); the store keeps them decoded
  const name = rest[1] ? decodeSegment(rest[1]) : undefined;
  if (namespace !== undefined) namespace = decodeSegment(namespace);
  return { def, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}), ...(rest[2] ? { subresource: rest[2] } : {}) };
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s; // a malformed escape stays as sent: the lookup then fails with NotFound
  }
}

function notFound(def: ResourceDef, name: string): ApiError {
  const qualified = def.group ? `${def.resource}.${def.group}` : def.resource;
  return new ApiError(404, 'NotFound', `${qualified} "${name}" not found`, { name, ...(def.group ? { group: def.group } : {}), kind: def.resource });
}

function verbOf(method: string, route: Route, url: URL): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') return 'watch';
      return route.name ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return route.name ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1]!.trim());
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function createLabServer(opts: LabServerOptions): Promise<LabServer> {
  const log = opts.log ?? (() => {});
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const tls = opts.tls ?? makeSelfSignedCert();
  const cluster = new LabCluster(opts.scenario, { ...(opts.dataPlane ? { dataPlane: opts.dataPlane } : {}), log });
  await cluster.start();
  const rbac = opts.scenario.rbac;
  const user = cluster.user;
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => EXEC_PROTOCOLS.find((p) => protocols.has(p)) ?? false,
  });
  const watches = new Set<() => void>();

  function authorize(a: Attributes): void {
    if (!isAllowed(rbac, a)) {
      throw new ApiError(403, 'Forbidden', forbiddenMessage(user, a), {
        ...(a.name ? { name: a.name } : {}),
        ...(a.group ? { group: a.group } : {}),
        kind: a.subresource ? `${a.resource}/${a.subresource}` : a.resource,
      });
    }
  }

  function attributesOf(route: Route, verb: string): Attributes {
    return {
      verb,
      group: route.def.group,
      resource: route.def.resource,
      ...(route.subresource ? { subresource: route.subresource } : {}),
      ...(route.namespace ? { namespace: route.namespace } : {}),
      ...(route.name ? { name: route.name } : {}),
    };
  }

  function filtered(route: Route, url: URL): any[] {
    const labels = parseLabelSelector(url.searchParams.get('labelSelector'));
    const fields = parseFieldSelector(url.searchParams.get('fieldSelector'));
    return cluster.list(route.def.kind, route.namespace).filter((o) => matchLabels(labels, o.metadata.labels) && matchFields(fields, o));
  }

  function listBody(route: Route, url: URL, req: IncomingMessage, items: any[]): object {
    if (wantsTable(req.headers.accept)) {
      return toTable(route.def.kind, items, {
        accept: req.headers.accept,
        includeObject: url.searchParams.get('includeObject') ?? 'Metadata',
        resourceVersion: cluster.resourceVersion,
      });
    }
    return { kind: `${route.def.kind}List`, apiVersion: apiVersionOf(route.def), metadata: { resourceVersion: cluster.resourceVersion }, items };
  }

  function one(route: Route, url: URL, req: IncomingMessage, obj: any): object {
    if (wantsTable(req.headers.accept)) {
      return toTable(route.def.kind, [obj], {
        accept: req.headers.accept,
        includeObject: url.searchParams.get('includeObject') ?? 'Metadata',
        resourceVersion: cluster.resourceVersion,
      });
    }
    return obj;
  }

  function watch(route: Route, url: URL, req: IncomingMessage, res: ServerResponse): void {
    const labels = parseLabelSelector(url.searchParams.get('labelSelector'));
    const fields = parseFieldSelector(url.searchParams.get('fieldSelector'));
    if (route.name) fields.push({ path: 'metadata.name', op: 'eq', value: route.name });
    const table = wantsTable(req.headers.accept);
    const includeObject = url.searchParams.get('includeObject') ?? 'Metadata';
    const rvParam = url.searchParams.get('resourceVersion');
    const matches = (o: any) =>
      o.kind === route.def.kind && (!route.namespace || o.metadata.namespace === route.namespace) && matchLabels(labels, o.metadata.labels) && matchFields(fields, o);
    // headers now: kubectl waits for them before it considers the watch open
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    let first = true;
    const write = (type: string, o: any) => {
      const object = table ? toTable(route.def.kind, [o], { accept: req.headers.accept, includeObject, withColumns: first, resourceVersion: o.metadata.resourceVersion }) : o;
      first = false;
      res.write(`${JSON.stringify({ type, object })}\n`);
    };
    // like the apiserver's filtered watch: an object that starts or stops matching the
    // selectors arrives as ADDED or DELETED (kubectl wait and rollout status rely on it)
    const matched = new Set<string>();
    const keyOf = (o: any) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    const deliver = (e: { type: string; object: any }) => {
      if (e.object.kind !== route.def.kind) return;
      const k = keyOf(e.object);
      const now = matches(e.object);
      const was = matched.has(k);
      if (e.type === 'DELETED') {
        matched.delete(k);
        if (was || now) write('DELETED', e.object);
      } else if (now) {
        matched.add(k);
        write(was ? 'MODIFIED' : 'ADDED', e.object);
      } else if (was) {
        matched.delete(k);
        write('DELETED', e.object);
      }
    };
    if (rvParam && rvParam !== '0') {
      const backlog: WatchEvent[] | undefined = cluster.eventsSince(Number(rvParam));
      if (!backlog) {
        res.write(`${JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${rvParam} (${cluster.resourceVersion})`) })}\n`);
        res.end();
        return;
      }
      // what matched at rvParam: the objects that match now, minus what the backlog added since
      const current = cluster.list(route.def.kind, route.namespace);
      for (const o of current) if (matches(o)) matched.add(keyOf(o));
      for (const e of backlog) if (e.object.kind === route.def.kind && e.type === 'ADDED') matched.delete(keyOf(e.object));
      for (const e of backlog) deliver(e);
    } else {
      for (const o of cluster.list(route.def.kind, route.namespace).filter(matches)) deliver({ type: 'ADDED', object: o });
    }
    const unsubscribe = cluster.subscribe(deliver);
    const timeout = Number(url.searchParams.get('timeoutSeconds') ?? '0');
    const stop = () => {
      unsubscribe();
      clearTimeout(timer);
      watches.delete(stop);
      if (!res.writableEnded) res.end();
    };
    const timer = setTimeout(stop, (timeout > 0 ? timeout : 1800) * 1000);
    watches.add(stop);
    req.on('close', stop);
  }

  async function decodeBody(req: IncomingMessage, kind: 'pod' | 'ssar' | 'any'): Promise<any> {
    const body = await readBody(req);
    const ct = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim();
    if (ct === 'application/vnd.kubernetes.protobuf') {
      const env = unwrapEnvelope(body);
      if (kind === 'ssar' || env.kind === 'SelfSubjectAccessReview') return decodeSelfSubjectAccessReview(env.raw);
      if (kind === 'pod' || env.kind === 'Pod') return decodePod(env.raw);
      throw new ApiError(415, 'UnsupportedMediaType', `the lab reads protobuf only for pods and SelfSubjectAccessReviews; send ${env.kind} as JSON`);
    }
    if (ct === 'application/yaml') throw new ApiError(415, 'UnsupportedMediaType', 'send JSON (kubectl does by default)');
    try {
      return JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new ApiError(400, 'BadRequest', `the request body is not JSON: ${(e as Error).message}`);
    }
  }

  function accessReview(review: any): object {
    const ra = review.spec?.resourceAttributes;
    const allowed = ra
      ? isAllowed(rbac, {
          verb: ra.verb ?? '',
          group: ra.group ?? '',
          resource: ra.resource ?? '',
          ...(ra.subresource ? { subresource: ra.subresource } : {}),
          ...(ra.namespace ? { namespace: ra.namespace } : {}),
          ...(ra.name ? { name: ra.name } : {}),
        })
      : true;
    return {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null, ...(review.metadata ?? {}) },
      spec: review.spec ?? {},
      status: allowed ? { allowed: true, reason: 'RBAC: allowed by the netwiz lab' } : { allowed: false },
    };
  }

  async function handleResource(req: IncomingMessage, res: ServerResponse, url: URL, route: Route): Promise<void> {
    const method = req.method ?? 'GET';
    const verb = verbOf(method, route, url);
    const { def } = route;
    if (def.namespaced && route.namespace && !cluster.get('Namespace', undefined, route.namespace) && method === 'GET' && route.name) {
      throw new ApiError(404, 'NotFound', `namespaces "${route.namespace}" not found`, { name: route.namespace, kind: 'namespaces' });
    }
    if (def.kind === 'SelfSubjectAccessReview') {
      if (method !== 'POST') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      const review = await decodeBody(req, 'ssar');
      return sendJson(res, 201, accessReview(review));
    }
    if (def.kind === 'SelfSubjectRulesReview') {
      const review = await decodeBody(req, 'any');
      return sendJson(res, 201, {
        ...review,
        status: {
          resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
          nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
          incomplete: (rbac?.deny.length ?? 0) > 0,
          ...(rbac?.deny.length ? { evaluationError: `denied: ${rbac.deny.map((d) => `${d.verb} ${d.resource}${d.subresource ? '/' + d.subresource : ''}`).join(', ')}` } : {}),
        },
      });
    }
    authorize(attributesOf(route, verb));
    const dryRun = url.searchParams.getAll('dryRun').includes('All');

    if (method === 'GET' || method === 'HEAD') {
      if (!route.name) {
        if (verb === 'watch') return watch(route, url, req, res);
        return sendJson(res, 200, listBody(route, url, req, filtered(route, url)));
      }
      if (verb === 'watch') return watch(route, url, req, res);
      const obj = cluster.get(def.kind, def.namespaced ? route.namespace : undefined, route.name);
      if (!obj) throw notFound(def, route.name);
      if (!route.subresource) return sendJson(res, 200, one(route, url, req, obj));
      if (route.subresource === 'scale' && def.kind === 'Deployment') return sendJson(res, 200, cluster.scaleOf(obj));
      if (route.subresource === 'status' || route.subresource === 'ephemeralcontainers') return sendJson(res, 200, obj);
      if (route.subresource === 'log') {
        const info = cluster.podInfoOf(obj.metadata.namespace, obj.metadata.name);
        const lines = info && info.app.listen.length ? `listening on ${info.app.listen.map((p) => `:${p}`).join(' ')}\n` : '';
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        return void res.end(lines);
      }
      if (route.subresource === 'exec') {
        throw new ApiError(400, 'BadRequest', 'exec needs a WebSocket upgrade (subprotocol v5.channel.k8s.io): use kubectl 1.30 or newer');
      }
      throw new ApiError(404, 'NotFound', `the server could not find the requested resource (${def.resource}/${route.subresource})`);
    }

    if (method === 'POST') {
      if (route.name) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      const body = await decodeBody(req, def.kind === 'Pod' ? 'pod' : 'any');
      if (def.kind === 'Pod') {
        const ns = route.namespace ?? body.metadata?.namespace ?? 'default';
        if (dryRun) return sendJson(res, 201, { ...body, metadata: { ...body.metadata, namespace: ns } });
        const pod = cluster.createPod(ns, body);
        await cluster.settle();
        return sendJson(res, 201, pod);
      }
      if (def.kind === 'Event') return sendJson(res, 201, body);
      throw new ApiError(405, 'MethodNotAllowed', `the lab creates only pods (asked to create ${def.resource}); change the scenario file to add others`);
    }

    if (method === 'DELETE') {
      if (!route.name) throw new ApiError(405, 'MethodNotAllowed', 'deletecollection is not served by the lab');
      if (def.kind !== 'Pod') throw new ApiError(405, 'MethodNotAllowed', `the lab deletes only pods (asked to delete ${def.resource}); scale a deployment to 0 instead`);
      const ns = route.namespace ?? 'default';
      // kubectl sends dry-run for deletes in the DeleteOptions body, not the query string
      const rawOptions = await readBody(req);
      let bodyDryRun = false;
      try {
        const options = rawOptions.length > 0 ? JSON.parse(rawOptions.toString('utf8')) : {};
        bodyDryRun = Array.isArray(options?.dryRun) && options.dryRun.includes('All');
      } catch {
        /* not JSON (protobuf DeleteOptions): fall back to the query string */
      }
      if (dryRun || bodyDryRun) {
        const cur = cluster.get('Pod', ns, route.name);
        if (!cur) throw notFound(def, route.name);
        return sendJson(res, 200, cur);
      }
      const gone = cluster.deletePod(ns, route.name);
      await cluster.settle();
      return sendJson(res, 200, gone);
    }

    if (method === 'PUT' || method === 'PATCH') {
      if (!route.name) throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      const ns = def.namespaced ? route.namespace : undefined;
      const cur = cluster.get(def.kind, ns, route.name);
      if (!cur) throw notFound(def, route.name);
      const raw = await readBody(req);
      const isScale = route.subresource === 'scale';
      const base = isScale ? cluster.scaleOf(cur) : cur;
      let next: any;
      if (method === 'PUT') {
        try {
          next = JSON.parse(raw.toString('utf8'));
        } catch (e) {
          throw new ApiError(400, 'BadRequest', `the request body is not JSON: ${(e as Error).message}`);
        }
      } else {
        next = applyPatch(req.headers['content-type'] ?? '', base, raw.toString('utf8'));
      }
      if (!next || typeof next !== 'object') throw new ApiError(422, 'Invalid', 'the patched object is not an object');
      next.metadata = { ...(next.metadata ?? {}), name: cur.metadata.name, ...(cur.metadata.namespace ? { namespace: cur.metadata.namespace } : {}) };
      if (route.subresource === 'ephemeralcontainers' && def.kind === 'Pod') {
        if (dryRun) return sendJson(res, 200, next);
        return sendJson(res, 200, cluster.setEphemeralContainers(next));
      }
      if (route.subresource && route.subresource !== 'scale' && route.subresource !== 'status') {
        throw new ApiError(405, 'MethodNotAllowed', `cannot ${verb} ${def.resource}/${route.subresource}`);
      }
      if (dryRun) return sendJson(res, 200, isScale ? { ...base, spec: next.spec } : next);
      let out: any;
      if (isScale) {
        if (def.kind !== 'Deployment') throw new ApiError(405, 'MethodNotAllowed', 'the lab scales deployments only');
        const replicas = next.spec?.replicas;
        if (!Number.isInteger(replicas) || replicas < 0) throw invalid('Scale', 'autoscaling', cur.metadata.name, 'spec.replicas', `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
        out = cluster.scaleOf(cluster.scaleDeployment(cur.metadata.namespace, cur.metadata.name, replicas));
      } else if (route.subresource === 'status') {
        out = cur; // status is the controllers' to write; accept and ignore
      } else if (def.kind === 'Deployment') out = cluster.updateDeployment(next);
      else if (def.kind === 'Pod') out = cluster.updatePod(next);
      else if (def.kind === 'Service') out = cluster.updateService(next);
      else throw new ApiError(405, 'MethodNotAllowed', `the lab does not ${verb} ${def.resource}; it patches deployments, pods and services`);
      await cluster.settle();
      return sendJson(res, 200, out);
    }
    throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://lab');
    const parts = url.pathname.split('/').filter((p) => p !== '');
    const p = url.pathname.replace(/\/+$/, '') || '/';
    log(`${req.method} ${req.url} ${req.headers['kubectl-command'] ?? ''}${req.headers['content-type'] ? ` [${req.headers['content-type']}]` : ''}`);
    if (p === '/version') {
      return sendJson(res, 200, {
        major: '1',
        minor: '32',
        gitVersion: 'v1.32.4',
        gitCommit: '59526cd4867447956156ae3a602fcbac10a2c335',
        gitTreeState: 'clean',
        buildDate: '2025-04-22T16:02:27Z',
        goVersion: 'go1.23.6',
        compiler: 'gc',
        platform: 'linux/amd64',
      });
    }
    if (p === '/healthz' || p === '/livez' || p === '/readyz') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      return void res.end('ok');
    }
    if (!tokenMatches(req.headers.authorization, token)) {
      return sendJson(res, 401, status(401, 'Unauthorized', 'Unauthorized'));
    }
    const accept = req.headers.accept ?? '';
    if (p === '/api' || p === '/apis') {
      const v2 = /as=APIGroupDiscoveryList/.test(accept) && /v=v2(?!beta)/.test(accept);
      const v2beta1 = !v2 && /as=APIGroupDiscoveryList/.test(accept) && /v=v2beta1/.test(accept);
      if (v2) return sendJson(res, 200, aggregatedDiscovery(p === '/api'), AGGREGATED_CONTENT_TYPE);
      if (v2beta1) {
        return sendJson(res, 200, aggregatedDiscovery(p === '/api', 'apidiscovery.k8s.io/v2beta1'), AGGREGATED_CONTENT_TYPE.replace('v=v2', 'v=v2beta1'));
      }
      return sendJson(res, 200, p === '/api' ? apiVersions() : apiGroupList());
    }
    if (p === '/api/v1') return sendJson(res, 200, apiResourceList('', 'v1'));
    if (p === '/openapi/v3') return sendJson(res, 200, openApiV3Root());
    if (parts[0] === 'openapi' && parts[1] === 'v3') {
      const doc = parts[2] === 'api' ? openApiV3Doc('', parts[3] ?? '') : openApiV3Doc(parts[3] ?? '', parts[4] ?? '');
      if (doc) return sendJson(res, 200, doc);
    }
    if (parts[0] === 'apis' && parts.length === 2) {
      const g = GROUPS.find((x) => x.group === parts[1]);
      if (g) {
        const gv = { groupVersion: `${g.group}/${g.version}`, version: g.version };
        return sendJson(res, 200, { kind: 'APIGroup', apiVersion: 'v1', name: g.group, versions: [gv], preferredVersion: gv });
      }
    }
    if (parts[0] === 'apis' && parts.length === 3 && GROUPS.some((g) => g.group === parts[1] && g.version === parts[2])) {
      return sendJson(res, 200, apiResourceList(parts[1]!, parts[2]!));
    }
    const route = parseResourcePath(parts);
    if (!route) {
      return sendJson(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
    }
    return handleResource(req, res, url, route);
  }

  function rejectUpgrade(socket: Duplex, code: number, body: object): void {
    const text = JSON.stringify(body);
    const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' }[code] ?? 'Error';
    socket.end(`HTTP/1.1 ${code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
  }

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => {});
    const url = new URL(req.url ?? '/', 'https://lab');
    const route = parseResourcePath(url.pathname.split('/').filter((x) => x !== ''));
    log(`UPGRADE ${req.headers.upgrade} ${req.url}`);
    if (!tokenMatches(req.headers.authorization, token)) return rejectUpgrade(socket, 401, status(401, 'Unauthorized', 'Unauthorized'));
    if (!route || route.def.kind !== 'Pod' || !route.name || (route.subresource !== 'exec' && route.subresource !== 'attach')) {
      return rejectUpgrade(socket, 404, status(404, 'NotFound', 'the lab serves upgrades only for pods/NAME/exec'));
    }
    const attrs: Attributes = { verb: 'create', group: '', resource: 'pods', subresource: route.subresource, namespace: route.namespace ?? 'default', name: route.name };
    if (!isAllowed(rbac, attrs)) {
      return rejectUpgrade(socket, 403, status(403, 'Forbidden', forbiddenMessage(user, attrs), { name: route.name, kind: `pods/${route.subresource}` }));
    }
    const ns = route.namespace ?? 'default';
    const pod = cluster.podInfoOf(ns, route.name);
    if (!pod) return rejectUpgrade(socket, 404, status(404, 'NotFound', `pods "${route.name}" not found`, { name: route.name, kind: 'pods' }));
    const container = url.searchParams.get('container');
    const podObj = cluster.get('Pod', ns, route.name);
    const names: string[] = [...(podObj?.spec.containers ?? []), ...(podObj?.spec.ephemeralContainers ?? [])].map((c: any) => c.name);
    if (container && !names.includes(container)) {
      return rejectUpgrade(socket, 400, status(400, 'BadRequest', `container ${container} is not valid for pod ${route.name}`));
    }
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      // kubectl falls back to SPDY when the WebSocket upgrade fails; refuse it with a reason
      // instead of leaving it hanging on a protocol the lab does not speak
      return rejectUpgrade(
        socket,
        400,
        status(400, 'BadRequest', `the netwiz lab serves exec only over WebSocket (v5.channel.k8s.io), not ${req.headers.upgrade ?? 'plain HTTP'}; use kubectl 1.30 or newer`),
      );
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    if (!EXEC_PROTOCOLS.some((p) => offered.includes(p))) {
      return rejectUpgrade(socket, 400, status(400, 'BadRequest', `no supported exec subprotocol offered (${offered.join(', ')}); the lab speaks ${EXEC_PROTOCOLS.join(', ')}`));
    }
    if (route.subresource === 'attach') {
      return rejectUpgrade(socket, 400, status(400, 'BadRequest', 'attach is not served by the lab; use kubectl exec'));
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const argv = commandOf(url);
      const planOf = opts.execPlan ?? (opts.dataPlane ? (p: ScenarioPod, a: string[]) => opts.dataPlane!.execPlan(p, a) : undefined);
      if (argv.length === 0) return finishWithStatus(ws, internalErrorStatus('you must specify at least one command for the container'));
      if (!planOf) {
        return finishWithStatus(
          ws,
          internalErrorStatus(opts.noDataPlaneReason ?? 'this lab runs without a data plane (API only): pods have no network namespace to exec in; start the lab as root with iproute2 installed'),
        );
      }
      let plan: SpawnPlan;
      try {
        plan = planOf(pod, argv);
      } catch (e) {
        return finishWithStatus(ws, internalErrorStatus(`cannot exec in pod ${ns}/${pod.name}: ${(e as Error).message}`));
      }
      const flag = (k: string) => url.searchParams.get(k) === 'true' || url.searchParams.get(k) === '1';
      runExec(ws, plan, argv, { stdin: flag('stdin'), tty: flag('tty') }).catch((e: unknown) => {
        log(`exec failed: ${String(e)}`);
        finishWithStatus(ws, internalErrorStatus(String(e)));
      });
    });
  }

  const server = createHttpsServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) sendError(res, e);
      else res.end();
    });
  });
  server.on('upgrade', onUpgrade);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    token,
    caPem: tls.certPem,
    cluster,
    async close() {
      for (const stop of [...watches]) stop();
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await cluster.settle();
    },
  };
}
