// The mutation journal: before a mutating command runs, what it is about to change and how
// to put it back goes to $XDG_STATE_HOME/netwiz/journal/<session>.jsonl (fsynced), so a
// crashed or killed session can be restored by `netwiz undo`. Append-only JSON lines:
//   {"type":"record","id":…,"argv":[…],"undo":[…],"target":{…},"cluster":{…},"at":…}
//   {"type":"restored","id":…,"ok":true,"at":…,"detail":…}
// An entry is pending until a `restored` line with ok:true follows it. Restoring runs the
// undo argv again; undos are absolute (scale to N, patch back the original value), so
// running one twice is harmless.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TargetSpec } from '../engine/model.js';
import { journalDir, sessionFileName } from './state-dir.js';
import type { ClusterOptions, Executor } from './types.js';

export interface JournalRecordInput {
  sessionId: string;
  /** the mutating command about to run */
  argv: string[];
  /** how to put back what it changes, as rendered by the engine */
  undo: string[];
  target: TargetSpec;
  cluster: ClusterOptions;
}

export interface JournalEntry extends JournalRecordInput {
  id: string;
  at: string;
  /** last restore attempt */
  restored?: { at: string; ok: boolean; detail?: string };
}

export interface RestoreResult {
  /** the undo argv that ran */
  argv: string[];
  ok: boolean;
  detail?: string;
}

type Line =
  | ({ type: 'record' } & Omit<JournalEntry, 'restored'>)
  | { type: 'restored'; id: string; ok: boolean; at: string; detail?: string };

export interface JournalOptions {
  /** environment to find the state dir in (default process.env) */
  env?: NodeJS.ProcessEnv;
  /** timeout of one undo command (default 60 s) */
  undoTimeoutMs?: number;
}

export function journalFile(sessionId: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(journalDir(env), `${sessionFileName(sessionId)}.jsonl`);
}

/** append one line and fsync it: the record must survive a kill -9 right after */
async function appendLine(file: string, line: Line): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true, mode: 0o700 });
  const fh = await open(file, 'a', 0o600);
  try {
    await fh.write(`${JSON.stringify(line)}\n`);
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

/** every entry of a session with its last restore attempt; a torn last line (crash while
 * writing) is ignored */
export async function readJournal(sessionId: string, opts: JournalOptions = {}): Promise<JournalEntry[]> {
  let text: string;
  try {
    text = await readFile(journalFile(sessionId, opts.env), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const entries = new Map<string, JournalEntry>();
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    let line: Line;
    try {
      line = JSON.parse(raw) as Line;
    } catch {
      continue;
    }
    if (line.type === 'record') {
      const { type: _t, ...entry } = line;
      entries.set(line.id, entry);
    } else if (line.type === 'restored') {
      const e = entries.get(line.id);
      if (e) e.restored = { at: line.at, ok: line.ok, ...(line.detail ? { detail: line.detail } : {}) };
    }
  }
  return [...entries.values()];
}

/** Record a mutation before running it. Resolves once the line is on disk. */
export async function record(e: JournalRecordInput, opts: JournalOptions = {}): Promise<{ id: string }> {
  const id = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  await appendLine(journalFile(e.sessionId, opts.env), {
    type: 'record',
    id,
    at: new Date().toISOString(),
    sessionId: e.sessionId,
    argv: e.argv,
    undo: e.undo,
    target: e.target,
    cluster: e.cluster,
  });
  return { id };
}

/** mutations of a session not yet put back, in the order they were made */
export async function pendingEntries(sessionId: string, opts: JournalOptions = {}): Promise<JournalEntry[]> {
  return (await readJournal(sessionId, opts)).filter((e) => !e.restored?.ok);
}

export async function pending(sessionId: string, opts: JournalOptions = {}): Promise<{ argv: string[]; undo: string[] }[]> {
  return (await pendingEntries(sessionId, opts)).map((e) => ({ argv: e.argv, undo: e.undo }));
}

/** sessions that still have something to put back */
export async function sessionsWithPending(opts: JournalOptions = {}): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(journalDir(opts.env));
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names.filter((x) => x.endsWith('.jsonl')).sort()) {
    const id = n.slice(0, -'.jsonl'.length);
    if ((await pendingEntries(id, opts)).length > 0) out.push(id);
  }
  return out;
}

/**
 * Run the undo of every pending entry, newest first, and mark each one restored. Entries
 * already restored are skipped, so calling this twice is harmless. A failed undo stays
 * pending (with its failure noted) for the next `netwiz undo`.
 * `executor` may be a function that gives an executor for an entry's cluster options
 * (what `netwiz undo` does: the crashed session's --context may not be today's).
 */
export async function restoreSession(
  sessionId: string,
  executor: Executor | ((cluster: ClusterOptions) => Executor),
  opts: JournalOptions = {},
): Promise<RestoreResult[]> {
  const file = journalFile(sessionId, opts.env);
  const todo = (await pendingEntries(sessionId, opts)).reverse();
  const results: RestoreResult[] = [];
  for (const e of todo) {
    const ex = typeof executor === 'function' ? executor(e.cluster) : executor;
    const r = await ex.run({ argv: e.undo, target: e.target, timeoutMs: opts.undoTimeoutMs ?? 60_000 });
    const ok = r.exitCode === 0;
    const detail = ok
      ? undefined
      : (r.spawnError ?? (r.timedOut ? 'timed out' : r.cancelled ? 'cancelled' : `exit ${r.exitCode}: ${(r.stderr || r.stdout).trim().slice(0, 500)}`));
    await appendLine(file, { type: 'restored', id: e.id, ok, at: new Date().toISOString(), ...(detail ? { detail } : {}) });
    results.push({ argv: e.undo, ok, ...(detail ? { detail } : {}) });
  }
  return results;
}

/** The journal as an object, for the driver (bound to one environment). */
export interface MutationJournal {
  record(e: JournalRecordInput): Promise<{ id: string }>;
  restoreSession(sessionId: string, executor: Executor | ((cluster: ClusterOptions) => Executor)): Promise<RestoreResult[]>;
  pending(sessionId: string): Promise<{ argv: string[]; undo: string[] }[]>;
}

export function createJournal(opts: JournalOptions = {}): MutationJournal {
  return {
    record: (e) => record(e, opts),
    restoreSession: (id, ex) => restoreSession(id, ex, opts),
    pending: (id) => pending(id, opts),
  };
}
