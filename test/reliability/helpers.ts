// Shared by the reliability tests: the CLI as a child process, process-table checks, and
// the counts each test records for RELIABILITY.md.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
 * The bundle the tests run. scripts/build.mjs writes each file beside and renames it, entry
 * last, and keeps recent chunks of earlier builds, so a CLI started while another test
 * process rebuilds sees a whole old bundle or a whole new one (a half-written file once
 * made a run exit 0 with no output, before the build became atomic).
 */
function stableBundle(): string {
  const entry = path.join(ROOT, 'dist', 'netwiz.mjs');
  if (!existsSync(entry)) throw new Error('dist/netwiz.mjs is missing; run npm run build');
  return entry;
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
