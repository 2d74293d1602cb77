// The lab's ledger: every object the data plane creates (netns, /etc/netns dirs, processes,
// files) is appended here *before* it is created, so `down` can remove exactly those, even
// after a crash, from the file alone. Append-only JSON lines; removals are records too.
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { execa } from 'execa';

export type LedgerEntry =
  | { t: 'lab'; prefix: string; stateDir: string; scenario: string; at: string }
  | { t: 'netns'; name: string }
  | { t: 'etcnetns'; path: string }
  | { t: 'pid'; pid: number; cmdline: string[]; what: string }
  | { t: 'path'; path: string }
  | { t: 'warning'; message: string }
  | { t: 'removed'; key: string };

export function entryKey(e: LedgerEntry): string | undefined {
  switch (e.t) {
    case 'netns':
      return `netns:${e.name}`;
    case 'etcnetns':
      return `etcnetns:${e.path}`;
    case 'pid':
      return `pid:${e.pid}`;
    case 'path':
      return `path:${e.path}`;
    default:
      return undefined;
  }
}

/** subdirectories of a lab state dir that hold only files the ledger lists */
export const STATE_SUBDIRS = ['logs', 'run', 'nodes'] as const;

export class Ledger {
  private dirMade = false;

  constructor(readonly file: string) {}

  /** synchronous on purpose: the record is on disk before the caller creates the object */
  record(e: LedgerEntry): void {
    if (!this.dirMade) {
      mkdirSync(dirname(this.file), { recursive: true });
      this.dirMade = true;
    }
    appendFileSync(this.file, `${JSON.stringify(e)}\n`);
  }

  removed(e: LedgerEntry): void {
    const key = entryKey(e);
    if (key !== undefined) this.record({ t: 'removed', key });
  }

  read(): LedgerEntry[] {
    return readLedger(this.file);
  }
}

export function readLedger(file: string): LedgerEntry[] {
  if (!existsSync(file)) return [];
  const out: LedgerEntry[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      out.push(JSON.parse(line) as LedgerEntry);
    } catch {
      // a torn last line after a crash: everything before it is still valid
    }
  }
  return out;
}

/** objects created and not yet removed, in creation order (a re-created object counts again) */
export function liveEntries(entries: LedgerEntry[]): LedgerEntry[] {
  const live = new Map<string, LedgerEntry>();
  for (const e of entries) {
    if (e.t === 'removed') {
      live.delete(e.key);
      continue;
    }
    const key = entryKey(e);
    if (key === undefined) continue;
    live.delete(key);
    live.set(key, e);
  }
  return [...live.values()];
}

export function ledgerHeader(entries: LedgerEntry[]): Extract<LedgerEntry, { t: 'lab' }> | undefined {
  for (const e of entries) if (e.t === 'lab') return e;
  return undefined;
}

async function pidMatches(pid: number, cmdline: string[]): Promise<boolean> {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const args = raw.split('\0').filter((a) => a !== '');
    // `ip netns exec NS node app.mjs` execs node, so compare the tail we launched
    const tail = cmdline.slice(-Math.min(cmdline.length, 3));
    return tail.every((a) => args.includes(a));
  } catch {
    return false;
  }
}

export interface DownReport {
  removed: string[];
  errors: string[];
}

/**
 * Remove every live object the ledger lists, newest first. Idempotent: objects already gone
 * count as removed. Refuses anything outside the lab's own prefix and state dir.
 */
export async function downFromLedger(file: string): Promise<DownReport> {
  const entries = readLedger(file);
  const header = ledgerHeader(entries);
  const report: DownReport = { removed: [], errors: [] };
  if (header === undefined) {
    if (entries.length > 0) report.errors.push(`${file}: no lab header line; refusing to guess what to remove`);
    return report;
  }
  const ledger = new Ledger(file);
  const { prefix, stateDir } = header;
  const live = liveEntries(entries).reverse();

  const done = (e: LedgerEntry, what: string): void => {
    ledger.removed(e);
    report.removed.push(what);
  };

  // 1. processes we started (apps, dnsmasq), matched by their command line, not by name
  for (const e of live) {
    if (e.t !== 'pid') continue;
    if (await pidMatches(e.pid, e.cmdline)) {
      try {
        process.kill(e.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    done(e, `pid ${e.pid} (${e.what})`);
  }
  // 2. anything else still running inside our namespaces (a tcpdump, an exec) would keep
  //    nothing alive once the netns is gone, but kill it so no process lingers in limbo
  const netnsEntries = live.filter((e): e is Extract<LedgerEntry, { t: 'netns' }> => e.t === 'netns');
  for (const e of netnsEntries) {
    if (!e.name.startsWith(`${prefix}-`)) {
      report.errors.push(`netns ${e.name}: not under the lab prefix ${prefix}; left alone`);
      continue;
    }
    const pids = await execa('ip', ['netns', 'pids', e.name], { reject: false });
    if (pids.exitCode === 0) {
      for (const p of pids.stdout.split(/\s+/).filter(Boolean)) {
        try {
          process.kill(Number(p), 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
  }
  // 3. namespaces: deleting one removes its devices, routes and nft tables with it
  for (const e of netnsEntries) {
    if (!e.name.startsWith(`${prefix}-`)) continue;
    const r = await execa('ip', ['netns', 'delete', e.name], { reject: false });
    if (r.exitCode === 0 || !existsSync(`/run/netns/${e.name}`)) done(e, `netns ${e.name}`);
    else report.errors.push(`netns ${e.name}: ${r.stderr.trim()}`);
  }
  // 4. /etc/netns/NAME dirs (resolv.conf for `ip netns exec`) and state files
  for (const e of live) {
    if (e.t === 'etcnetns') {
      if (!e.path.startsWith(`/etc/netns/${prefix}-`)) {
        report.errors.push(`${e.path}: not a lab /etc/netns dir; left alone`);
        continue;
      }
      rmSync(e.path, { recursive: true, force: true });
      done(e, e.path);
    } else if (e.t === 'path') {
      if (!e.path.startsWith(`${stateDir}/`)) {
        report.errors.push(`${e.path}: outside the lab state dir ${stateDir}; left alone`);
        continue;
      }
      rmSync(e.path, { recursive: true, force: true });
      done(e, e.path);
    }
  }
  // the directories those files lived in (fixed names under the state dir; the ledger stays)
  if (report.errors.length === 0) {
    for (const d of STATE_SUBDIRS) rmSync(`${stateDir}/${d}`, { recursive: true, force: true });
  }
  return report;
}
