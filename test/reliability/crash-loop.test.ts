// Crash safety: `netwiz run` of a playbook that scales a Deployment and pins its pods
// (two journalled changes), then runs slow commands in a pod and on the workstation, is
// killed with SIGKILL at a random time, again and again, against one scenario lab (real
// kubectl, the lab's API server). After every kill:
//   - the transcript parses, and holds every command the killed process reported finished;
//   - `netwiz undo --all --yes` brings back the replica count, the node selector and the
//     placement of the pods (checked with real kubectl);
//   - no child of netwiz is left (local sleep, kubectl exec, the process it runs in the pod),
//     and no netwiz debug pod is left in the cluster.
// The kill times come from a seeded generator (NETWIZ_CRASH_SEED to replay a run).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTranscript } from '../../src/transcript/index.js';
import { hostExecPlan, startLab, type TestLab } from '../helpers/lab.js';
import { FIXTURES, netwiz, processTable, recordCounts, sleep } from './helpers.js';

const KILLS = Number(process.env.NETWIZ_CRASH_KILLS ?? 50);
const SEED = Number(process.env.NETWIZ_CRASH_SEED ?? Date.now() % 1_000_000);
/**
 * kill somewhere between these fractions of an unkilled session's wall time (measured
 * first, on this machine, now): covers start-up, both changes, the slow steps and the end
 * however fast or loaded the machine is
 */
const WINDOW_FROM = 0.1;
const WINDOW_TO = 0.97;
/** runs at most this many sessions to reach KILLS kills (a run may finish before its kill time) */
const MAX_RUNS = KILLS * 2;
/** every CLI_UNDO_EVERY-th kill is undone through the real CLI, the others by the same code in process (faster) */
const CLI_UNDO_EVERY = 4;

let lab: TestLab;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'netwiz-rel-crash-'));
  lab = await startLab('healthy', { dataPlane: 'none', exec: hostExecPlan });
});
afterAll(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** mulberry32: small seeded PRNG so a failing run can be replayed */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface LabShape {
  replicas: number;
  nodeSelector: Record<string, string>;
  podNodes: string[];
  netwizPods: string[];
}

async function shape(): Promise<LabShape> {
  // one kubectl call for both: the Deployment and every pod
  const r = await lab.kubectl(['get', 'deployments,pods', '-A', '-o', 'json']);
  expect(r.exitCode, r.stderr).toBe(0);
  type Obj = { kind: string; metadata: { name: string; namespace: string; labels?: Record<string, string>; deletionTimestamp?: string }; spec: any };
  const items = JSON.parse(r.stdout).items as Obj[];
  const dep = items.find((x) => x.kind === 'Deployment' && x.metadata.name === 'web' && x.metadata.namespace === lab.namespace)!;
  const pods = items.filter((x) => x.kind === 'Pod');
  return {
    replicas: dep.spec.replicas,
    nodeSelector: dep.spec.template.spec.nodeSelector ?? {},
    podNodes: pods
      .filter((x) => x.metadata.namespace === lab.namespace && x.metadata.labels?.app === 'web' && !x.metadata.deletionTimestamp)
      .map((x) => x.spec.nodeName ?? '?')
      .sort(),
    netwizPods: pods.filter((x) => x.metadata.labels?.['app.kubernetes.io/managed-by'] === 'netwiz' && !x.metadata.deletionTimestamp).map((x) => `${x.metadata.namespace}/${x.metadata.name}`),
  };
}

/** `netwiz undo --all --yes`: through bin/netwiz, or runUndo (what the CLI calls) in this process */
async function undo(env: Record<string, string>, viaCli: boolean): Promise<{ code: number | null; out: string }> {
  if (viaCli) {
    const u = await netwiz(['undo', '--all', '--yes'], { env, killAfterMs: 60_000 });
    return { code: u.code, out: u.stdout + u.stderr };
  }
  const { runUndo } = await import('../../src/cli/commands/undo.js');
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const write = process.stdout.write.bind(process.stdout);
  let out = '';
  process.stdout.write = ((c: string | Uint8Array) => ((out += String(c)), true)) as typeof process.stdout.write;
  try {
    return { code: await runUndo({ all: true, yes: true }), out };
  } finally {
    process.stdout.write = write;
    for (const k of Object.keys(env)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

describe(`kill -9 loop (${KILLS} kills, seed ${SEED})`, () => {
  it('after every kill: transcript intact, undo restores the lab, nothing left running', async () => {
    const original = await shape();
    expect(original.replicas).toBe(3);
    expect(original.podNodes.length).toBe(3);
    expect(new Set(original.podNodes).size).toBeGreaterThan(1); // spread, so pinning is visible
    const rand = prng(SEED);
    const env = { ...lab.env, KUBECACHEDIR: lab.cacheDir, XDG_STATE_HOME: path.join(dir, 'state') };
    let killed = 0;
    let killedAfterAChange = 0;
    let restoredSomething = 0;
    let finishedBeforeKill = 0;
    let commandsKept = 0;
    let cliUndos = 0;
    const stranded = new Set<string>();
    let strandedTotal = 0;
    let runs = 0;
    // one session left alone: how long a whole one takes here (it must restore by itself)
    const t0 = Date.now();
    const whole = await netwiz(
      ['run', path.join(FIXTURES, 'rel-crash.yaml'), '--yes', '--json', '--var', `namespace=${lab.namespace}`, '--var', 'deployment=web', '--var', 'node=node-2', '--var', `client_pod=${lab.clientPod}`, '--var', 'marker=0009999998'],
      { env, killAfterMs: 60_000 },
    );
    const wholeMs = Date.now() - t0;
    expect(whole.code, whole.stderr).toBe(0);
    expect(await shape()).toEqual(original);
    for (let i = 0; killed < KILLS && i < MAX_RUNS; i++) {
      runs++;
      const delay = Math.floor(wholeMs * (WINDOW_FROM + rand() * (WINDOW_TO - WINDOW_FROM)));
      // digits only: `sleep 1.<marker>` must still be a number for sleep
      const marker = `${String(process.pid).padStart(7, '0')}${String(i).padStart(3, '0')}`;
      const transcript = path.join(dir, `t-${i}.jsonl`);
      let timer: NodeJS.Timeout | undefined;
      const r = await netwiz(
        [
          'run', path.join(FIXTURES, 'rel-crash.yaml'), '--yes', '--json', '--transcript', transcript,
          '--var', `namespace=${lab.namespace}`, '--var', 'deployment=web', '--var', 'node=node-2',
          '--var', `client_pod=${lab.clientPod}`, '--var', `marker=${marker}`,
        ],
        {
          env,
          killAfterMs: 60_000,
          onSpawn: (child) => {
            timer = setTimeout(() => {
              child.kill('SIGKILL');
            }, delay);
          },
        },
      );
      clearTimeout(timer);
      const where = `kill ${i} at ${delay} ms (seed ${SEED})`;
      expect(r.hung, where).toBe(false);
      if (r.signal === 'SIGKILL') killed++;
      else {
        // it finished first: it must have concluded and restored by itself
        finishedBeforeKill++;
        expect(r.code, `${where}: ${r.stderr}`).toBe(0);
      }

      // 1. no child of netwiz outlives it: local sleep, kubectl exec, the sleep the lab ran for the pod
      // (the slow commands last 0.6 s, so this must look soon: a short grace for the watchdog)
      await sleep(100);
      let left = processTable().filter((p) => p.cmdline.includes(marker));
      for (let k = 0; k < 4 && left.length > 0; k++) {
        await sleep(50);
        left = processTable().filter((p) => p.cmdline.includes(marker));
      }
      // any leftover fails, a kill right after a spawn included (test/exec/kill-race.test.ts)
      expect(left.map((p) => `${p.pid} ${p.cmdline}`), `${where}: processes left behind`).toEqual([]);

      // 2. the transcript parses and holds every command the process said had finished
      const finishedSeen = (r.stderr.match(/^\s+(\[\d+\] )?→ /gm) ?? []).length;
      let kept = 0;
      try {
        const text = readFileSync(transcript, 'utf8');
        const lines = text.split('\n');
        // every complete line is JSON; only a last line without its newline may be cut short
        for (const l of lines.slice(0, -1)) expect(() => JSON.parse(l), `${where}: ${l.slice(0, 120)}`).not.toThrow();
        const t = loadTranscript(transcript);
        kept = t.events.filter((e) => e.type === 'engine-event' && (e as { event: { type: string } }).event.type === 'command-finished').length;
      } catch (e) {
        // no transcript at all is fine only when the kill came before the session started
        expect(r.stderr, `${where}: no readable transcript (${(e as Error).message})`).not.toMatch(/netwiz run rel-crash/);
      }
      expect(kept, `${where}: transcript lost finished commands`).toBeGreaterThanOrEqual(finishedSeen);
      commandsKept += kept;

      // 3. undo puts the lab back; 4. nothing of netwiz stays in the cluster
      const viaCli = i % CLI_UNDO_EVERY === 0;
      const u = await undo(env, viaCli);
      expect(u.code, `${where}: undo failed: ${u.out}`).toBe(0);
      if (/^restored /m.test(u.out)) {
        restoredSomething++;
        if (r.signal === 'SIGKILL') killedAfterAChange++;
      }
      if (viaCli) cliUndos++;
      const after = await shape();
      expect(after.replicas, `${where}: replicas after undo`).toBe(original.replicas);
      expect(after.nodeSelector, `${where}: node selector after undo`).toEqual(original.nodeSelector);
      expect(after.podNodes, `${where}: pod placement after undo`).toEqual(original.podNodes);
      // a killed session cannot delete its node pod; the next session that gets as far as its
      // preflight sweeps it. A session that ran to its end leaves none of its own.
      if (r.stderr.includes('▸ Read the Deployment')) {
        const survivors = after.netwizPods.filter((p) => stranded.has(p));
        expect(survivors, `${where}: pods of killed sessions not swept by this session`).toEqual([]);
      }
      if (r.signal !== 'SIGKILL') expect(after.netwizPods.filter((p) => !stranded.has(p)), `${where}: a finished session left its pods`).toEqual([]);
      for (const p of after.netwizPods) {
        if (!stranded.has(p)) strandedTotal++;
        stranded.add(p);
      }
      for (const p of stranded) if (!after.netwizPods.includes(p)) stranded.delete(p);
    }
    // one last session, not killed: it sweeps whatever the last kills stranded
    const last = await netwiz(
      ['run', path.join(FIXTURES, 'rel-crash.yaml'), '--yes', '--json', '--var', `namespace=${lab.namespace}`, '--var', 'deployment=web', '--var', 'node=node-2', '--var', `client_pod=${lab.clientPod}`, '--var', '0009999999'.replace(/^/, 'marker=')],
      { env, killAfterMs: 60_000 },
    );
    expect(last.code, last.stderr).toBe(0);
    const end = await shape();
    expect(end.netwizPods).toEqual([]);
    expect(end.replicas).toBe(original.replicas);
    expect(end.podNodes).toEqual(original.podNodes);
    recordCounts('crash-loop', { seed: SEED, wholeMs, runs, killed, finishedBeforeKill, killedAfterAChange, undoRestored: restoredSomething, cliUndos, nodePodsStrandedThenSwept: strandedTotal, commandsKeptInTranscripts: commandsKept, lost: 0 });
    expect(killed).toBe(KILLS);
    expect(killedAfterAChange).toBeGreaterThan(0);
  }, 540_000);
});
