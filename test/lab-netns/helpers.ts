// Helpers for the netns lab tests: run a command in a pod/node/LAN host the way the lab
// server would (through execPlan), and capture packets with tcpdump while something runs.
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll } from 'vitest';
import { NetnsDataPlane } from '../../src/lab/netns/index.js';
import type { SpawnPlan } from '../../src/lab/dataplane.js';
import type { ScenarioPod } from '../../src/lab/scenario/model.js';
import type { Built } from '../fixtures/lab-netns/scenarios.js';

export interface Ran {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runPlan(plan: SpawnPlan, timeoutMs = 10_000): Promise<Ran> {
  const r = await execa(plan.file, plan.args, { reject: false, timeout: timeoutMs, ...(plan.env ? { env: plan.env } : {}) });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function podOf(built: Built, name: string): ScenarioPod {
  const p = built.pods.find((x) => x.name === name);
  if (p === undefined) throw new Error(`no pod ${name} in ${built.scenario.name}`);
  return p;
}

export function inPod(dp: NetnsDataPlane, pod: ScenarioPod, argv: string[], timeoutMs?: number): Promise<Ran> {
  return runPlan(dp.execPlan(pod, argv), timeoutMs);
}

/** curl as an engineer would: status code on stdout, bounded time */
export function curlArgs(url: string, extra: string[] = [], maxTime = 2): string[] {
  return ['curl', '-sS', '--max-time', String(maxTime), '-o', '/dev/null', '-w', '%{http_code}', ...extra, url];
}

export interface Capture {
  stop(): Promise<string[]>;
}

/** tcpdump in a namespace on one interface; resolves once it is listening */
export function startCapture(ns: string, iface: string, filter: string[]): Promise<Capture> {
  const child = execa('ip', ['netns', 'exec', ns, 'tcpdump', '-n', '-l', '-U', '-i', iface, ...filter], {
    reject: false,
    buffer: true,
    timeout: 60_000,
  });
  return captureOf(child, `${ns}/${iface}`, { startMs: 5000, settleMs: 200, signal: 'SIGINT' });
}

/**
 * A running tcpdump as a Capture: resolves once it says it is listening. stop() first waits
 * `settleMs` so the last packets reach its output (longer through a `kubectl exec` stream).
 */
export async function captureOf(
  child: ResultPromise,
  where: string,
  o: { startMs: number; settleMs: number; signal: NodeJS.Signals },
): Promise<Capture> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tcpdump on ${where} did not start`)), o.startMs);
    child.stderr?.on('data', (d: Buffer) => {
      if (d.toString().includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    async stop() {
      await new Promise((r) => setTimeout(r, o.settleMs));
      child.kill(o.signal);
      const r = await child;
      return String(r.stdout ?? '')
        .split('\n')
        .filter((l) => l.trim() !== '');
    },
  };
}

/**
 * One lab for the whole test file: up in beforeAll (then `afterUp`), down in afterAll with
 * its timings logged. Read `.dp` inside hooks and tests only (it exists once beforeAll ran).
 */
export function netnsLabForFile(built: Built, afterUp?: (dp: NetnsDataPlane) => Promise<void>): { readonly dp: NetnsDataPlane } {
  let dp: NetnsDataPlane | undefined;
  beforeAll(async () => {
    dp = new NetnsDataPlane();
    await dp.up(built.scenario, built.pods);
    await afterUp?.(dp);
  });
  afterAll(async () => {
    if (dp === undefined) return;
    await dp.down();
    // eslint-disable-next-line no-console
    console.log(`[lab-netns] ${built.scenario.name}: up ${dp.timings.upMs} ms, down ${dp.timings.downMs} ms`);
  });
  return {
    get dp(): NetnsDataPlane {
      if (dp === undefined) throw new Error(`lab ${built.scenario.name} is not up (read .dp inside a hook or test)`);
      return dp;
    },
  };
}
