// Mutation journal and `netwiz undo`: record before running, restore newest first,
// restoring twice is harmless, a kill -9'd session is restored by `netwiz undo --yes`.
// The commands go through real processes; kubectl is the fake script (narrow unit test).
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/exec/index.js';
import { killHard, netwizCli, startCrashSession } from './processes.js';
import { createJournal, journalFile, pending, readJournal, record, restoreSession, sessionsWithPending } from '../../src/exec/journal.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'exec');
const fakeKubectl = join(fixtures, 'fake-kubectl.mjs');

let dir: string;
let env: Record<string, string>;
const saved = { ...process.env };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'netwiz-journal-'));
  env = { XDG_STATE_HOME: join(dir, 'xdg'), FAKE_KUBECTL_LOG: join(dir, 'calls.jsonl'), FAKE_KUBECTL_STATE: join(dir, 'state') };
  Object.assign(process.env, env);
});
afterEach(() => {
  for (const k of Object.keys(env)) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

const replicas = (name: string) => readFileSync(join(dir, 'state', 'deployments', name), 'utf8');
const kubectlCalls = () =>
  existsSync(env.FAKE_KUBECTL_LOG!)
    ? readFileSync(env.FAKE_KUBECTL_LOG!, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { argv: string[] }).argv)
    : [];
const cluster = { kubectl: fakeKubectl, namespace: 'shop' };
const scale = (name: string, n: number) => ['kubectl', 'scale', `deployment/${name}`, `--replicas=${n}`];

describe('journal', () => {
  it('records under $XDG_STATE_HOME/netwiz/journal and lists what is pending', async () => {
    const { id } = await record({ sessionId: 's1', argv: scale('web', 0), undo: scale('web', 3), target: { kind: 'workstation' }, cluster });
    expect(id).toMatch(/\S/);
    expect(journalFile('s1')).toBe(join(dir, 'xdg', 'netwiz', 'journal', 's1.jsonl'));
    expect(existsSync(journalFile('s1'))).toBe(true);
    expect(await pending('s1')).toEqual([{ argv: scale('web', 0), undo: scale('web', 3) }]);
    expect(await sessionsWithPending()).toEqual(['s1']);
  });

  it('restores newest first, marks entries restored, and a second restore runs nothing', async () => {
    const ex = createExecutor(cluster);
    const j = createJournal();
    await j.record({ sessionId: 's2', argv: scale('web', 0), undo: scale('web', 3), target: { kind: 'workstation' }, cluster });
    await j.record({ sessionId: 's2', argv: scale('api', 5), undo: scale('api', 2), target: { kind: 'workstation' }, cluster });
    const first = await j.restoreSession('s2', ex);
    expect(first).toEqual([
      { argv: scale('api', 2), ok: true },
      { argv: scale('web', 3), ok: true },
    ]);
    expect(replicas('web')).toBe('3');
    expect(replicas('api')).toBe('2');
    const calls = kubectlCalls().length;
    expect(await j.restoreSession('s2', ex)).toEqual([]);
    expect(kubectlCalls()).toHaveLength(calls);
    expect(await j.pending('s2')).toEqual([]);
    expect((await readJournal('s2')).every((e) => e.restored?.ok)).toBe(true);
  });

  it('keeps a failed undo pending with the reason, and retries it next time', async () => {
    await record({ sessionId: 's3', argv: ['kubectl', 'scale', 'deployment/web', '--replicas=0'], undo: ['false'], target: { kind: 'workstation' }, cluster });
    const r = await restoreSession('s3', createExecutor(cluster));
    expect(r).toEqual([{ argv: ['false'], ok: false, detail: 'exit 1: ' }]);
    expect(await pending('s3')).toHaveLength(1);
    expect((await readJournal('s3'))[0]!.restored).toMatchObject({ ok: false });
    expect(await restoreSession('s3', createExecutor(cluster))).toHaveLength(1);
  });

  it('ignores a torn last line left by a crash mid-write', async () => {
    await record({ sessionId: 's4', argv: scale('web', 0), undo: scale('web', 3), target: { kind: 'workstation' }, cluster });
    appendFileSync(journalFile('s4'), '{"type":"record","id":"x","argv":["kub');
    expect(await pending('s4')).toHaveLength(1);
  });

  it('refuses a session id that is not one safe file name', async () => {
    await expect(record({ sessionId: '../../etc/x', argv: ['a'], undo: ['b'], target: { kind: 'workstation' }, cluster })).rejects.toThrow(
      /may hold only letters/,
    );
  });
});

const cli = (args: string[]) => netwizCli(args, env);

describe('netwiz undo after a kill -9', () => {
  it('restores the replica count the killed session changed, and twice is harmless', async () => {
    mkdirSync(join(dir, 'state', 'deployments'), { recursive: true });
    writeFileSync(join(dir, 'state', 'deployments', 'web'), '3');
    const { child, out } = await startCrashSession(['crashed-1', JSON.stringify(cluster), 'web', '0', '3'], { ...process.env, ...env });
    expect(out).toBe('ready\n');
    expect(await killHard(child)).toBe('SIGKILL');
    expect(replicas('web')).toBe('0');

    const dry = await cli(['undo', '--dry-run']);
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain('session crashed-1: 1 change(s) to put back');
    expect(dry.stdout).toContain('restore:   kubectl scale deployment/web --replicas=3');
    expect(replicas('web')).toBe('0');

    const noTty = await cli(['undo', '--session', 'crashed-1']);
    expect(noTty.exitCode).toBe(2);
    expect(noTty.stderr).toMatch(/run again with --yes/);

    const undo = await cli(['undo', '--session', 'crashed-1', '--yes']);
    expect(undo.stderr).toBe('');
    expect(undo.exitCode).toBe(0);
    expect(undo.stdout).toContain('restored  kubectl scale deployment/web --replicas=3');
    expect(replicas('web')).toBe('3');
    // the undo used the crashed session's own cluster options
    expect(kubectlCalls().at(-1)).toEqual(['--namespace=shop', 'scale', 'deployment/web', '--replicas=3']);

    const calls = kubectlCalls().length;
    const again = await cli(['undo', '--yes']);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('no session has changes left to restore');
    expect(kubectlCalls()).toHaveLength(calls);
  });
});
