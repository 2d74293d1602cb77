// Killing a whole process tree. Every command is spawned detached (setsid), so it leads a
// process group of its own and `kill(-pgid)` reaches its children and grandchildren too
// (`sh -c 'sleep 600 & wait'`), not just the direct child execa knows about.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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

/** Whether any process (a zombie included) is still in group `pgid`: one kill(-pgid, 0). */
export function groupExists(pgid: number): boolean {
  // Asked after every command, and the answer is nearly always "no" (ESRCH), which
  // process.kill throws: without a stack trace the throw costs a few µs instead of ~30.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    // EPERM: something is there that we may not signal
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  } finally {
    Error.stackTraceLimit = limit;
  }
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
 *
 * The group lines go to a *registry file*, not down the pipe: a small temp file, unlinked
 * as soon as it is open (nothing is left on disk, whatever dies how), that the watchdog
 * inherits as fd 3 and reads only once, when the pipe closes. A pipe write woke the
 * watchdog process on every command; on this 2-core machine each wake-up cost 0.1–0.3 ms
 * of the command it was for, and the watchdog's CPU time competed with the command itself
 * (bench/engine-overhead.mjs). An append to a page-cache file wakes nobody, and the page
 * cache outlives a kill -9 of netwiz, so the watchdog reads every line written before the
 * kill: a registration is as "at once" as it was. When the file cannot be made (no
 * writable tmpdir), the lines go down the pipe as before.
 */
export const OWNER_ENV = 'NETWIZ_OWNER';

const WATCHDOG_SRC = `
const fs = require('node:fs');
const owner = process.argv[1] || '';
// "fd3": the group lines are in the registry file on fd 3 (read once, at the end)
const registry = process.argv[2] === 'fd3' ? 3 : undefined;
const groups = new Set();
// complete lines only: a line without its newline was cut short and is not trusted
const apply = (text) => {
  let i;
  while ((i = text.indexOf('\\n')) >= 0) {
    const line = text.slice(0, i);
    text = text.slice(i + 1);
    const n = Number(line.slice(1));
    if (!Number.isInteger(n) || n <= 1) continue;
    if (line[0] === '+') groups.add(n);
    else if (line[0] === '-') groups.delete(n);
  }
  return text;
};
// lines that came down the pipe (no registry file, or netwiz fell back to the pipe after a
// failed append): applied after the file's, which they follow in time
let piped = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => {
  piped += d;
});
const readRegistry = () => {
  if (registry === undefined) return;
  try {
    const size = fs.fstatSync(registry).size;
    const b = Buffer.alloc(size);
    let got = 0;
    while (got < size) {
      const n = fs.readSync(registry, b, got, size - got, got);
      if (n <= 0) break;
      got += n;
    }
    apply(b.toString('latin1', 0, got));
  } catch {}
};
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
  readRegistry();
  apply(piped);
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
/** fd of the registry file the watchdog shares (undefined: none, the lines go down the pipe) */
let registryFd: number | undefined;

/** An empty temp file, already unlinked, open for appending; undefined when none can be made. */
export function openGroupRegistry(dir = tmpdir()): number | undefined {
  const file = join(dir, `netwiz-groups-${process.pid}-${randomBytes(6).toString('hex')}`);
  let fd: number;
  try {
    // O_APPEND: each line lands whole at the end; libuv opens it close-on-exec, so only
    // the watchdog (which gets it as fd 3) inherits it, never a command
    fd = openSync(file, 'ax+', 0o600);
  } catch {
    return undefined;
  }
  try {
    unlinkSync(file);
  } catch {
    // left behind: a few bytes of pids, mode 0600
  }
  return fd;
}

/** this netwiz process's marker: pid plus randomness, so a reused pid cannot match */
export function ownerMarker(): string {
  return (owner ??= `${process.pid}-${randomBytes(6).toString('hex')}`);
}

function ensureWatchdog(): ChildProcess | undefined {
  // called twice per command: the running watchdog first, without a process.env read (a
  // C++ getenv each time)
  if (watchdog && !watchdogBroken) return watchdog;
  if (watchdogBroken || process.env.NETWIZ_NO_WATCHDOG === '1') return undefined;
  // the watchdog must not carry our marker itself (it skips its own pid too)
  const env = { ...process.env };
  delete env[OWNER_ENV];
  const fd = openGroupRegistry();
  try {
    watchdog = spawn(process.execPath, ['-e', WATCHDOG_SRC, ownerMarker(), ...(fd !== undefined ? ['fd3'] : [])], {
      stdio: fd !== undefined ? ['pipe', 'ignore', 'ignore', fd] : ['pipe', 'ignore', 'ignore'],
      detached: true,
      env,
    });
  } catch {
    watchdogBroken = true;
    if (fd !== undefined) closeSync(fd);
    return undefined;
  }
  registryFd = fd;
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
 * `delayMs`, whichever comes first, so a sequence of short commands costs one write per
 * command instead of two. (That mattered most when every line went down the pipe and woke
 * the watchdog; with the registry file it saves one write(2) per command.)
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
  const w = ensureWatchdog();
  if (!w) return;
  if (registryFd !== undefined) {
    try {
      writeSync(registryFd, text);
      registryWrites++;
      return;
    } catch {
      // disk full or the like: from now on the pipe, which the watchdog also reads
      registryFd = undefined;
    }
  }
  w.stdin?.write(text);
});
let registryWrites = 0;

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

/** group-line writes for the watchdog so far (one per command when commands run one after another) */
export function watchdogWrites(): number {
  return channel.writes;
}

/** of those, how many went to the registry file rather than down the pipe (each pipe write wakes the watchdog) */
export function watchdogRegistryWrites(): number {
  return registryWrites;
}
