// 5. Time to cause. For each shipped lab scenario: wall time and number of commands of
// `netwiz run intermittent-connectivity --yes --json`, against the physical floor: the same
// commands (from the run's --json `commands` and its transcript) replayed by a plain script
// with execa, back to back, with the same parallelism (commands that overlapped in the
// netwiz run overlap in the replay), the same kubectl plumbing (argv built by the
// executor's own helpers: kubectl exec for pods, one privileged node pod per node for node
// commands, deleted at the end) and the same restores of what the session changed.
// Target ≤ 1.2×, against the issue's reference: the same commands run back to back by a
// plain script (one at a time). Since netwiz runs independent reads side by side (parallel
// steps), a second, stricter floor is printed too: the script with netwiz's own parallelism.
// Run alone: node --import tsx bench/time-to-cause.ts [--runs N] [--compare OTHER/netwiz.mjs] [scenario…]   (root)
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { DEFAULT_DEBUG_IMAGE, NODE_POD_CONTAINER, nodeCommand, nodePodManifest, podExecArgv, withClusterOptions } from '../src/exec/kubectl.js';
import type { ClusterOptions } from '../src/exec/types.js';
// @ts-expect-error: plain .mjs helpers of the benchmarks (no types)
import * as lib from './lib.mjs';

const { Missing, cleanEnv, fmtMs, interleave, labDown, labUp, netwizBin, parseArgs, printMachine, printTable, rmrf, saveResult, stats, tempDir, timeProcess } = lib;

interface Target {
  kind: 'workstation' | 'pod' | 'node';
  pod?: string;
  namespace?: string;
  container?: string;
  node?: string;
}
interface Cmd {
  argv: string[];
  target: Target;
  start: number;
  end: number;
}
interface Plan {
  groups: { cmds: Cmd[]; concurrency: number }[];
  restores: string[][];
  commands: number;
  /** where netwiz's own time went, from the transcript's timestamps (ms) */
  phases: { beforeFirstCommand: number; betweenCommands: number; afterLastCommand: number; session: number };
}

/** The commands of a netwiz run, from its transcript: start times give the parallelism. */
export function planFromTranscript(file: string): Plan {
  const events = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const byEffect = new Map<string, Cmd>();
  const cmds: Cmd[] = [];
  const restores: string[][] = [];
  const ts = (e: { ts?: string }) => (e.ts ? Date.parse(e.ts) : NaN);
  const sessionStart = ts(events.find((e) => e.type === 'session-start') ?? {});
  const sessionEnd = ts(events.findLast((e) => e.type === 'session-end') ?? events.at(-1) ?? {});
  for (const e of events) {
    if (e.type === 'command-start') {
      const c: Cmd = { argv: e.argv, target: e.target, start: Date.parse(e.startedAt), end: Infinity };
      byEffect.set(e.effectId, c);
      cmds.push(c);
    } else if (e.type === 'engine-event' && e.event.type === 'command-finished') {
      const c = byEffect.get(e.event.effectId);
      if (c) c.end = c.start + e.event.result.durationMs;
    } else if (e.type === 'restore' && e.argv.length) restores.push(e.argv);
  }
  cmds.sort((a, b) => a.start - b.start);
  // commands whose [start, end] overlap ran side by side: one group, replayed with as many
  // at once as were at once in the run
  const groups: Plan['groups'] = [];
  let cur: Cmd[] = [];
  let curEnd = -Infinity;
  for (const c of cmds) {
    if (cur.length && c.start >= curEnd) {
      groups.push({ cmds: cur, concurrency: maxOverlap(cur) });
      cur = [];
      curEnd = -Infinity;
    }
    cur.push(c);
    curEnd = Math.max(curEnd, c.end);
  }
  if (cur.length) groups.push({ cmds: cur, concurrency: maxOverlap(cur) });
  // busy = union of the command intervals; the rest of the session is netwiz's own
  const busy = groups.reduce((n, g) => n + (Math.max(...g.cmds.map((c) => c.end)) - g.cmds[0]!.start), 0);
  const first = cmds[0]?.start ?? sessionEnd;
  const last = cmds.length ? Math.max(...cmds.map((c) => c.end)) : sessionEnd;
  const phases = {
    beforeFirstCommand: first - sessionStart,
    betweenCommands: cmds.length ? last - first - busy : 0,
    afterLastCommand: sessionEnd - last,
    session: sessionEnd - sessionStart,
  };
  return { groups, restores, commands: cmds.length, phases };
}

function maxOverlap(cmds: Cmd[]): number {
  const pts = cmds.flatMap((c) => [
    [c.start, 1],
    [c.end, -1],
  ]);
  pts.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let n = 0;
  let max = 1;
  for (const [, d] of pts) max = Math.max(max, (n += d!));
  return max;
}

async function pool<T>(items: T[], size: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}

/** Replays a plan as a plain script would; returns its wall time in ms. */
export async function replay(plan: Plan, cluster: ClusterOptions, env: Record<string, string>, o: { backToBack?: boolean } = {}): Promise<number> {
  const nodePods = new Map<string, Promise<string>>();
  const tag = randomBytes(3).toString('hex');
  const ns = cluster.namespace ?? 'default';
  const run = (argv: string[], input?: string) => execa(argv[0]!, argv.slice(1), { env, reject: false, ...(input !== undefined ? { input } : {}) });
  const nodePod = (node: string) => {
    let p = nodePods.get(node);
    if (!p) {
      const name = `h9floor-${tag}-${nodePods.size}`;
      p = (async () => {
        const manifest = nodePodManifest({ name, namespace: ns, node, sessionId: `h9floor-${tag}`, image: cluster.debugImage ?? DEFAULT_DEBUG_IMAGE, host: hostname(), ttlSeconds: 600 });
        const c = await run(withClusterOptions(cluster, ['kubectl', 'create', '-f', '-', '-o', 'name']), JSON.stringify(manifest));
        if (c.exitCode !== 0) throw new Error(`floor: could not create node pod on ${node}: ${c.stderr}`);
        for (;;) {
          const g = await run(withClusterOptions(cluster, ['kubectl', 'get', 'pod', name, '-o', 'jsonpath={.status.phase}']));
          if (g.stdout.trim() === 'Running') return name;
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      nodePods.set(node, p);
    }
    return p;
  };
  const t0 = performance.now();
  for (const g of plan.groups) {
    await pool(g.cmds, o.backToBack ? 1 : g.concurrency, async (c) => {
      const t = c.target;
      if (t.kind === 'workstation') await run(withClusterOptions(cluster, c.argv));
      else if (t.kind === 'pod') await run(podExecArgv(cluster, { pod: t.pod!, ...(t.namespace ? { namespace: t.namespace } : {}), ...(t.container ? { container: t.container } : {}) }, c.argv));
      else {
        const pod = await nodePod(t.node!);
        await run(podExecArgv(cluster, { pod, namespace: ns, container: NODE_POD_CONTAINER }, nodeCommand(c.argv)));
      }
    });
  }
  for (const r of plan.restores) await run(withClusterOptions(cluster, r));
  // the node pods go, as netwiz's do at the end of a session
  const pods = await Promise.all([...nodePods.values()].map((p) => p.catch(() => undefined)));
  const names = pods.filter((p): p is string => !!p);
  if (names.length) await run(withClusterOptions(cluster, ['kubectl', 'delete', 'pod', ...names, '--ignore-not-found', '--wait=false']));
  return performance.now() - t0;
}

const BACK_TO_BACK = 'same commands back to back, plain script';
const SAME_PARALLELISM = "same commands, netwiz's parallelism, plain script";
const SCENARIOS = ['selector-overlap', 'tw-recycle-nat', 'dns-search-domain', 'externalip-conflict', 'overlay-mtu', 'bad-replica', 'healthy'];

export async function benchTimeToCause({ runs = 3, scenarios = SCENARIOS, compare }: { runs?: number; scenarios?: string[]; compare?: string } = {}) {
  const machine = printMachine('5. time to cause (intermittent-connectivity, per lab scenario)');
  const out: Record<string, unknown> = { machine, scenarios: {} };
  const summary: string[] = [];
  for (const sc of scenarios) {
    const dir = tempDir();
    const name = `h9t${randomBytes(2).toString('hex')}`;
    let lab: { kubeconfig: string; namespace: string; service: string; clientPod: string; expectedCause: string; upMs: number } | undefined;
    console.log(`\n-- ${sc}`);
    try {
      lab = await labUp(sc, name);
      const cluster: ClusterOptions = { kubeconfig: lab!.kubeconfig, namespace: lab!.namespace };
      // NETWIZ_STARTUP_MARKS: netwiz prints where its start-up went (src/cli/startup-marks.ts)
      const env = cleanEnv({ KUBECONFIG: lab!.kubeconfig, XDG_STATE_HOME: path.join(dir, 'state'), NETWIZ_STARTUP_MARKS: '1' });
      const args = [
        netwizBin,
        'run',
        'intermittent-connectivity',
        '--yes',
        '--json',
        '--kubeconfig',
        lab!.kubeconfig,
        '-n',
        lab!.namespace,
        '--var',
        `namespace=${lab!.namespace}`,
        '--var',
        `service=${lab!.service}`,
        '--var',
        `client_pod=${lab!.clientPod}`,
      ];
      let plan: Plan | undefined;
      const verdicts: string[] = [];
      const commands: number[] = [];
      const inner: number[] = [];
      const phases: Plan['phases'][] = [];
      const marks: Record<string, number>[] = [];
      const otherVerdicts: string[] = [];
      const otherPhases: Plan['phases'][] = [];
      const compareName = compare ? `other build: ${compare}` : '';
      const results = await interleave(
        [
          {
            name: 'netwiz run intermittent-connectivity',
            fn: async (round: number) => {
              const r = await timeProcess(process.execPath, args, { env, okCodes: [0, 3, 4], stdout: 'capture' });
              const res = JSON.parse(r.stdout);
              const m = /netwiz startup marks: (.*)/.exec(r.stderr);
              if (m && round >= 0) marks.push(Object.fromEntries(m[1]!.trim().split(' ').map((kv) => [kv.split('=')[0]!, Number(kv.split('=')[1])])));
              verdicts.push(res.status === 'concluded' ? res.cause : res.status);
              commands.push(res.commands.length);
              if (round >= 0) inner.push(res.wallMs);
              plan = planFromTranscript(res.transcript);
              if (round >= 0) phases.push({ ...plan.phases, startup: r.ms - plan.phases.session } as Plan['phases']);
              return r.ms;
            },
          },
          // --compare OTHER/netwiz.mjs: the same run with another build, interleaved (A/B)
          ...(compare
            ? [
                {
                  name: compareName,
                  fn: async (round: number) => {
                    const r = await timeProcess(process.execPath, [path.resolve(compare), ...args.slice(1)], { env, okCodes: [0, 3, 4], stdout: 'capture' });
                    const res = JSON.parse(r.stdout);
                    otherVerdicts.push(res.status === 'concluded' ? res.cause : res.status);
                    const p = planFromTranscript(res.transcript);
                    if (round >= 0) otherPhases.push({ ...p.phases, startup: r.ms - p.phases.session } as Plan['phases']);
                    return r.ms;
                  },
                },
              ]
            : []),
          {
            name: BACK_TO_BACK,
            fn: async () => {
              if (!plan) throw new Error('no netwiz run to take the commands from');
              return replay(plan, cluster, env, { backToBack: true });
            },
          },
          {
            name: SAME_PARALLELISM,
            fn: async () => {
              if (!plan) throw new Error('no netwiz run to take the commands from');
              return replay(plan, cluster, env);
            },
          },
        ],
        runs,
      );
      const rows = printTable(results, { reference: BACK_TO_BACK, target: 1.2, judge: (n: string) => n.startsWith('netwiz') });
      const strict = rows.find((r: { name: string }) => r.name === SAME_PARALLELISM);
      const nwRow = rows.find((r: { name: string }) => r.name.startsWith('netwiz'));
      const strictRatio = strict && nwRow && 'median' in strict && 'median' in nwRow ? nwRow.median / strict.median : undefined;
      if (strictRatio !== undefined) console.log(`netwiz / same commands with netwiz's parallelism: ${strictRatio.toFixed(2)}× (netwiz's own overhead)`);
      const nw = rows.find((r: { name: string }) => r.name.startsWith('netwiz'));
      const verdict = [...new Set(verdicts)].join(', ');
      const groups = plan ? plan.groups.map((g) => (g.cmds.length > 1 ? `${g.cmds.length}∥${g.concurrency}` : '1')).join(' ') : '';
      console.log(`concluded: ${verdict} (expected ${lab!.expectedCause});  commands per run: ${[...new Set(commands)].join(', ')};  groups: ${groups}`);
      if (inner.length) console.log(`netwiz's own wallMs (in-process, after start-up): median ${fmtMs(stats(inner).median)}`);
      const phaseLine = (who: string, ps: Plan['phases'][]) => {
        if (!ps.length) return;
        const med = (k: string) => fmtMs(stats(ps.map((p) => (p as Record<string, number>)[k]!)).median);
        console.log(
          `${who}'s time outside commands (median): start-up + catalog ${med('startup')}, session start → first command (RBAC preflight) ${med('beforeFirstCommand')}, ` +
            `between commands ${med('betweenCommands')}, last command → end (clean-up, restores) ${med('afterLastCommand')}`,
        );
      };
      phaseLine('netwiz', phases);
      if (marks.length) {
        // ms since the process started, at each point of `netwiz run`'s start-up
        const names = Object.keys(marks[0]!);
        console.log(`netwiz start-up marks (median ms since process start): ${names.map((n) => `${n} ${fmtMs(stats(marks.map((k) => k[n]!)).median)}`).join(', ')}`);
      }
      if (compare) {
        console.log(`other build concluded: ${[...new Set(otherVerdicts)].join(', ')}`);
        phaseLine('other build', otherPhases);
      }
      (out.scenarios as Record<string, unknown>)[sc] = {
        rows,
        verdicts,
        expected: lab!.expectedCause,
        commands,
        phases,
        marks,
        restores: plan?.restores.length ?? 0,
        ...(strictRatio !== undefined ? { strictRatio } : {}),
        ...(compare ? { compare, otherVerdicts, otherPhases } : {}),
      };
      const other = compare ? rows.find((r: { name: string }) => r.name === compareName) : undefined;
      const otherText = other && 'median' in other ? `   (other build ${fmtMs(other.median)}, ${other.ratio?.toFixed(2) ?? '?'}×)` : '';
      if (nw && 'median' in nw) summary.push(`${sc.padEnd(20)} ${fmtMs(nw.median).padStart(8)}  ${String(commands[0]).padStart(3)} commands  ${nw.ratio?.toFixed(2) ?? '?'}× back to back  ${strictRatio?.toFixed(2) ?? '?'}× same parallelism  → ${verdict}${otherText}`);
      else summary.push(`${sc.padEnd(20)} ${nw?.missing ? `MISSING: ${nw.missing}` : `FAILED: ${nw?.error ?? '?'}`}`);
    } catch (e) {
      if (e instanceof Missing) {
        console.log(`MISSING: ${(e as Error).message}`);
        summary.push(`${sc.padEnd(20)} MISSING: ${(e as Error).message}`);
      } else {
        console.log(`FAILED: ${(e as Error).message}`);
        summary.push(`${sc.padEnd(20)} FAILED: ${(e as Error).message.split('\n')[0]}`);
      }
    } finally {
      if (lab) await labDown(name);
      rmrf(dir);
    }
  }
  console.log('\n-- summary (median wall, commands, ratio to the same commands back to back [the target], to them with netwiz\'s parallelism, conclusion)');
  for (const l of summary) console.log(l);
  out.summary = summary;
  saveResult('time-to-cause', out);
  return out;
}

if (lib.isMain(import.meta.url)) {
  const a = parseArgs();
  // --compare OTHER/netwiz.mjs (or --compare=…): interleave another build as a third subject
  let compare: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < a.rest.length; i++) {
    const x = a.rest[i]!;
    if (x === '--compare') compare = a.rest[++i];
    else if (x.startsWith('--compare=')) compare = x.slice('--compare='.length);
    else rest.push(x);
  }
  lib.runMain(() => benchTimeToCause({ runs: a.runs ?? 3, ...(rest.length ? { scenarios: rest } : {}), ...(compare ? { compare } : {}) }));
}
