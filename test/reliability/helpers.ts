// Shared by the reliability tests: the CLI as a child process, process-table checks, and
// the counts each test records for RELIABILITY.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const ROOT = process.cwd();
export const BIN = path.join(ROOT, 'bin', 'netwiz');
export const PLAYBOOKS_DIR = path.join(ROOT, 'playbooks');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures', 'reliability');

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  pid: number;
}

export interface NetwizOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** called with the child as soon as it is spawned (to kill it at some point) */
  onSpawn?: (child: ChildProcess) => void;
  onStderr?: (soFar: string, child: ChildProcess) => void;
  /** the hang bound: SIGKILL the child and fail after this long (generous; not a benchmark) */
  killAfterMs?: number;
}

/**
 * A private, complete copy of dist/netwiz.mjs for this test process. Every vitest run on
 * this shared machine rebuilds the bundle in place (global setup), so a CLI started at the
 * wrong moment reads a half-written file (seen: exit 0 with no output). The copy lives in
 * .netwiz-tmp/ inside the repo so the bundle still finds playbooks/ next to package.json.
 */
let bundleCopy: string | undefined;
function stableBundle(): string {
  if (bundleCopy && existsSync(bundleCopy)) return bundleCopy;
  const src = path.join(ROOT, 'dist', 'netwiz.mjs');
  const dir = path.join(ROOT, '.netwiz-tmp');
  mkdirSync(dir, { recursive: true });
  const dest = path.join(dir, `reliability-bundle-${process.pid}.mjs`);
  // copies left by test processes that are gone (a worker's exit hook does not always run)
  for (const f of readdirSync(dir)) {
    const m = /^reliability-bundle-(\d+)\.mjs(\.part)?$/.exec(f);
    if (m && !pidAlive(Number(m[1]))) rmSync(path.join(dir, f), { force: true });
  }
  for (let i = 0; i < 200; i++) {
    const tmp = `${dest}.part`;
    copyFileSync(src, tmp);
    const text = readFileSync(tmp, 'utf8');
    // esbuild writes the source-map comment last: its presence means the copy is whole
    if (text.length > 100_000 && /\/\/# sourceMappingURL=netwiz\.mjs\.map\s*$/.test(text)) {
      renameSync(tmp, dest);
      bundleCopy = dest;
      process.once('exit', () => rmSync(dest, { force: true }));
      return dest;
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  }
  throw new Error('dist/netwiz.mjs never looked complete; run npm run build');
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The bundled CLI (a stable copy of dist/netwiz.mjs, rebuilt by the global setup) as a child process. */
export function netwiz(args: string[], opts: NetwizOptions = {}): Promise<Ran & { hung: boolean }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true', NO_COLOR: '1' };
    delete env.NETWIZ_PLAYBOOKS;
    for (const [k, v] of Object.entries(opts.env ?? {})) {
      if (v === undefined) delete env[k];
      else env[k] = v;
    }
    const child = spawn(process.execPath, [stableBundle(), ...args], { cwd: opts.cwd ?? ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    opts.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    let hung = false;
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, opts.killAfterMs ?? 120_000);
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr!.on('data', (c: Buffer) => {
      stderr += c.toString();
      opts.onStderr?.(stderr, child);
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, pid: child.pid ?? -1, hung });
    });
  });
}

interface ProcInfo {
  pid: number;
  ppid: number;
  pgrp: number;
  sid: number;
  state: string;
  cmdline: string;
}

/** Every process in /proc that is not a zombie. */
export function processTable(): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const state = f[0]!;
      if (state === 'Z' || state === 'X') continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      out.push({ pid: Number(name), state, ppid: Number(f[1]), pgrp: Number(f[2]), sid: Number(f[3]), cmdline });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** Live processes whose command line contains `marker`. */
export function processesWith(marker: string): ProcInfo[] {
  return processTable().filter((p) => p.cmdline.includes(marker) && p.pid !== process.pid);
}

/** Waits (bounded) until no live process carries `marker`; returns what is left. */
export async function waitNoProcessesWith(marker: string, maxMs = 10_000): Promise<ProcInfo[]> {
  const until = Date.now() + maxMs;
  let left = processesWith(marker);
  while (left.length > 0 && Date.now() < until) {
    await sleep(50);
    left = processesWith(marker);
  }
  return left;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A token unique to this test run, safe in file names, argv and k8s names. */
export function uniqueToken(prefix: string): string {
  return `${prefix}${process.pid.toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** Counts for RELIABILITY.md: merged into .netwiz-tmp/reliability-counts.json. */
export function recordCounts(section: string, counts: Record<string, number | string>): void {
  const dir = path.join(ROOT, '.netwiz-tmp');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `reliability-counts-${section}.json`);
  writeFileSync(file, JSON.stringify({ section, at: new Date().toISOString(), ...counts }, null, 2) + '\n');
  process.stdout.write(`[reliability] ${section}: ${JSON.stringify(counts)}\n`);
}
