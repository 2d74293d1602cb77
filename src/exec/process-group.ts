// Killing a whole process tree. Every command is spawned detached (setsid), so it leads a
// process group of its own and `kill(-pgid)` reaches its children and grandchildren too
// (`sh -c 'sleep 600 & wait'`), not just the direct child execa knows about.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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
 * parent. So a small watchdog process holds the read end of a pipe from netwiz and, when the
 * pipe closes because netwiz is gone (however it died), kills what netwiz left running:
 *   - every process whose environment carries this netwiz's owner marker
 *     (NETWIZ_OWNER=<pid>-<random>, put into every child's environment *before* spawn, and
 *     inherited by grandchildren even when they start a session of their own). This closes
 *     the race where netwiz dies between spawning a command and registering its group;
 *   - the process groups netwiz registered ("+pgid" / "-pgid" lines), for children that
 *     cleared their environment.
 * /proc/PID/environ is readable by root and by the same user, i.e. for all our children.
 * The watchdog is started before the first child is spawned, so it exists whenever a child can.
 */
export const OWNER_ENV = 'NETWIZ_OWNER';

const WATCHDOG_SRC = `
const fs = require('node:fs');
const owner = process.argv[1] || '';
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
const byMarker = () => {
  if (!owner) return 0;
  const needle = Buffer.from('\\0${OWNER_ENV}=' + owner + '\\0');
  const zero = Buffer.from([0]);
  let names = [];
  try { names = fs.readdirSync('/proc'); } catch { return 0; }
  let hit = 0;
  for (const name of names) {
    if (!/^\\d+$/.test(name) || Number(name) === process.pid) continue;
    let env;
    try { env = fs.readFileSync('/proc/' + name + '/environ'); } catch { continue; }
    if (!Buffer.concat([zero, env, zero]).includes(needle)) continue;
    try { process.kill(Number(name), 'SIGKILL'); hit++; } catch {}
  }
  return hit;
};
let ended = false;
const end = () => {
  if (ended) return;
  ended = true;
  for (const g of groups) {
    try { process.kill(-g, 'SIGKILL'); } catch {}
  }
  // again until a pass finds nothing: a child may have forked while we looked
  // (a killed process is a zombie, whose environ reads empty, so this ends)
  for (let pass = 0; pass < 10 && byMarker() > 0; pass++);
  process.exit(0);
};
process.stdin.on('end', end);
process.stdin.on('error', end);
`;

let watchdog: ChildProcess | undefined;
let watchdogBroken = false;
let owner: string | undefined;

/** this netwiz process's marker: pid plus randomness, so a reused pid cannot match */
export function ownerMarker(): string {
  return (owner ??= `${process.pid}-${randomBytes(6).toString('hex')}`);
}

function ensureWatchdog(): ChildProcess | undefined {
  if (watchdogBroken || process.env.NETWIZ_NO_WATCHDOG === '1') return undefined;
  if (watchdog) return watchdog;
  // the watchdog must not carry our marker itself (it skips its own pid too)
  const env = { ...process.env };
  delete env[OWNER_ENV];
  try {
    watchdog = spawn(process.execPath, ['-e', WATCHDOG_SRC, ownerMarker()], { stdio: ['pipe', 'ignore', 'ignore'], detached: true, env });
  } catch {
    watchdogBroken = true;
    return undefined;
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
  return watchdog;
}

/**
 * The "+pgid" / "-pgid" lines for the watchdog. A registration is written at once (it is
 * what lets the watchdog kill a group whose processes cleared their environment, so it must
 * not wait). An unregistration can wait: it is sent with the next registration, or after
 * `delayMs`, whichever comes first. A sequence of short commands then costs one pipe write
 * per command instead of two; each write wakes the watchdog process, which on a busy
 * machine made the two writes 0.2–0.4 ms of every command (bench/engine-overhead.mjs).
 * A late "-pgid" is harmless: it only keeps an exited group in the watchdog's list a little
 * longer, and a kill of a group that no longer exists does nothing (a pid is not reused
 * within that time).
 */
export class WatchdogChannel {
  private pending = '';
  private timer: NodeJS.Timeout | undefined;
  /** pipe writes so far (for tests and the benchmark) */
  writes = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly delayMs = 100,
  ) {}

  track(pgid: number): void {
    this.send(`${this.take()}+${pgid}\n`);
  }

  untrack(pgid: number): void {
    this.pending += `-${pgid}\n`;
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.delayMs);
      // a pending unregistration must not keep netwiz alive
      this.timer.unref();
    }
  }

  /** sends what is waiting (netwiz exiting, or the delay is over) */
  flush(): void {
    const text = this.take();
    if (text) this.send(text);
  }

  private take(): string {
    const text = this.pending;
    this.pending = '';
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    return text;
  }

  private send(text: string): void {
    this.writes++;
    this.write(text);
  }
}

const channel = new WatchdogChannel((text) => {
  ensureWatchdog()?.stdin?.write(text);
});

/**
 * Call synchronously right before spawning a child: starts the watchdog if it is not running
 * yet and returns the environment entries the child must get, so that a kill of netwiz at
 * any moment after the spawn still reaches the child and everything it starts.
 */
export function ownedChildEnv(): Record<string, string> {
  ensureWatchdog();
  return { [OWNER_ENV]: ownerMarker() };
}

export function trackGroup(pgid: number): void {
  liveGroups.add(pgid);
  channel.track(pgid);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const g of liveGroups) signalGroup(g, 'SIGKILL');
      // a small pipe write goes out at once (libuv tries it synchronously)
      channel.flush();
    });
  }
}

export function untrackGroup(pgid: number): void {
  liveGroups.delete(pgid);
  channel.untrack(pgid);
}

/** pipe writes to the watchdog so far (one per command when commands run one after another) */
export function watchdogWrites(): number {
  return channel.writes;
}
