// Shared helpers of the benchmarks: the machine, interleaved timing, medians and ratios,
// a real terminal (tmux) to drive the wizard in, and an honest "subject missing" line.
// Every figure printed is measured in the same run as its reference; nothing is cached.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const benchDir = path.join(root, 'bench');
// NETWIZ_BENCH_BIN=FILE measures another build (an A/B of build options) with the same harness
export const netwizBin = process.env.NETWIZ_BENCH_BIN ? path.resolve(process.env.NETWIZ_BENCH_BIN) : path.join(root, 'bin/netwiz');
export const bundle = process.env.NETWIZ_BENCH_BIN ? path.resolve(process.env.NETWIZ_BENCH_BIN) : path.join(root, 'dist/netwiz.mjs');

/** Environment for the programs under test: no CI markers (they change the UI), no stray kubeconfig. */
export function cleanEnv(extra = {}) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'CI' && !k.startsWith('CI_') && k !== 'KUBECONFIG'));
  return { ...env, ...extra };
}

/** A private state dir so sessions of the benchmark do not mix with anyone's. */
export function tempDir(prefix = 'nwbench-') {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function parseArgs(argv = process.argv.slice(2)) {
  const out = { runs: undefined, json: false, profile: false, rest: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') out.runs = Number(argv[++i]);
    else if (a.startsWith('--runs=')) out.runs = Number(a.slice(7));
    else if (a === '--json') out.json = true;
    else if (a === '--profile') out.profile = true;
    else out.rest.push(a);
  }
  return out;
}

export function machine() {
  const cpus = os.cpus();
  let mem = `${Math.round(os.totalmem() / 2 ** 20)} MiB`;
  return {
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpu: cpus[0]?.model ?? 'unknown',
    memory: mem,
    kernel: os.release(),
    node: process.version,
    load: os.loadavg().map((x) => x.toFixed(2)).join(' '),
    date: new Date().toISOString(),
  };
}

export function printMachine(title) {
  const m = machine();
  console.log(`\n== ${title}`);
  console.log(`machine: nproc ${m.nproc} (${m.cpu}), memory ${m.memory}, kernel ${m.kernel}, node ${m.node}, load ${m.load}, ${m.date}`);
  return m;
}

export function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  const median = n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { median, min: s[0], max: s[n - 1], n };
}

/**
 * Runs each case `runs` times, interleaved (A B C A B C …) so that load on this shared
 * machine hits subject and reference alike. A case's fn returns milliseconds (or an object
 * with `ms` plus extra figures). A case that throws Missing is reported as missing.
 */
export async function interleave(cases, runs, { warmup = 1 } = {}) {
  const results = new Map(cases.map((c) => [c.name, { ms: [], extra: [], missing: null, error: null }]));
  for (let r = -warmup; r < runs; r++) {
    for (const c of cases) {
      const res = results.get(c.name);
      if (res.missing || res.error) continue;
      try {
        const v = await c.fn(r);
        if (r < 0) continue; // warm-up: page cache, kubectl discovery, JIT of the harness
        if (typeof v === 'number') res.ms.push(v);
        else {
          res.ms.push(v.ms);
          res.extra.push(v);
        }
      } catch (e) {
        if (e instanceof Missing) res.missing = e.message;
        else res.error = e instanceof Error ? e.message : String(e);
      }
    }
  }
  return results;
}

/** The subject of a benchmark does not exist (yet): say so, never print a figure. */
export class Missing extends Error {}

export const fmtMs = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);

/** Prints one row per case: median (min–max, n) and the ratio of medians to the reference. */
export function printTable(results, { reference, target, judge } = {}) {
  const ref = reference ? results.get(reference) : undefined;
  const refMed = ref && ref.ms.length ? stats(ref.ms).median : undefined;
  const rows = [];
  const w = Math.max(...[...results.keys()].map((k) => k.length));
  for (const [name, r] of results) {
    if (r.missing) {
      console.log(`${name.padEnd(w)}  MISSING: ${r.missing}`);
      rows.push({ name, missing: r.missing });
      continue;
    }
    if (r.error) {
      console.log(`${name.padEnd(w)}  FAILED: ${r.error}`);
      rows.push({ name, error: r.error });
      continue;
    }
    const s = stats(r.ms);
    const ratio = refMed && name !== reference ? s.median / refMed : undefined;
    const verdict = ratio !== undefined && target !== undefined && (!judge || judge(name)) ? (ratio <= target ? ` (target ≤ ${target}×: met)` : ` (target ≤ ${target}×: NOT met)`) : '';
    console.log(
      `${name.padEnd(w)}  median ${fmtMs(s.median).padStart(8)}  (min ${fmtMs(s.min)}, max ${fmtMs(s.max)}, n=${s.n})` +
        (ratio !== undefined ? `  ratio ${ratio.toFixed(2)}×${verdict}` : name === reference ? '  [reference]' : ''),
    );
    rows.push({ name, ...s, ...(ratio !== undefined ? { ratio } : {}) });
  }
  return rows;
}

/** Results of the last run of each benchmark, for BENCHMARKS.md (bench/results/ is not committed). */
export function saveResult(name, data) {
  const dir = path.join(benchDir, 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify({ machine: machine(), ...data }, null, 2)}\n`);
}

/** The netwiz bundle must exist; a missing one is a missing subject, not a slow one. */
export function requireBundle() {
  if (!existsSync(bundle)) throw new Missing('dist/netwiz.mjs is missing (run `npm run build`)');
}

/** Wall time of a child process, in ms; rejects (with stderr) on an unexpected exit code. */
export function timeProcess(file, args, { env = cleanEnv(), cwd = root, okCodes = [0], stdout = 'ignore', input } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(file, args, { env, cwd, stdio: [input === undefined ? 'ignore' : 'pipe', stdout === 'capture' ? 'pipe' : stdout, 'pipe'] });
    let err = '';
    let out = '';
    child.stderr.on('data', (d) => {
      err += d;
      if (err.length > 200_000) err = err.slice(-100_000);
    });
    if (stdout === 'capture') child.stdout.on('data', (d) => (out += d));
    if (input !== undefined) child.stdin.end(input);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = performance.now() - t0;
      if (!okCodes.includes(code)) reject(new Error(`${[file, ...args].join(' ')} exited ${code ?? signal}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
      else resolve({ ms, code, stdout: out, stderr: err, pid: child.pid });
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A real terminal: a private tmux server with one pane. The server and an idle pane are
 * started first so a measurement does not include tmux's own start-up (the technique of
 * H7's bench/ui-first-frame.mjs).
 */
export class TmuxPane {
  constructor({ cols = 100, rows = 30 } = {}) {
    this.socket = `nwb-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
    this.env = cleanEnv();
    this.size = [String(cols), String(rows)];
    this.boot();
  }
  boot() {
    this.raw(['new-session', '-d', '-x', this.size[0], '-y', this.size[1], 'sleep', '600', ';', 'set-option', '-t', '0', 'remain-on-exit', 'on']);
  }
  raw(args) {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env: this.env, maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  }
  tmux(args) {
    try {
      return this.raw(args);
    } catch (e) {
      // the server can vanish under us (its socket in /tmp removed by a clean-up elsewhere on
      // this shared machine): start a new one and try once more
      if (!/no server running|error connecting|can't find pane|can't find session/.test(String(e.stderr ?? e.message))) throw e;
      try {
        this.raw(['kill-server']);
      } catch {
        // gone already
      }
      this.boot();
      return this.raw(args);
    }
  }
  /** Replaces the pane's program; returns performance.now() just before. */
  start(argv, env = {}) {
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    const t0 = performance.now();
    this.tmux(['respawn-pane', '-k', '-t', '0', '-c', root, ...envArgs, ...argv]);
    return t0;
  }
  capture() {
    return this.tmux(['capture-pane', '-p', '-t', '0']);
  }
  pid() {
    return Number(this.tmux(['display-message', '-p', '-t', '0', '#{pane_pid}']).trim());
  }
  dead() {
    return this.tmux(['display-message', '-p', '-t', '0', '#{pane_dead}']).trim() === '1';
  }
  keys(...keys) {
    this.tmux(['send-keys', '-t', '0', ...keys]);
  }
  /** Polls the screen until `test(text)` holds; returns the time it was first seen. */
  async waitFor(test, { timeoutMs = 30_000, pollMs = 5, what = 'text', onPoll } = {}) {
    const pred = typeof test === 'string' ? (s) => s.includes(test) : test;
    const t0 = performance.now();
    for (;;) {
      const screen = this.capture();
      if (pred(screen)) return performance.now();
      onPoll?.();
      if (performance.now() - t0 > timeoutMs) throw new Error(`never saw ${what} within ${timeoutMs} ms; screen:\n${screen}`);
      // poll gently: capture-pane costs CPU the program under test needs
      await sleep(pollMs);
    }
  }
  close() {
    try {
      this.raw(['kill-server']);
    } catch {
      // already gone
    }
    // tmux leaves its socket file behind
    const dir = path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`);
    rmSync(path.join(dir, this.socket), { force: true });
  }
}

/** Peak resident set (VmHWM) and current RSS of a process in MiB, or undefined once it is gone. */
export function memOf(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN);
    return { hwm: kb('VmHWM') / 1024, rss: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

export function rmrf(p) {
  rmSync(p, { recursive: true, force: true });
}

/** Runs `main` and turns an unexpected error into one line and exit 1 (run-all carries on). */
export function runMain(main) {
  main().catch((e) => {
    console.error(`bench: ${e instanceof Error ? e.stack : String(e)}`);
    process.exitCode = 1;
  });
}

export const isMain = (metaUrl) => process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(metaUrl);

/** A lab through the CLI (`netwiz lab up FILE --json`); Missing when the lab command is not there yet. */
export async function labUp(ref, name) {
  requireBundle();
  let r;
  try {
    r = await timeProcess(process.execPath, [netwizBin, 'lab', 'up', ref, '--name', name, '--require-data-plane', '--json'], { stdout: 'capture' });
  } catch (e) {
    if (/unknown command|not implemented/i.test(String(e))) throw new Missing(`netwiz lab up: ${e.message}`);
    throw e;
  }
  const lab = JSON.parse(r.stdout);
  lab.upMs = r.ms;
  return lab;
}

export async function labDown(name) {
  try {
    await timeProcess(process.execPath, [netwizBin, 'lab', 'down', name]);
  } catch (e) {
    console.error(`bench: could not take lab ${name} down: ${e instanceof Error ? e.message : e} (run: netwiz lab down ${name})`);
  }
}

/** kubectl with the lab's kubeconfig (and its discovery cache, as netwiz's own kubectl calls). */
export function kubectlArgs(lab, args) {
  return [`--kubeconfig=${lab.kubeconfig}`, ...args];
}

export const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;
