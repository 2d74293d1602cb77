// Reading a transcript back. A session killed mid-write leaves a truncated last line: that
// line is reported as a warning and skipped, never thrown, so everything before it (every
// completed step) stays usable for export, replay and resume.
import { existsSync, readFileSync } from 'node:fs';
import type { Catalog } from '../engine/model.js';
import type { SessionState } from '../engine/types.js';
import { loadPlaybookFiles } from '../playbook/catalog.js';
import { foldStates, needsFold, playbooksHash } from './fold.js';
import { type TranscriptLine, TRANSCRIPT_VERSION } from './format.js';

export interface StateSnapshot {
  /** seq of the `state` line, or for a rebuilt state the last line of its step (the
   * engine event, or the hypothesis lines after it) */
  seq: number;
  ts: string;
  state: SessionState;
  /** folded from the engine events since the last `state` line (none was written here) */
  rebuilt?: boolean;
}

export interface ReadOptions {
  /**
   * the playbooks to fold engine events with (states between the sparse `state` lines).
   * Default for loadTranscript: the files named in session-start (`playbookFiles`);
   * parseTranscript without a catalog returns only the written snapshots.
   */
  catalog?: Catalog;
}

export interface LoadedTranscript {
  path: string;
  /** every readable line, in file order (SessionEvents plus stamp and extras) */
  events: TranscriptLine[];
  /**
   * the engine states, one per completed step, in order: what a replay steps through and
   * resume starts from. Written `state` lines are sparse; the states between them are
   * folded from the engine events when the playbooks are at hand (see ReadOptions).
   */
  states: StateSnapshot[];
  /** damaged or unknown lines, as `file:line: what` — for the operator, never fatal */
  warnings: string[];
  /** the last line was cut short (the writer was killed while writing it) */
  truncatedTail: boolean;
}

/**
 * Parse transcript text. Pure; `path` only names lines in warnings. `states` is computed on
 * first access (folding engine events needs the playbooks); warnings about it are added then.
 */
export function parseTranscript(text: string, path = '<transcript>', opts: ReadOptions = {}): LoadedTranscript {
  const events: TranscriptLine[] = [];
  const warnings: string[] = [];
  let truncatedTail = false;
  const rawLines = text.split('\n');
  const endsWithNewline = text.endsWith('\n');
  for (let i = 0; i < rawLines.length; i++) {
    const raw = rawLines[i]!;
    if (raw.trim() === '') continue;
    const isLast = i === rawLines.length - 1;
    const where = `${path}:${i + 1}`;
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (err) {
      if (isLast && !endsWithNewline) {
        truncatedTail = true;
        warnings.push(
          `${where}: last line is incomplete (${raw.length} bytes; the session was interrupted while writing it) — skipped`,
        );
      } else {
        warnings.push(`${where}: damaged line skipped (${(err as Error).message})`);
      }
      continue;
    }
    if (obj === null || typeof obj !== 'object' || typeof (obj as { type?: unknown }).type !== 'string') {
      warnings.push(`${where}: not a transcript event (no "type") — skipped`);
      continue;
    }
    const line = obj as TranscriptLine;
    if (typeof line.v === 'number' && line.v > TRANSCRIPT_VERSION) {
      warnings.push(
        `${where}: written by a newer netwiz (format v${line.v}, this one reads v${TRANSCRIPT_VERSION}); read as best it can`,
      );
    }
    events.push(line);
  }
  // states are folded on first use: listing, exporting and appending need only the lines
  let states: StateSnapshot[] | undefined;
  return {
    path,
    events,
    get states(): StateSnapshot[] {
      states ??= statesOf(events, path, opts, warnings);
      return states;
    },
    warnings,
    truncatedTail,
  };
}

function statesOf(events: TranscriptLine[], path: string, opts: ReadOptions & { loadPlaybooks?: boolean }, warnings: string[]): StateSnapshot[] {
  const fold = needsFold(events);
  let catalog = opts.catalog;
  if (fold && !catalog && opts.loadPlaybooks) {
    catalog = catalogForTranscript(events);
    if (!catalog) {
      warnings.push(
        `${path}: the playbooks of this session could not be loaded, so only its recorded snapshots are read ` +
          `(the states between them are rebuilt from the playbooks; pass them to rebuild every step)`,
      );
    }
  }
  const start = events.find((e) => e.type === 'session-start');
  if (fold && catalog && start?.type === 'session-start' && start.playbooksHash) {
    const now = playbooksHash(catalog, start.playbook);
    if (now !== start.playbooksHash) {
      warnings.push(
        `${path}: the playbooks changed since this session was recorded (${start.playbooksHash.slice(0, 19)}… then, ` +
          `${now.slice(0, 19)}… now); states after the last snapshot are rebuilt with today's playbooks and may differ from what ran`,
      );
    }
  }
  return foldStates(events, fold ? catalog : undefined).map((f) => ({
    seq: f.seq,
    ts: f.ts,
    state: f.state,
    ...(f.rebuilt ? { rebuilt: true } : {}),
  }));
}

/**
 * The playbooks a transcript was recorded with, loaded from the files its session-start
 * names; undefined when they are gone or do not load (the caller warns).
 */
export function catalogForTranscript(events: readonly TranscriptLine[]): Catalog | undefined {
  const start = events.find((e) => e.type === 'session-start');
  if (!start || start.type !== 'session-start') return undefined;
  const files = (start.playbookFiles ?? (start.playbookFile ? [start.playbookFile] : [])).filter((f) => existsSync(f));
  if (files.length === 0) return undefined;
  try {
    const cat = loadPlaybookFiles(files).catalog;
    return cat[start.playbook] ? cat : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Load a transcript file: the events, the engine states for replay, warnings for damaged
 * lines. Throws only when the file cannot be read at all (missing, unreadable).
 */
export function loadTranscript(path: string, opts: ReadOptions = {}): LoadedTranscript {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new Error(
      `cannot read transcript ${path}: ${why} (list past sessions with: netwiz sessions)`,
    );
  }
  // without a catalog, the playbook files session-start names are loaded when states are first read
  return parseTranscript(text, path, { ...opts, loadPlaybooks: true } as ReadOptions);
}

/** Highest seq in a loaded transcript (0 when empty): a resumed writer continues after it. */
export function lastSeq(t: LoadedTranscript): number {
  let max = 0;
  for (const e of t.events) if (typeof e.seq === 'number' && e.seq > max) max = e.seq;
  return max;
}

/** One step of a replay: an engine state and the lines that led to it. */
export interface ReplayFrame {
  seq: number;
  ts: string;
  state: SessionState;
  /** lines after the previous frame's state, up to and including this step's last line */
  events: TranscriptLine[];
}

/**
 * The session as a sequence of states to step through (`netwiz replay`). Lines after the
 * last state (outcome, restores, end) form a final frame that keeps the last state.
 */
export function replayFrames(t: LoadedTranscript): ReplayFrame[] {
  const frames: ReplayFrame[] = [];
  let pending: TranscriptLine[] = [];
  let i = 0;
  const states = t.states;
  for (const e of t.events) {
    pending.push(e);
    // a state (written or rebuilt) closes the frame at its step's last line
    while (i < states.length && states[i]!.seq <= e.seq) {
      const s = states[i++]!;
      if (s.seq === e.seq) {
        frames.push({ seq: s.seq, ts: s.ts, state: s.state, events: pending });
        pending = [];
      }
    }
  }
  const last = frames[frames.length - 1];
  if (pending.length > 0 && last) {
    const end = pending[pending.length - 1]!;
    frames.push({ seq: end.seq, ts: end.ts, state: last.state, events: pending });
  }
  return frames;
}
