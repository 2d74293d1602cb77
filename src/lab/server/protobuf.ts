// Just enough protobuf to read what kubectl 1.32's typed clients POST in
// application/vnd.kubernetes.protobuf: the `k8s\0` envelope (runtime.Unknown) around a
// SelfSubjectAccessReview (for `kubectl auth can-i`) or a Pod. Field numbers come from
// k8s.io/api's generated.proto files.

type Fields = Map<number, (Buffer | bigint)[]>;

function readVarint(b: Buffer, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    if (pos >= b.length) throw new Error('truncated varint');
    const byte = b[pos++]!;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, pos];
    shift += 7n;
    if (shift > 63n) throw new Error('varint too long');
  }
}

export function readFields(b: Buffer): Fields {
  const out: Fields = new Map();
  let pos = 0;
  while (pos < b.length) {
    const [tag, p1] = readVarint(b, pos);
    pos = p1;
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    let value: Buffer | bigint;
    if (wire === 0) {
      [value, pos] = readVarint(b, pos);
    } else if (wire === 2) {
      const [n, p2] = readVarint(b, pos);
      const end = p2 + Number(n);
      if (end > b.length) throw new Error('truncated length-delimited field');
      value = b.subarray(p2, end);
      pos = end;
    } else if (wire === 1) {
      value = b.subarray(pos, pos + 8);
      pos += 8;
    } else if (wire === 5) {
      value = b.subarray(pos, pos + 4);
      pos += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
    const list = out.get(field) ?? [];
    list.push(value);
    out.set(field, list);
  }
  return out;
}

const str = (f: Fields, n: number): string | undefined => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? v.toString('utf8') : undefined;
};
const msg = (f: Fields, n: number): Fields | undefined => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? readFields(v) : undefined;
};
const bool = (f: Fields, n: number): boolean | undefined => {
  const v = f.get(n)?.[0];
  return typeof v === 'bigint' ? v !== 0n : undefined;
};

/** runtime.Unknown: {typeMeta{apiVersion, kind}, raw} after the 4-byte magic */
export function unwrapEnvelope(body: Buffer): { apiVersion: string; kind: string; raw: Buffer } {
  if (body.length < 4 || body.subarray(0, 4).toString('latin1') !== 'k8s\0') throw new Error('not a Kubernetes protobuf envelope (missing "k8s\\0")');
  const unknown = readFields(body.subarray(4));
  const typeMeta: Fields = msg(unknown, 1) ?? new Map();
  const raw = unknown.get(2)?.[0];
  return { apiVersion: str(typeMeta, 1) ?? '', kind: str(typeMeta, 2) ?? '', raw: Buffer.isBuffer(raw) ? raw : Buffer.alloc(0) };
}

function objectMeta(f: Fields | undefined): Record<string, unknown> {
  if (!f) return {};
  const labels: Record<string, string> = {};
  for (const e of f.get(11) ?? []) {
    if (!Buffer.isBuffer(e)) continue;
    const kv = readFields(e);
    labels[str(kv, 1) ?? ''] = str(kv, 2) ?? '';
  }
  return {
    ...(str(f, 1) ? { name: str(f, 1) } : {}),
    ...(str(f, 2) ? { generateName: str(f, 2) } : {}),
    ...(str(f, 3) ? { namespace: str(f, 3) } : {}),
    ...(Object.keys(labels).length ? { labels } : {}),
  };
}

/** authorization.k8s.io/v1 SelfSubjectAccessReview → its JSON form */
export function decodeSelfSubjectAccessReview(raw: Buffer): Record<string, unknown> {
  const f = readFields(raw);
  const spec = msg(f, 2);
  const ra = spec && msg(spec, 1);
  const nra = spec && msg(spec, 2);
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: objectMeta(msg(f, 1)),
    spec: {
      ...(ra
        ? {
            resourceAttributes: {
              namespace: str(ra, 1) ?? '',
              verb: str(ra, 2) ?? '',
              group: str(ra, 3) ?? '',
              version: str(ra, 4) ?? '',
              resource: str(ra, 5) ?? '',
              subresource: str(ra, 6) ?? '',
              name: str(ra, 7) ?? '',
            },
          }
        : {}),
      ...(nra ? { nonResourceAttributes: { path: str(nra, 1) ?? '', verb: str(nra, 2) ?? '' } } : {}),
    },
  };
}

/** core/v1 Pod → the JSON fields the lab reads (name, labels, nodeName, hostNetwork, containers) */
export function decodePod(raw: Buffer): Record<string, unknown> {
  const f = readFields(raw);
  const spec: Fields = msg(f, 2) ?? new Map();
  const containers = (spec.get(2) ?? []).filter(Buffer.isBuffer).map((c) => {
    const cf = readFields(c);
    return {
      name: str(cf, 1) ?? '',
      image: str(cf, 2) ?? '',
      command: (cf.get(3) ?? []).filter(Buffer.isBuffer).map((x) => x.toString('utf8')),
      args: (cf.get(4) ?? []).filter(Buffer.isBuffer).map((x) => x.toString('utf8')),
      stdin: bool(cf, 16) ?? false,
      tty: bool(cf, 18) ?? false,
    };
  });
  const nodeSelector: Record<string, string> = {};
  for (const e of spec.get(7) ?? []) {
    if (!Buffer.isBuffer(e)) continue;
    const kv = readFields(e);
    nodeSelector[str(kv, 1) ?? ''] = str(kv, 2) ?? '';
  }
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: objectMeta(msg(f, 1)),
    spec: {
      containers,
      ...(str(spec, 3) ? { restartPolicy: str(spec, 3) } : {}),
      ...(str(spec, 10) ? { nodeName: str(spec, 10) } : {}),
      ...(bool(spec, 11) ? { hostNetwork: true } : {}),
      ...(Object.keys(nodeSelector).length ? { nodeSelector } : {}),
    },
  };
}
