// RBAC preflight: permissions derived from argv/target/requires; one `auth can-i` per
// distinct permission through a real process (fake kubectl answering yes/no); dry-run argv.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Catalog, Playbook, RunSpec, Step } from '../../src/engine/model.js';
import { createPreflight, dryRunArgv, permissionsForCatalog, permissionsForKubectl, preflight, preflightReport, supportsServerDryRun } from '../../src/exec/rbac.js';

const fakeKubectl = join(import.meta.dirname, '..', 'fixtures', 'exec', 'fake-kubectl.mjs');

const run = (argv: string[], extra: Partial<RunSpec> = {}): RunSpec => ({
  argv,
  target: { kind: 'workstation' },
  timeoutMs: 10_000,
  mutates: false,
  ...extra,
});
const runStep = (id: string, r: RunSpec): Step => ({ id, title: id, why: 'test', transitions: [], kind: 'run', run: r });
const playbook = (id: string, steps: Step[]): Playbook => ({ id, title: id, summary: '', inputs: [], causes: [], steps, file: `/pb/${id}.yaml` });

describe('permissions from argv', () => {
  it('maps kubectl verbs to what RBAC checks', () => {
    expect(permissionsForKubectl(['kubectl', 'scale', 'deployment/web', '--replicas=1', '-n', 'shop'], 'default')).toEqual([
      { verb: 'patch', resource: 'deployments', subresource: 'scale', namespace: 'shop' },
    ]);
    expect(permissionsForKubectl(['kubectl', 'get', 'pods', '-o', 'wide'], 'shop')).toEqual([{ verb: 'list', resource: 'pods', namespace: 'shop' }]);
    expect(permissionsForKubectl(['kubectl', 'get', 'svc', 'api', '-o', 'json'], 'shop')).toEqual([{ verb: 'get', resource: 'services', namespace: 'shop' }]);
    expect(permissionsForKubectl(['kubectl', 'get', 'po,svc', '-A'], 'shop')).toEqual([
      { verb: 'list', resource: 'pods' },
      { verb: 'list', resource: 'services' },
    ]);
    expect(permissionsForKubectl(['kubectl', '--namespace=x', 'delete', 'pod', 'p1'], 'shop')).toEqual([{ verb: 'delete', resource: 'pods', namespace: 'x' }]);
    expect(permissionsForKubectl(['kubectl', 'patch', 'deploy', 'web', '-p', '{"spec":{}}'], 'shop')).toEqual([{ verb: 'patch', resource: 'deployments', namespace: 'shop' }]);
    expect(permissionsForKubectl(['kubectl', 'exec', 'p', '--', 'get', 'pods'], 'shop')).toEqual([{ verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'shop' }]);
    expect(permissionsForKubectl(['kubectl', 'logs', 'p', '-c', 'app'], undefined)).toEqual([{ verb: 'get', resource: 'pods', subresource: 'log' }]);
    expect(permissionsForKubectl(['ping', '-c', '1', '10.0.0.1'], 'shop')).toEqual([]);
  });

  it('adds what the target implies and what the step requires, per step', () => {
    const catalog: Catalog = {
      main: playbook('main', [
        runStep('list', run(['kubectl', 'get', 'pods', '-n', '{{namespace}}'])),
        runStep('ping', run(['ping', '-c', '1', '10.0.0.1'], { target: { kind: 'pod', pod: '{{client}}', namespace: '{{namespace}}' } })),
        runStep('links', run(['ip', 'link'], { target: { kind: 'node', node: '{{node}}' } })),
        runStep('scale', run(['kubectl', 'scale', 'deployment/{{d}}', '--replicas=1'], { mutates: true, requires: [{ verb: 'get', resource: 'deployments' }] })),
      ]),
    };
    const perms = permissionsForCatalog(catalog, { namespace: 'default', inputs: { namespace: 'shop' }, nodePodNamespace: 'netwiz' });
    expect(perms.get('main:list')).toEqual([{ verb: 'list', resource: 'pods', namespace: 'shop' }]);
    expect(perms.get('main:ping')).toEqual([{ verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'shop' }]);
    expect(perms.get('main:links')).toEqual([
      { verb: 'create', resource: 'pods', namespace: 'netwiz' },
      { verb: 'get', resource: 'pods', namespace: 'netwiz' },
      { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'netwiz' },
      { verb: 'delete', resource: 'pods', namespace: 'netwiz' },
    ]);
    expect(perms.get('main:scale')).toEqual([
      { verb: 'patch', resource: 'deployments', subresource: 'scale', namespace: 'default' },
      { verb: 'get', resource: 'deployments', namespace: 'default' },
    ]);
  });

  it("asks for each branch of a parallel step under the branch's own id (what the driver looks up)", () => {
    const branch = (id: string, r: RunSpec) => ({ id, title: id, why: 'test', run: r, transitions: [] });
    const catalog: Catalog = {
      main: playbook('main', [
        { id: 'reads', title: 'reads', why: 'test', transitions: [], kind: 'parallel', parallel: [branch('pods', run(['kubectl', 'get', 'pods', '-n', 'shop'])), branch('nodes', run(['kubectl', 'get', 'nodes'])), branch('ping', run(['ping', '-c', '1', '10.0.0.1']))] } as Step,
      ]),
    };
    const perms = permissionsForCatalog(catalog, { namespace: 'default' });
    expect(perms.get('main:pods')).toEqual([{ verb: 'list', resource: 'pods', namespace: 'shop' }]);
    expect(perms.get('main:nodes')?.map((p) => `${p.verb} ${p.resource}`)).toEqual(['list nodes']);
    expect(perms.has('main:ping')).toBe(false);
    expect(perms.has('main:reads')).toBe(false);
  });
});

describe('preflight against a cluster (fake kubectl, real processes)', () => {
  it('marks the steps whose permission is denied, asking once per distinct permission', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netwiz-rbac-'));
    const log = join(dir, 'calls.jsonl');
    const catalog: Catalog = {
      main: playbook('main', [
        runStep('list', run(['kubectl', 'get', 'pods'])),
        runStep('list-again', run(['kubectl', 'get', 'pods', '-o', 'wide'])),
        runStep('scale', run(['kubectl', 'scale', 'deployment/web', '--replicas=1'], { mutates: true })),
        runStep('exec', run(['ping', '-c', '1', '10.0.0.1'], { target: { kind: 'pod', pod: 'client' } })),
      ]),
      sub: playbook('sub', [runStep('scale-too', run(['kubectl', 'scale', 'deploy/api', '--replicas=0'], { mutates: true }))]),
    };
    const missing = await preflight(
      catalog,
      { kubectl: fakeKubectl, namespace: 'shop', context: 'lab' },
      { env: { FAKE_KUBECTL_LOG: log, FAKE_CAN_I_DENY: 'patch deployments scale' } },
    );
    expect([...missing.entries()].sort()).toEqual([
      ['main:scale', 'missing: patch deployments/scale in ns shop'],
      ['sub:scale-too', 'missing: patch deployments/scale in ns shop'],
    ]);
    const calls = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { argv: string[]; stdin?: string });
    // first ONE batched SelfSubjectAccessReview create; this fake kubectl cannot answer it,
    // so the preflight falls back to one `auth can-i` per distinct permission
    expect(calls[0]!.argv).toEqual(['--context=lab', 'create', '-f', '-', '-o', 'json', '--validate=false', '--request-timeout=5s']);
    const batch = JSON.parse(calls[0]!.stdin!) as { kind: string; items: { kind: string; spec: { resourceAttributes: Record<string, string> } }[] };
    expect(batch.kind).toBe('List');
    expect(batch.items.map((i) => i.spec.resourceAttributes)).toEqual([
      { verb: 'list', resource: 'pods', namespace: 'shop' },
      { verb: 'patch', resource: 'deployments', subresource: 'scale', namespace: 'shop', group: 'apps' },
      { verb: 'create', resource: 'pods', subresource: 'exec', namespace: 'shop' },
    ]);
    const asked = calls.slice(1).map((c) => c.argv);
    expect(asked).toHaveLength(3); // list pods, patch deployments/scale, create pods/exec
    expect(asked).toContainEqual(['--context=lab', '--namespace=shop', 'auth', 'can-i', 'patch', 'deployments', '--subresource=scale', '--request-timeout=5s']);
    expect(asked).toContainEqual(['--context=lab', '--namespace=shop', 'auth', 'can-i', 'create', 'pods', '--subresource=exec', '--request-timeout=5s']);
  });

  it('an unanswerable question is reported as unknown, not as denied', async () => {
    const catalog: Catalog = { main: playbook('main', [runStep('list', run(['kubectl', 'get', 'pods']))]) };
    const report = await preflightReport(catalog, { kubectl: '/nonexistent/kubectl' });
    expect(report.missing.size).toBe(0);
    expect(report.unknown.get('main:list')).toMatch(/could not check: list pods: ENOENT/);
    expect(report.asked).toBe(1);
    expect(existsSync('/nonexistent')).toBe(false);
  });
});

describe('createPreflight (the driver\'s RbacPreflight)', () => {
  it('checks only the playbooks reachable from the root', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netwiz-rbac-'));
    const log = join(dir, 'calls.jsonl');
    const callStep: Step = { id: 'go', title: 'go', why: 'w', transitions: [], kind: 'call', call: { playbook: 'sub', with: {} } };
    const catalog: Catalog = {
      root: playbook('root', [callStep]),
      sub: playbook('sub', [runStep('scale', run(['kubectl', 'scale', 'deploy/api', '--replicas=0']))]),
      other: playbook('other', [runStep('del', run(['kubectl', 'delete', 'pod', 'x']))]),
    };
    const check = createPreflight({ kubectl: fakeKubectl, namespace: 'shop' }, { env: { FAKE_KUBECTL_LOG: log, FAKE_CAN_I_DENY: 'patch deployments scale,delete pods' } });
    const missing = await check(catalog, 'root');
    expect([...missing.entries()]).toEqual([['sub:scale', 'missing: patch deployments/scale in ns shop']]);
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toHaveLength(2); // the batch, then the fallback `auth can-i`
  });
});

describe('dry-run argv', () => {
  it('adds --dry-run=server to mutating kubectl verbs that support it', () => {
    expect(dryRunArgv(['kubectl', 'scale', 'deployment/web', '--replicas=1'])).toEqual(['kubectl', 'scale', 'deployment/web', '--replicas=1', '--dry-run=server']);
    expect(dryRunArgv(['kubectl', '-n', 'shop', 'delete', 'pod', 'p'])).toEqual(['kubectl', '-n', 'shop', 'delete', 'pod', 'p', '--dry-run=server']);
    expect(dryRunArgv(['kubectl', 'rollout', 'restart', 'deploy/web'])).toContain('--dry-run=server');
  });

  it('leaves reads, non-kubectl argv and explicit dry-runs alone', () => {
    for (const argv of [
      ['kubectl', 'get', 'pods'],
      ['kubectl', 'exec', 'p', '--', 'kubectl', 'delete', 'pod', 'x'],
      ['ping', '-c', '1', 'x'],
      ['kubectl', 'delete', 'pod', 'p', '--dry-run=client'],
    ]) {
      expect(dryRunArgv(argv)).toEqual(argv);
    }
    expect(supportsServerDryRun(['kubectl', 'patch', 'node', 'n1', '-p', '{}'])).toBe(true);
  });
});
