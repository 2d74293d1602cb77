// Killing a whole process tree. Every command is spawned detached (setsid), so it leads a
// process group of its own and `kill(-pgid)` reaches its children and grandchildren too
// (`sh -c 'sleep 600 & wait'`), not just the direct child execa knows about.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** pids of processes in group `pgid` that are still running (zombies do not count: on this
 * machine PID 1 does not reap orphans, so a killed grandchild may linger as <defunct>). */
export function liveGroupMembers(pgid: number): number[] {
  if (process.platform !== 'linux') {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  // fast path: no process at all in the group (the common case after a normal exit)
  try {
    process.kill(-pgid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ESRCH') return [];
  }
  const live: number[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // "pid (comm) state ppid pgrp …"; comm may contain spaces and parentheses
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const pgrp = Number(fields[2]);
    if (pgrp === pgid && state !== 'Z' && state !== 'X') live.push(Number(name));
  }
  return live;
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** SIGTERM the group, give it `graceMs` to go, then SIGKILL whatever is left and wait
 * until nothing in the group runs (bounded, so a stuck D-state process cannot hang us). */
export async function killGroup(pgid: number, graceMs: number): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (liveGroupMembers(pgid).length === 0) return;
    await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
  }
  signalGroup(pgid, 'SIGKILL');
  for (let i = 0; i < 100; i++) {
    if (liveGroupMembers(pgid).length === 0) return;
    await sleep(20);
  }
}

/** Groups still running; killed synchronously if netwiz exits (normally or by signal)
 * so a crash of the wizard does not leave a `sleep 600` or a tcpdump behind. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

/**
 * A kill -9 of netwiz runs no exit hook, and detached children do not die with their
 * parent. So a small watchdog process holds the read end of a pipe from netwiz, learns the
 * running groups ("+pgid" / "-pgid" lines) and, when the pipe closes because netwiz is
 * gone (however it died), SIGKILLs the groups still registered and exits.
 */
const WATCHDOG_SRC = `
const groups = new Set();
let buf = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  buf += d;
  let i;
  while ((i = buf.indexOf('\\n')) >= 0) {
    const line = buf.slice(0, i);
    buf = buf.slice(i + 1);
    const n = Number(line.slice(1));
    if (!Number.isInteger(n) || n <= 1) continue;
    if (line[0] === '+') groups.add(n);
    else groups.delete(n);
  }
});
const end = () => {
  for (const g of groups) {
    try { process.kill(-g, 'SIGKILL'); } catch {}
  }
  process.exit(0);
};
process.stdin.on('end', end);
process.stdin.on('error', end);
`;

let watchdog: ChildProcess | undefined;
let watchdogBroken = false;

function tellWatchdog(line: string): void {
  if (watchdogBroken || process.env.NETWIZ_NO_WATCHDOG === '1') return;
  if (!watchdog) {
    try {
      watchdog = spawn(process.execPath, ['-e', WATCHDOG_SRC], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    } catch {
      watchdogBroken = true;
      return;
    }
    watchdog.on('error', () => {
      watchdogBroken = true;
    });
    watchdog.stdin?.on('error', () => {
      watchdogBroken = true;
    });
    // netwiz may exit while the watchdog runs: neither the process nor its pipe keeps it alive
    watchdog.unref();
    (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  }
  watchdog.stdin?.write(`${line}\n`);
}

export function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  tellWatchdog(`+${pgid}`);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const g of liveGroups) signalGroup(g, 'SIGKILL');
    });
  }
}

export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
  tellWatchdog(`-${pgid}`);
}
