// RBAC preflight against an API server that accepts TCP and never answers (real kubectl):
// the checks end at their timeout, every step's permissions are unknown (not denied), and
// the operator is told which server did not answer and that nothing was checked.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalog, Playbook, RunSpec, Step } from '../../src/engine/model.js';
import { apiServerUrl } from '../../src/exec/api-server.js';
import { preflight, preflightReport } from '../../src/exec/rbac.js';
import { processesWith } from './processes.js';

let dir: string;
let blackhole: Server;
let server: string;
let accepted = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'netwiz-rbac-silent-'));
  blackhole = createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.resume(); // read, never write: kubectl's TLS handshake waits
  });
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
  server = `https://127.0.0.1:${(blackhole.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => blackhole.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

function kubeconfig(name: string, context: string): string {
  const file = join(dir, name);
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: other`,
      `  cluster: {server: 'https://127.0.0.2:1'}`,
      `- name: silent`,
      `  cluster: {server: '${server}', insecure-skip-tls-verify: true}`,
      'users:',
      '- name: u',
      '  user: {token: not-a-real-token}',
      'contexts:',
      '- name: elsewhere',
      '  context: {cluster: other, user: u}',
      `- name: ${context}`,
      '  context: {cluster: silent, user: u, namespace: default}',
      'current-context: elsewhere',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return file;
}

const run = (argv: string[]): RunSpec => ({ argv, target: { kind: 'workstation' }, timeoutMs: 10_000, mutates: false });
const step = (id: string, r: RunSpec): Step => ({ id, title: id, why: 'test', transitions: [], kind: 'run', run: r });
const playbook = (id: string, steps: Step[]): Playbook => ({ id, title: id, summary: '', inputs: [], causes: [], steps, file: `/pb/${id}.yaml` });

describe('RBAC preflight when the API server never answers', () => {
  it('reads the server of the chosen context from the kubeconfig', () => {
    const file = kubeconfig('pick', 'silent-ctx');
    expect(apiServerUrl({ kubeconfig: file, context: 'silent-ctx' })).toBe(server);
    expect(apiServerUrl({ kubeconfig: file })).toBe('https://127.0.0.2:1'); // current-context
    expect(apiServerUrl({}, { KUBECONFIG: `${join(dir, 'missing')}:${file}` })).toBe('https://127.0.0.2:1');
    expect(apiServerUrl({ kubeconfig: file, context: 'nope' })).toBeUndefined();
  });

  it('says which server did not answer; steps are unknown, not denied', { timeout: 60_000 }, async () => {
    const file = kubeconfig('kc', 'silent-ctx');
    // more distinct permissions than parallel checks: the queued ones must not wait again
    const catalog: Catalog = {
      main: playbook('main', [
        step('pods', run(['kubectl', 'get', 'pods'])),
        step('svc', run(['kubectl', 'get', 'svc', 'api'])),
        step('scale', run(['kubectl', 'scale', 'deployment/web', '--replicas=1'])),
        step('logs', run(['kubectl', 'logs', 'p'])),
        step('exec', run(['kubectl', 'exec', 'p', '--', 'true'])),
      ]),
    };
    const before = accepted;
    const cluster = { kubeconfig: file, context: 'silent-ctx' };
    const report = await preflightReport(catalog, cluster, { timeoutMs: 3_000, requestTimeoutS: 2, concurrency: 2 });
    const notice = `the API server at ${server} did not answer within 3s: permissions not checked`;
    expect(report.notice).toBe(notice);
    expect(report.asked).toBe(5);
    expect([...report.missing.keys()]).toEqual([]);
    expect([...report.unknown.keys()].sort()).toEqual(['main:exec', 'main:logs', 'main:pods', 'main:scale', 'main:svc']);
    expect(report.unknown.get('main:pods')).toBe(`could not check: list pods: no answer (${notice})`);
    // kubectl really reached the silent server (not a config error that exited early)
    expect(accepted - before).toBeGreaterThanOrEqual(1);

    // preflight(): nothing denied, and the notice goes to the operator
    const notices: string[] = [];
    const denied = await preflight(catalog, cluster, { timeoutMs: 3_000, requestTimeoutS: 2, onNotice: (t) => notices.push(t) });
    expect([...denied.keys()]).toEqual([]);
    expect(notices).toEqual([notice]);
    // no kubectl left talking to it
    expect(processesWith(file)).toEqual([]);
  });
});
