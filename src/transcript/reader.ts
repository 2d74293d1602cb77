// Reading a transcript back. A session killed mid-write leaves a truncated last line: that
// line is reported as a warning and skipped, never thrown, so everything before it (every
// completed step) stays usable for export, replay and resume.
import { readFileSync } from 'node:fs';
import type { SessionState } from '../engine/types.js';
import { type TranscriptLine, TRANSCRIPT_VERSION } from './format.js';

export interface StateSnapshot {
  /** seq of the `state` line */
  seq: number;
  ts: string;
  state: SessionState;
}

export interface LoadedTranscript {
  path: string;
  /** every readable line, in file order (SessionEvents plus stamp and extras) */
  events: TranscriptLine[];
  /** the engine states recorded (one per completed step), in order: what a replay steps through */
  states: StateSnapshot[];
  /** damaged or unknown lines, as `file:line: what` — for the operator, never fatal */
  warnings: string[];
  /** the last line was cut short (the writer was killed while writing it) */
  truncatedTail: boolean;
}

/** Parse transcript text. Pure; `path` only names lines in warnings. */
export function parseTranscript(text: string, path = '<transcript>'): LoadedTranscript {
  const events: TranscriptLine[] = [];
  const states: StateSnapshot[] = [];
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
    if (line.type === 'state') {
      states.push({ seq: line.seq, ts: line.ts, state: line.state });
    }
  }
  return { path, events, states, warnings, truncatedTail };
}

/**
 * Load a transcript file: the events, the engine states for replay, warnings for damaged
 * lines. Throws only when the file cannot be read at all (missing, unreadable).
 */
export function loadTranscript(path: string): LoadedTranscript {
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
  return parseTranscript(text, path);
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
  /** lines after the previous frame's state, up to and including this state line */
  events: TranscriptLine[];
}

/**
 * The session as a sequence of states to step through (`netwiz replay`). Lines after the
 * last state (outcome, restores, end) form a final frame that keeps the last state.
 */
export function replayFrames(t: LoadedTranscript): ReplayFrame[] {
  const frames: ReplayFrame[] = [];
  let pending: TranscriptLine[] = [];
  for (const e of t.events) {
    pending.push(e);
    if (e.type === 'state') {
      frames.push({ seq: e.seq, ts: e.ts, state: e.state, events: pending });
      pending = [];
    }
  }
  const last = frames[frames.length - 1];
  if (pending.length > 0 && last) {
    const end = pending[pending.length - 1]!;
    frames.push({ seq: end.seq, ts: end.ts, state: last.state, events: pending });
  }
  return frames;
}
