// RBAC through real kubectl against lab scenarios that deny things: the preflight finds
// the denied scale, the pod fallback goes to a same-node pod when ephemeral containers are
// forbidden, and a user who may not create pods gets an actionable node-target error.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog, Playbook, RunSpec, Step } from '../../src/engine/model.js';
import { createExecutor, dryRunArgv, preflightReport } from '../../src/exec/index.js';
import type { ClusterOptions } from '../../src/exec/types.js';
import { hostExecPlan, startLab, type TestLab } from '../helpers/lab.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
let noEph: TestLab;
let readOnly: TestLab;
const savedState = process.env.XDG_STATE_HOME;

const clusterOf = (lab: TestLab): ClusterOptions => ({ kubeconfig: lab.kubeconfig, context: lab.context, namespace: lab.namespace });
const envOf = (lab: TestLab) => ({ KUBECACHEDIR: lab.cacheDir });

beforeAll(async () => {
  process.env.XDG_STATE_HOME = join(mkdtempSync(join(tmpdir(), 'netwiz-exec-rbac-')), 'xdg');
  // the web image has no ping; everything else runs as a host process
  const exec = (pod: Parameters<typeof hostExecPlan>[0], argv: string[]) =>
    pod.workload === 'web' && argv[0] === 'ping'
      ? { file: process.execPath, args: ['-e', 'process.stderr.write("ping: permission denied (are you root?)\\n"); process.exit(1)'] }
      : hostExecPlan(pod, argv);
  [noEph, readOnly] = await Promise.all([
    startLab(join(fixtures, 'exec', 'no-ephemeral.yaml'), { dataPlane: 'none', exec }),
    startLab(join(fixtures, 'lab', 'rbac-deny.yaml'), { dataPlane: 'none', exec: 'host' }),
  ]);
});
afterAll(async () => {
  await Promise.all([noEph?.stop(), readOnly?.stop()]);
  if (savedState === undefined) delete process.env.XDG_STATE_HOME;
  else process.env.XDG_STATE_HOME = savedState;
});

const run = (argv: string[], extra: Partial<RunSpec> = {}): RunSpec => ({ argv, target: { kind: 'workstation' }, timeoutMs: 10_000, mutates: false, ...extra });
const runStep = (id: string, r: RunSpec): Step => ({ id, title: id, why: 'test', transitions: [], kind: 'run', run: r });
const catalog: Catalog = {
  probe: {
    id: 'probe',
    title: 'probe',
    summary: '',
    inputs: [],
    causes: [],
    file: '/pb/probe.yaml',
    steps: [
      runStep('list-pods', run(['kubectl', 'get', 'pods', '-n', '{{namespace}}', '-o', 'json'])),
      runStep('scale-one', run(['kubectl', 'scale', 'deployment/web', '--replicas=1', '-n', '{{namespace}}'], { mutates: true, undo: ['kubectl', 'scale', 'deployment/web', '--replicas=2'] })),
      runStep('ping-from-client', run(['ping', '-c', '1', '10.244.1.3'], { target: { kind: 'pod', pod: 'client', namespace: '{{namespace}}' } })),
      runStep('node-links', run(['ip', 'link'], { target: { kind: 'node', node: 'node-1' } })),
    ],
  } satisfies Playbook,
};

/** what a user who may read but not scale, exec or create pods is missing in `catalog` */
const READ_ONLY_MISSING = new Map([
  ['probe:scale-one', 'missing: patch deployments/scale in ns shop'],
  ['probe:ping-from-client', 'missing: create pods/exec in ns shop'],
  ['probe:node-links', 'missing: create pods in ns shop; create pods/exec in ns shop'],
]);

describe('RBAC preflight with real kubectl auth can-i', () => {
  it('marks only the scale step where scale is denied', async () => {
    const report = await preflightReport(catalog, clusterOf(noEph), { inputs: { namespace: 'shop' }, env: envOf(noEph) });
    expect(report.unknown).toEqual(new Map());
    expect([...report.missing]).toEqual([['probe:scale-one', 'missing: patch deployments/scale in ns shop']]);
  });

  it('marks exec and node steps for a user who may not exec or create pods', async () => {
    const report = await preflightReport(catalog, clusterOf(readOnly), { inputs: { namespace: 'shop' }, env: envOf(readOnly) });
    expect(report.unknown).toEqual(new Map());
    expect(new Map(report.missing)).toEqual(READ_ONLY_MISSING);
  });

  it('asks every permission with ONE kubectl process and still reports every denied step', async () => {
    // a wrapper kubectl that logs each start and execs the real one (argv only, no shell text)
    const dir = mkdtempSync(join(tmpdir(), 'netwiz-rbac-one-'));
    const log = join(dir, 'starts.log');
    const wrapper = join(dir, 'kubectl.mjs');
    writeFileSync(wrapper, [
      '#!/usr/bin/env node',
      "import { appendFileSync } from 'node:fs';",
      "import { spawnSync } from 'node:child_process';",
      'appendFileSync(process.env.WRAP_LOG, JSON.stringify(process.argv.slice(2)) + "\\n");',
      "const r = spawnSync('kubectl', process.argv.slice(2), { stdio: 'inherit' });",
      'process.exit(r.status ?? 1);',
    ].join('\n'));
    chmodSync(wrapper, 0o755);
    let report;
    let starts: string[][];
    try {
      report = await preflightReport(catalog, { ...clusterOf(readOnly), kubectl: wrapper }, { inputs: { namespace: 'shop' }, env: { ...envOf(readOnly), WRAP_LOG: log } });
      starts = readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(starts).toHaveLength(1);
    expect(starts[0]).toContain('create');
    expect(report.asked).toBeGreaterThan(1);
    expect(report.unknown).toEqual(new Map());
    expect(new Map(report.missing)).toEqual(READ_ONLY_MISSING);
  });

  it('--dry-run=server checks the permission without changing anything', async () => {
    const ex = createExecutor(clusterOf(readOnly), { env: envOf(readOnly) });
    const r = await ex.run({ argv: dryRunArgv(['kubectl', 'scale', 'deployment/web', '--replicas=1']), target: { kind: 'workstation' }, timeoutMs: 30_000 });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/cannot patch resource "deployments\/scale"/);
    const ok = await createExecutor(clusterOf(noEph), { env: envOf(noEph) }).run({
      argv: dryRunArgv(['kubectl', 'label', 'pod', 'client', 'netwiz-dry-run=yes']),
      target: { kind: 'workstation' },
      timeoutMs: 30_000,
    });
    expect(ok.stderr).toBe('');
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toMatch(/server dry run/);
    const pod = JSON.parse((await noEph.kubectl(['get', 'pod', 'client', '-n', 'shop', '-o', 'json'])).stdout);
    expect(pod.metadata.labels['netwiz-dry-run']).toBeUndefined();
  });
});

describe('pod fallback without ephemeral containers', () => {
  it('runs the tool in a netwiz pod on the same node, and deletes that pod at close', async () => {
    const pods = async () =>
      (JSON.parse((await noEph.kubectl(['get', 'pods', '-n', 'shop', '-o', 'json'])).stdout).items as { metadata: { name: string }; spec: { nodeName: string } }[]);
    const web = (await pods()).find((p) => p.metadata.name.startsWith('web-'))!;
    const before = (await pods()).map((p) => p.metadata.name);
    const ex = createExecutor(clusterOf(noEph), { env: envOf(noEph), sessionId: 'e2e-peer', pollMs: 100 });
    const notes: string[] = [];
    const r = await ex.run({
      argv: ['ping', '-V'],
      target: { kind: 'pod', pod: web.metadata.name },
      timeoutMs: 30_000,
      onOutput: (c, s) => s === 'stderr' && notes.push(c),
    });
    expect(notes.join('')).toMatch(/ping is not usable in pod web-/);
    expect(notes.join('')).toMatch(/no ephemeral debug container \(.*cannot patch resource "pods\/ephemeralcontainers".*\); using a netwiz pod on the same node/);
    expect(r).toMatchObject({ exitCode: 0, via: 'same-node-pod' });
    expect(r.stdout).toMatch(/ping from iputils/);
    const made = (await pods()).filter((p) => !before.includes(p.metadata.name));
    expect(made).toHaveLength(1);
    expect(made[0]!.spec.nodeName).toBe(web.spec.nodeName);
    await ex.close();
    expect((await pods()).map((p) => p.metadata.name)).toEqual(before);
  });
});

describe('node target without the right to create pods', () => {
  it('says which permission is missing, and leaves nothing behind', async () => {
    const ex = createExecutor(clusterOf(readOnly), { env: envOf(readOnly), sessionId: 'e2e-denied', pollMs: 100 });
    const r = await ex.run({ argv: ['ip', 'link'], target: { kind: 'node', node: 'node-1' }, timeoutMs: 30_000 });
    expect(r.exitCode).toBeNull();
    expect(r.via).toBe('node-pod');
    expect(r.spawnError).toMatch(/node node-1: could not create debug pod shop\/netwiz-node-e2e-denied-[0-9a-f]+: .*cannot create resource "pods"/);
    await ex.close();
  });
});
