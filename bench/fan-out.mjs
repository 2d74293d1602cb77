// 4. Fan-out. A lab of 8 pods on 4 nodes (bench/lab/fanout-8pods.yaml, no fault); the
// playbook bench/playbooks/bench-fanout-ping.yaml pings every pod from every other pod
// (56 ordered pairs, `ping -c 3 -i 0.2` through `kubectl exec`) in one foreach. Against:
// the same 56 `kubectl exec … ping` run one after another (their sum), the slowest single
// one of those, and the same 56 started all at once by a plain script (the floor on this
// machine). Target: netwiz close to the slowest single ping, not their sum.
// Run alone: node bench/fan-out.mjs [--runs N]     (root: the lab makes network namespaces)
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  Missing,
  benchDir,
  cleanEnv,
  fmtMs,
  interleave,
  isMain,
  labDown,
  labUp,
  netwizBin,
  parseArgs,
  printMachine,
  printTable,
  rmrf,
  runMain,
  saveResult,
  stats,
  tempDir,
  timeProcess,
} from './lib.mjs';

const PING = ['ping', '-c', '3', '-i', '0.2', '-W', '1'];

/**
 * Phases of one netwiz run from its transcript's timestamps: start-up (process wall − session),
 * the RBAC preflight (session start → first effect), the pod list, the foreach (first ping
 * started → last ping finished; and how long the 56 spawns took to all start), the wrap-up.
 */
export function phasesOf(transcript, wallMs) {
  let lines;
  try {
    lines = readFileSync(transcript, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  } catch {
    return undefined;
  }
  const t = (e) => Date.parse(e.ts);
  const start = lines.find((e) => e.type === 'session-start');
  const end = lines.findLast((e) => e.type === 'session-end');
  const firstEffect = lines.find((e) => e.type === 'effect');
  const cmdStarts = lines.filter((e) => e.type === 'command-start');
  const finished = lines.filter((e) => e.type === 'engine-event' && e.event?.type === 'command-finished');
  const pingIds = new Set(cmdStarts.filter((e) => e.argv?.[0] === 'ping').map((e) => e.effectId));
  const list = cmdStarts.find((e) => e.argv?.[0] === 'kubectl');
  const listEnd = list && finished.find((e) => e.event.effectId === list.effectId);
  const pingStarts = cmdStarts.filter((e) => pingIds.has(e.effectId)).map(t);
  const pingEnds = finished.filter((e) => pingIds.has(e.event.effectId)).map(t);
  if (!start || !end || !firstEffect || !pingStarts.length || !pingEnds.length) return undefined;
  const session = t(end) - t(start);
  return {
    startup: wallMs - session,
    preflight: t(firstEffect) - t(start),
    list: list && listEnd ? t(listEnd) - t(list) : NaN,
    foreach: Math.max(...pingEnds) - Math.min(...pingStarts),
    spawnSpread: Math.max(...pingStarts) - Math.min(...pingStarts),
    wrapUp: t(end) - Math.max(...pingEnds),
  };
}

export async function benchFanOut({ runs = 3 } = {}) {
  const machine = printMachine('4. fan-out (56 pod-to-pod pings, 8 pods on 4 nodes)');
  const out = { machine };
  const dir = tempDir();
  const name = `h9f${randomBytes(2).toString('hex')}`;
  let lab;
  try {
    lab = await labUp(path.join(benchDir, 'lab/fanout-8pods.yaml'), name);
    console.log(`lab ${name} up in ${fmtMs(lab.upMs)} (data plane ${lab.dataPlane ? 'on' : 'off'})`);
    const kenv = cleanEnv({ KUBECONFIG: lab.kubeconfig, XDG_STATE_HOME: path.join(dir, 'state') });
    const k = (args) => ['--kubeconfig=' + lab.kubeconfig, `--namespace=${lab.namespace}`, ...args];
    const pods = JSON.parse((await timeProcess('kubectl', k(['get', 'pods', '-o', 'json']), { stdout: 'capture', env: kenv })).stdout).items.map((p) => ({
      name: p.metadata.name,
      ip: p.status.podIP,
    }));
    if (pods.length !== 8) throw new Error(`the bench lab has ${pods.length} pods, expected 8`);
    const pairs = pods.flatMap((a) => pods.filter((b) => b !== a).map((b) => ({ src: a.name, ip: b.ip })));
    const pingArgv = (p) => k(['exec', p.src, '--', ...PING, p.ip]);
    const singles = [];
    const results = await interleave(
      [
        {
          name: '56 pings one after another',
          fn: async (round) => {
            const t0 = performance.now();
            for (const p of pairs) {
              const { ms } = await timeProcess('kubectl', pingArgv(p), { env: kenv });
              if (round >= 0) singles.push(ms);
            }
            return performance.now() - t0;
          },
        },
        {
          name: '56 pings at once (plain script)',
          fn: async () => {
            const t0 = performance.now();
            await Promise.all(pairs.map((p) => timeProcess('kubectl', pingArgv(p), { env: kenv })));
            return performance.now() - t0;
          },
        },
        {
          name: 'netwiz run bench-fanout-ping',
          fn: async () => {
            const r = await timeProcess(
              process.execPath,
              [netwizBin, 'run', 'bench-fanout-ping', '--playbooks', path.join(benchDir, 'playbooks'), '--yes', '--json', '-n', lab.namespace, '--kubeconfig', lab.kubeconfig],
              { env: kenv, okCodes: [0, 3], stdout: 'capture' },
            );
            const res = JSON.parse(r.stdout);
            const pings = res.commands.filter((c) => c.argv[0] === 'ping');
            if (pings.length !== 56 || pings.some((c) => c.exit_code !== 0)) {
              throw new Error(`netwiz ran ${pings.length} pings, ${pings.filter((c) => c.exit_code === 0).length} answered: ${res.evidence.join('; ')}`);
            }
            return { ms: r.ms, phases: phasesOf(res.transcript, r.ms) };
          },
        },
      ],
      runs,
    );
    out.rows = printTable(results, { reference: '56 pings one after another' });
    const seq = results.get('56 pings one after another');
    const nw = results.get('netwiz run bench-fanout-ping');
    const par = results.get('56 pings at once (plain script)');
    if (singles.length && nw.ms.length) {
      const s = stats(singles);
      const slowest = stats(singles.reduce((acc, v, i) => (acc[Math.floor(i / 56)] = Math.max(acc[Math.floor(i / 56)] ?? 0, v), acc), []));
      const nwMed = stats(nw.ms).median;
      console.log(`single ping (kubectl exec + ping -c 3): median ${fmtMs(s.median)}, slowest per round median ${fmtMs(slowest.median)}`);
      console.log(
        `netwiz / slowest single: ${(nwMed / slowest.median).toFixed(2)}×;  netwiz / sum: ${(nwMed / stats(seq.ms).median).toFixed(2)}×;  netwiz / plain parallel script: ${(nwMed / stats(par.ms).median).toFixed(2)}×`,
      );
      // where netwiz's time goes, from its transcript (medians over the runs)
      const ph = nw.extra.map((x) => x.phases).filter(Boolean);
      if (ph.length) {
        const med = (k) => stats(ph.map((p) => p[k])).median;
        console.log(
          `netwiz phases (median): start-up + catalog ${fmtMs(med('startup'))}, preflight ${fmtMs(med('preflight'))}, list pods ${fmtMs(med('list'))}, ` +
            `foreach ${fmtMs(med('foreach'))} (its 56 spawns spread over ${fmtMs(med('spawnSpread'))}), wrap-up ${fmtMs(med('wrapUp'))}`,
        );
        console.log(`netwiz's foreach alone / plain parallel script: ${(med('foreach') / stats(par.ms).median).toFixed(2)}×`);
        out.phases = Object.fromEntries(['startup', 'preflight', 'list', 'foreach', 'spawnSpread', 'wrapUp'].map((k) => [k, med(k)]));
      }
      out.single = s;
      out.slowestSingle = slowest;
      out.ratios = { slowest: nwMed / slowest.median, sum: nwMed / stats(seq.ms).median, parallelScript: nwMed / stats(par.ms).median };
    }
  } catch (e) {
    if (e instanceof Missing) console.log(`MISSING: ${e.message}`);
    else throw e;
  } finally {
    if (lab) await labDown(name);
    rmrf(dir);
  }
  saveResult('fan-out', out);
  return out;
}

if (isMain(import.meta.url)) runMain(() => benchFanOut({ runs: parseArgs().runs ?? 3 }));
