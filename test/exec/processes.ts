// Process helpers for the executor's tests: finding what a command left running, whether a
// pid still runs, the pids a fixture wrote down,
// a session (test/fixtures/exec/crash-session.ts) killed with SIGKILL mid-change, and the
// netwiz CLI run from its sources.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

/** pids of live (non-zombie) processes whose command line contains `marker` */
export function processesWith(marker: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
      if (cmd.includes(marker) && state !== 'Z') out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

/** whether pid is running: false once it is gone or a zombie */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** the pids a fixture wrote to `file`, one a line */
export function pidsIn(file: string): number[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(Number);
}

const ROOT = join(import.meta.dirname, '..', '..');
const CRASH_SESSION = join(ROOT, 'test', 'fixtures', 'exec', 'crash-session.ts');

/**
 * Starts crash-session.ts (it makes its change, prints one line, then waits to be killed)
 * and resolves with that line once printed: the change is in the journal by then.
 * args: SESSION_ID CLUSTER_JSON DEPLOYMENT REPLICAS FROM
 */
export async function startCrashSession(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcessWithoutNullStreams; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CRASH_SESSION, ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  }) as unknown as ChildProcessWithoutNullStreams;
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve();
    });
    child.once('exit', () => reject(new Error(`session exited early: ${out}`)));
  });
  return { child, out };
}

/** kill -9 (nothing gets to put anything back); resolves with the signal it died of */
export function killHard(child: ChildProcessWithoutNullStreams): Promise<NodeJS.Signals | null> {
  const exited = new Promise<NodeJS.Signals | null>((r) => child.once('exit', (_code, signal) => r(signal)));
  child.kill('SIGKILL');
  return exited;
}

/** `netwiz ARGS` from the sources (no bundle needed); the result says how it ended, never rejects */
export function netwizCli(args: string[], env: NodeJS.ProcessEnv) {
  return execa(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli', 'entry.ts'), ...args], {
    cwd: ROOT,
    env,
    reject: false,
    stdin: 'ignore',
  });
}
