// The three patch types kubectl sends: JSON merge patch (RFC 7386), JSON patch (RFC 6902)
// and strategic merge patch (merge patch whose lists of named things merge by key).
// Pure functions on plain JSON; the input is never mutated.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export class PatchError extends Error {}

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));
const isObj = (v: unknown): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return clone(patch);
  const out: Record<string, Json> = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

// List fields that merge by a key in Kubernetes' strategic merge (the ones kubectl's
// set/scale/edit paths touch on pods, deployments and services).
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  tolerations: 'key',
  hostAliases: 'ip',
  conditions: 'type',
};

function mergeKeyFor(field: string, items: Json[]): string | undefined {
  if (field === 'ports' && items.some((i) => isObj(i) && 'port' in i && !('containerPort' in i))) return 'port'; // service ports
  return MERGE_KEYS[field];
}

export function strategicMergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return clone(patch);
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return clone(rest);
  }
  if (patch.$patch === 'delete') return null;
  const out: Record<string, Json> = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/') || k.startsWith('$deleteFromPrimitiveList/') || k === '$retainKeys' || k === '$patch') continue;
    if (v === null) {
      delete out[k];
      continue;
    }
    const cur = out[k];
    if (Array.isArray(v) && Array.isArray(cur)) {
      const key = mergeKeyFor(k, [...cur, ...v]);
      out[k] = key ? mergeList(cur, v, key) : clone(v);
    } else if (isObj(v)) {
      out[k] = strategicMergePatch(cur ?? null, v);
    } else out[k] = clone(v);
  }
  return out;
}

function mergeList(cur: Json[], patch: Json[], key: string): Json[] {
  const out = clone(cur);
  for (const item of patch) {
    if (!isObj(item) || !(key in item)) {
      out.push(clone(item));
      continue;
    }
    const idx = out.findIndex((o) => isObj(o) && o[key] === item[key]);
    if (item.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
    } else if (idx >= 0) out[idx] = strategicMergePatch(out[idx]!, item);
    else out.push(strategicMergePatch(null, item));
  }
  return out;
}

function decodePointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new PatchError(`invalid JSON pointer "${p}"`);
  return p
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

interface Op {
  op: string;
  path: string;
  from?: string;
  value?: Json;
}

function getAt(doc: Json, parts: string[]): Json | undefined {
  let cur: Json | undefined = doc;
  for (const k of parts) {
    if (Array.isArray(cur)) cur = cur[Number(k)];
    else if (isObj(cur)) cur = cur[k];
    else return undefined;
  }
  return cur;
}

export function jsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) throw new PatchError('a JSON patch must be an array of operations');
  let doc = clone(target);
  for (const raw of ops as Op[]) {
    const parts = decodePointer(raw.path);
    switch (raw.op) {
      case 'add':
      case 'replace':
        doc = setAt(doc, parts, clone(raw.value ?? null), raw.op);
        break;
      case 'remove':
        doc = removeAt(doc, parts);
        break;
      case 'copy':
      case 'move': {
        const from = decodePointer(raw.from ?? '');
        const v = getAt(doc, from);
        if (v === undefined) throw new PatchError(`${raw.op}: path "${raw.from}" does not exist`);
        if (raw.op === 'move') doc = removeAt(doc, from);
        doc = setAt(doc, parts, clone(v), 'add');
        break;
      }
      case 'test': {
        const v = getAt(doc, parts);
        if (JSON.stringify(v) !== JSON.stringify(raw.value)) throw new PatchError(`test failed at "${raw.path}"`);
        break;
      }
      default:
        throw new PatchError(`unknown JSON patch operation "${raw.op}"`);
    }
  }
  return doc;
}

function setAt(doc: Json, parts: string[], value: Json, op: 'add' | 'replace'): Json {
  if (parts.length === 0) return value;
  const parent = getAt(doc, parts.slice(0, -1));
  const last = parts[parts.length - 1]!;
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(i) || i < 0 || i > parent.length) throw new PatchError(`index ${last} out of range`);
    if (op === 'add') parent.splice(i, 0, value);
    else {
      if (i >= parent.length) throw new PatchError(`replace: index ${last} out of range`);
      parent[i] = value;
    }
  } else if (isObj(parent)) {
    if (op === 'replace' && !(last in parent)) throw new PatchError(`replace: path "/${parts.join('/')}" does not exist`);
    parent[last] = value;
  } else throw new PatchError(`path "/${parts.join('/')}" does not exist`);
  return doc;
}

function removeAt(doc: Json, parts: string[]): Json {
  const parent = getAt(doc, parts.slice(0, -1));
  const last = parts[parts.length - 1]!;
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!(i >= 0 && i < parent.length)) throw new PatchError(`remove: index ${last} out of range`);
    parent.splice(i, 1);
  } else if (isObj(parent) && last in parent) delete parent[last];
  else throw new PatchError(`remove: path "/${parts.join('/')}" does not exist`);
  return doc;
}

export function applyPatch(contentType: string, target: unknown, body: string): unknown {
  let patch: Json;
  try {
    patch = JSON.parse(body) as Json;
  } catch (e) {
    throw new PatchError(`patch body is not JSON: ${(e as Error).message}`);
  }
  const ct = contentType.split(';')[0]!.trim();
  switch (ct) {
    case 'application/merge-patch+json':
      return mergePatch(target as Json, patch);
    case 'application/strategic-merge-patch+json':
      return strategicMergePatch(target as Json, patch);
    case 'application/json-patch+json':
      return jsonPatch(target as Json, patch);
    default:
      throw new PatchError(`unsupported patch type "${ct}" (the lab takes strategic merge, merge and JSON patch; server-side apply is not served)`);
  }
}
