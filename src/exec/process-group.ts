// Killing a whole process tree. Every command is spawned detached (setsid), so it leads a
// process group of its own and `kill(-pgid)` reaches its children and grandchildren too
// (`sh -c 'sleep 600 & wait'`), not just the direct child execa knows about.
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

export function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const g of liveGroups) signalGroup(g, 'SIGKILL');
    });
  }
}

export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
}
