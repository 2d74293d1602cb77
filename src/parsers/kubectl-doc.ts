// Reading `kubectl … -o json` documents: one object, or a List whose `items` are objects.
// Shared by the kubectl-* parsers; pure.
import { isRecord, str, stringMap } from './outcome.js';

export type KubeObject = Record<string, unknown>;

export type DocResult = { ok: true; doc: KubeObject; items: KubeObject[]; isList: boolean } | { ok: false; why: string };

/** Parses stdout as JSON; tolerates text around one JSON object (warnings printed before it). */
export function readKubeDoc(stdout: string): DocResult {
  const text = stdout.trim();
  if (text === '') return { ok: false, why: 'empty output' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const start = text.indexOf('{');
    const end = text.lastIndexOf('}');
    if (start < 0 || end <= start) return { ok: false, why: 'not JSON (expected kubectl -o json output)' };
    try {
      value = JSON.parse(text.slice(start, end + 1));
    } catch (err) {
      return { ok: false, why: `not JSON: ${(err as Error).message}` };
    }
  }
  if (!isRecord(value)) return { ok: false, why: 'JSON is not an object' };
  if (Array.isArray(value.items)) {
    return { ok: true, doc: value, items: value.items.filter(isRecord), isList: true };
  }
  return { ok: true, doc: value, items: [value], isList: false };
}

export function meta(obj: KubeObject): Record<string, unknown> {
  return isRecord(obj.metadata) ? obj.metadata : {};
}

export function spec(obj: KubeObject): Record<string, unknown> {
  return isRecord(obj.spec) ? obj.spec : {};
}

export function status(obj: KubeObject): Record<string, unknown> {
  return isRecord(obj.status) ? obj.status : {};
}

export function nameOf(obj: KubeObject): string {
  return str(meta(obj).name) ?? '';
}

export function namespaceOf(obj: KubeObject): string {
  return str(meta(obj).namespace) ?? '';
}

export function labelsOf(obj: KubeObject): Record<string, string> {
  return stringMap(meta(obj).labels);
}

/** The controller owner (ownerReferences with controller: true, else the first). */
export function ownerOf(obj: KubeObject): { kind: string; name: string } | null {
  const refs = meta(obj).ownerReferences;
  if (!Array.isArray(refs)) return null;
  const records = refs.filter(isRecord);
  const ref = records.find((r) => r.controller === true) ?? records[0];
  if (!ref) return null;
  return { kind: str(ref.kind) ?? '', name: str(ref.name) ?? '' };
}

/** `k=v,k2=v2`, sorted: usable as `kubectl get pods -l …` and stable for comparisons. */
export function selectorString(sel: Record<string, string>): string {
  return Object.keys(sel)
    .sort()
    .map((k) => `${k}=${sel[k]}`)
    .join(',');
}

export function containersOf(podSpec: Record<string, unknown>): KubeObject[] {
  return Array.isArray(podSpec.containers) ? podSpec.containers.filter(isRecord) : [];
}

export interface ContainerPort {
  container: string;
  name: string;
  containerPort: number;
  protocol: string;
}

export function portsOf(podSpec: Record<string, unknown>): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const c of containersOf(podSpec)) {
    if (!Array.isArray(c.ports)) continue;
    for (const p of c.ports) {
      if (!isRecord(p) || typeof p.containerPort !== 'number') continue;
      out.push({
        container: str(c.name) ?? '',
        name: str(p.name) ?? '',
        containerPort: p.containerPort,
        protocol: str(p.protocol) ?? 'TCP',
      });
    }
  }
  return out;
}
