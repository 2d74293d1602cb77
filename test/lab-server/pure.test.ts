// Pure parts of the lab server: patches, selectors, durations, protobuf, RBAC messages, TLS.
import { describe, expect, it } from 'vitest';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { jsonPatch, mergePatch, strategicMergePatch, PatchError } from '../../src/lab/server/patch.js';
import { matchFields, matchLabels, parseFieldSelector, parseLabelSelector, SelectorError } from '../../src/lab/server/selectors.js';
import { humanDuration } from '../../src/lab/server/tables.js';
import { decodeSelfSubjectAccessReview, unwrapEnvelope } from '../../src/lab/server/protobuf.js';
import { forbiddenMessage, isAllowed } from '../../src/lab/server/rbac.js';
import { makeSelfSignedCert } from '../../src/lab/server/tls.js';

describe('patches', () => {
  const deploy: any = {
    spec: {
      replicas: 3,
      template: { spec: { containers: [{ name: 'a', image: 'a:1', ports: [{ containerPort: 80 }] }, { name: 'b', image: 'b:1' }] } },
    },
  };

  it('merge patch replaces lists and deletes with null', () => {
    const out = mergePatch(deploy, { spec: { replicas: null, template: { spec: { containers: [{ name: 'c' }] } } } }) as any;
    expect(out.spec.replicas).toBeUndefined();
    expect(out.spec.template.spec.containers).toEqual([{ name: 'c' }]);
    expect(deploy.spec.replicas).toBe(3); // input untouched
  });

  it('strategic merge merges containers by name and honours $patch: delete', () => {
    const out = strategicMergePatch(deploy, {
      spec: { template: { spec: { "$setElementOrder/containers": [], containers: [{ name: 'b', image: 'b:2' }, { name: 'a', $patch: 'delete' }] } } },
    } as any) as any;
    expect(out.spec.template.spec.containers).toEqual([{ name: 'b', image: 'b:2' }]);
    expect(Object.keys(out.spec.template.spec)).toEqual(['containers']);
    const added = strategicMergePatch(deploy, { spec: { template: { spec: { containers: [{ name: 'c', image: 'c:1' }] } } } }) as any;
    expect(added.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['a', 'b', 'c']);
  });

  it('JSON patch adds, replaces, removes, tests and fails on a missing path', () => {
    const out = jsonPatch(deploy, [
      { op: 'replace', path: '/spec/replicas', value: 1 },
      { op: 'add', path: '/spec/template/spec/nodeName', value: 'n1' },
      { op: 'remove', path: '/spec/template/spec/containers/1' },
      { op: 'test', path: '/spec/replicas', value: 1 },
    ]) as any;
    expect(out.spec.replicas).toBe(1);
    expect(out.spec.template.spec.nodeName).toBe('n1');
    expect(out.spec.template.spec.containers).toHaveLength(1);
    expect(() => jsonPatch(deploy, [{ op: 'remove', path: '/spec/nope' }])).toThrow(PatchError);
    expect(() => jsonPatch(deploy, [{ op: 'replace', path: '/metadata/x', value: 1 }])).toThrow(PatchError);
  });
});

describe('selectors', () => {
  it('parses set-based label selectors', () => {
    const r = parseLabelSelector('app in (web,api),tier!=db,!canary,env');
    expect(matchLabels(r, { app: 'web', env: 'prod' })).toBe(true);
    expect(matchLabels(r, { app: 'web', env: 'prod', canary: 'y' })).toBe(false);
    expect(matchLabels(r, { app: 'db', env: 'prod' })).toBe(false);
    expect(matchLabels(r, { app: 'api', tier: 'db', env: 'x' })).toBe(false);
    expect(matchLabels(parseLabelSelector('app notin (web)'), {})).toBe(true);
    expect(() => parseLabelSelector('a b c')).toThrow(SelectorError);
  });

  it('matches field selectors by dotted path, with != for absent fields', () => {
    const pod = { metadata: { name: 'p' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };
    expect(matchFields(parseFieldSelector('spec.nodeName=n1,status.phase!=Failed'), pod)).toBe(true);
    expect(matchFields(parseFieldSelector('metadata.name==q'), pod)).toBe(false);
    expect(matchFields(parseFieldSelector('spec.hostNetwork!=true'), pod)).toBe(true);
  });
});

describe('humanDuration (as kubectl prints AGE)', () => {
  it.each([
    [5_000, '5s'],
    [119_000, '119s'],
    [125_000, '2m5s'],
    [600_000, '10m'],
    [3 * 3600_000 + 5 * 60_000, '3h5m'],
    [26 * 3600_000, '26h'],
    [2 * 86400_000, '2d'],
    [30 * 86400_000, '30d'],
  ])('%d ms → %s', (ms, s) => expect(humanDuration(ms)).toBe(s));
});

describe('protobuf', () => {
  // a SelfSubjectAccessReview as kubectl 1.32 sends it: k8s\0 + Unknown{typeMeta, raw}
  const field = (n: number, body: Buffer) => Buffer.concat([Buffer.from([(n << 3) | 2, body.length]), body]);
  const s = (n: number, v: string) => field(n, Buffer.from(v));
  const attrs = Buffer.concat([s(1, 'shop'), s(2, 'patch'), s(3, 'apps'), s(5, 'deployments'), s(6, 'scale')]);
  const review = Buffer.concat([field(1, Buffer.alloc(0)), field(2, field(1, attrs))]);
  const typeMeta = Buffer.concat([s(1, 'authorization.k8s.io/v1'), s(2, 'SelfSubjectAccessReview')]);
  const body = Buffer.concat([Buffer.from('k8s\0', 'latin1'), field(1, typeMeta), field(2, review)]);

  it('unwraps the envelope and reads the resource attributes', () => {
    const env = unwrapEnvelope(body);
    expect(env.kind).toBe('SelfSubjectAccessReview');
    const ssar = decodeSelfSubjectAccessReview(env.raw) as any;
    expect(ssar.spec.resourceAttributes).toMatchObject({ namespace: 'shop', verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale' });
  });

  it('refuses what is not an envelope', () => {
    expect(() => unwrapEnvelope(Buffer.from('{"kind":"x"}'))).toThrow(/k8s/);
  });
});

describe('rbac', () => {
  const rbac = { deny: [{ verb: 'patch', resource: 'deployments', subresource: 'scale' }, { verb: 'create', resource: 'pods/exec' }] };
  it('denies only what is listed', () => {
    expect(isAllowed(rbac, { verb: 'patch', group: 'apps', resource: 'deployments', subresource: 'scale' })).toBe(false);
    expect(isAllowed(rbac, { verb: 'patch', group: 'apps', resource: 'deployments' })).toBe(true);
    expect(isAllowed(rbac, { verb: 'create', group: '', resource: 'pods', subresource: 'exec' })).toBe(false);
    expect(isAllowed(rbac, { verb: 'create', group: '', resource: 'pods' })).toBe(true);
  });
  it('words the refusal like the apiserver', () => {
    expect(forbiddenMessage('u', { verb: 'list', group: '', resource: 'nodes' })).toBe(
      'nodes is forbidden: User "u" cannot list resource "nodes" in API group "" at the cluster scope',
    );
  });
});

describe('tls', () => {
  it('makes a self-signed CA cert for 127.0.0.1', () => {
    const c = makeSelfSignedCert();
    const x = new X509Certificate(c.certPem);
    expect(x.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
    expect(x.ca).toBe(true);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkPrivateKey(createPrivateKey(c.keyPem))).toBe(true);
  });

  it('always makes a certificate OpenSSL parses (random serials and signatures)', () => {
    // a non-minimal INTEGER once broke about one cert in 128
    for (let i = 0; i < 400; i++) {
      const c = makeSelfSignedCert();
      expect(() => new X509Certificate(c.certPem)).not.toThrow();
    }
  });
});
