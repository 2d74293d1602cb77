// Hangs: `netwiz run` of a playbook whose commands never end on their own — a sleeping
// process tree, a tree that ignores SIGTERM, and a real kubectl whose API server (a TCP
// port on 127.0.0.1 that accepts and never answers) hangs. Each step's timeout must fire,
// the whole process tree must be gone (pids checked in /proc), and the session must take
// each step's timed-out branch to its conclusion.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, ROOT, netwiz, processTable, recordCounts, sleep, uniqueToken } from './helpers.js';

let dir: string;
let blackhole: Server;
let port: number;
const sockets = new Set<Socket>();
let accepted = 0;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'netwiz-rel-hang-'));
  // accepts, reads, never writes a byte: kubectl's TLS handshake waits forever
  blackhole = createServer((s) => {
    accepted++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.resume(); // read and drop, so a FIN from a killed kubectl is seen
  });
  await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
  port = (blackhole.address() as { port: number }).port;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => blackhole.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

function kubeconfigFor(server: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: blackhole`,
    `  cluster: {server: '${server}', insecure-skip-tls-verify: true}`,
    'users:',
    '- name: u',
    '  user: {token: not-a-real-token}',
    'contexts:',
    '- name: blackhole',
    '  context: {cluster: blackhole, user: u, namespace: default}',
    'current-context: blackhole',
    '',
  ].join('\n');
}

const alive = (pid: number) => processTable().some((p) => p.pid === pid);
const pidsIn = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(Number);

describe('commands that never end', () => {
  it('every timeout fires, every process of every tree is gone, the session concludes', async () => {
    const kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, kubeconfigFor(`https://127.0.0.1:${port}`), { mode: 0o600 });
    const treePids = path.join(dir, 'tree.pids');
    const stubbornPids = path.join(dir, 'stubborn.pids');
    const marker = uniqueToken('hang');
    const before = accepted;
    const r = await netwiz(
      [
        'run', path.join(FIXTURES, 'rel-hangs.yaml'), '--json', '--kubeconfig', kubeconfig,
        '--var', `tree_script=${path.join(ROOT, 'test/fixtures/exec/tree.sh')}`,
        '--var', `stubborn_script=${path.join(ROOT, 'test/fixtures/exec/stubborn.sh')}`,
        '--var', `tree_pids=${treePids}`,
        '--var', `stubborn_pids=${stubbornPids}`,
        '--var', `marker=${marker}`,
        '--transcript', path.join(dir, 't.jsonl'),
      ],
      { env: { XDG_STATE_HOME: path.join(dir, 'state') }, killAfterMs: 120_000 },
    );
    expect(r.hung, `netwiz itself hung: ${r.stderr}`).toBe(false);
    expect(r.code, r.stderr).toBe(0);
    // the RBAC preflight got no answer either, and says so (unknown, not denied: the steps ran)
    expect(r.stderr).toMatch(new RegExp(`the API server at https://127\\.0\\.0\\.1:${port} did not answer within \\d+s: permissions not checked`));
    const out = JSON.parse(r.stdout);
    expect(out.cause).toBe('hangs-ended');
    expect(out.steps.map((s: { step: string }) => s.step)).toEqual(['never-ends', 'ignores-term', 'api-hangs', 'all-ended']);
    const byArgv0 = out.commands.map((c: { argv: string[]; timed_out: boolean }) => [path.basename(c.argv[0]!), c.timed_out]);
    expect(byArgv0).toEqual([
      ['tree.sh', true],
      ['stubborn.sh', true],
      ['kubectl', true],
    ]);
    // the kubectl call really reached the hanging server (not a config error that exited early)
    expect(accepted - before).toBeGreaterThanOrEqual(1);
    // the trees: parent + both sleeps, and the SIGTERM-proof parent + its sleep
    const pids = [...pidsIn(treePids), ...pidsIn(stubbornPids)];
    expect(pids.length).toBe(5);
    const left = pids.filter(alive);
    expect(left, 'processes of timed-out trees still running').toEqual([]);
    // nothing of the kubectl call either (its argv carries the marker)
    for (let i = 0; i < 40 && processTable().some((p) => p.cmdline.includes(marker)); i++) await sleep(50);
    expect(processTable().filter((p) => p.cmdline.includes(marker)).map((p) => p.cmdline)).toEqual([]);
    // and its connection to the hanging server was closed, not leaked
    for (let i = 0; i < 40 && sockets.size > 0; i++) await sleep(50);
    expect(sockets.size).toBe(0);
    recordCounts('hangs', { hangsEnded: 3, processesKilled: pids.length + 1, processesLeft: left.length });
  }, 150_000);
});
