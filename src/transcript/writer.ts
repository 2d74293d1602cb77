// The transcript writer: a SessionObserver that appends each event, redacted, as one JSON
// line with one write(2) on an O_APPEND fd. Page cache survives kill -9, so a killed
// session loses at most the line being written, fsync or not; fsync only matters when the
// machine itself goes down, and is done at milestones and at most once a second for steps
// (docs/transcript-format.md, Durability). Full `state` snapshots are sparse: the states
// between them are rebuilt from the engine events (fold.ts), so each step costs O(step).
import {
  closeSync,
  existsSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Catalog } from '../engine/model.js';
import type { CommandResult } from '../engine/types.js';
import type { SessionEvent, SessionObserver } from '../session/events.js';
import type { SessionState } from '../engine/types.js';
import { playbooksHash, reachablePlaybooks } from './fold.js';
import { type TranscriptEvent, type TranscriptExtras, TRANSCRIPT_VERSION } from './format.js';
import { outputDirFor, outputFileFor } from './paths.js';
import { lastSeq, loadTranscript } from './reader.js';
import { redactText, redactValue } from './redact.js';

/** Outputs longer than this (characters) go to `<transcript>.d/` and are trimmed in the line. */
export const DEFAULT_INLINE_LIMIT = 4096;

export interface TranscriptWriterOptions {
  path: string;
  /** lets the writer name the symptom and the cause's title and fix in the transcript itself */
  catalog?: Catalog;
  inlineLimit?: number;
  /** appending to an existing transcript (resume): seq continues after its last line */
  append?: boolean;
  now?: () => Date;
  /** a write failed (disk full…); default: one warning on stderr. The session goes on. */
  onError?: (err: Error) => void;
  /** a full `state` snapshot at least every this many completed steps (default 100) */
  snapshotEverySteps?: number;
  /** …or when the lines since the last snapshot exceed this many bytes (default 1 MiB) */
  snapshotEveryBytes?: number;
  /** step completions are fsync'ed at most this often, in ms (default 1000; 0 = every step) */
  stepSyncIntervalMs?: number;
}

export const DEFAULT_SNAPSHOT_EVERY_STEPS = 100;
export const DEFAULT_SNAPSHOT_EVERY_BYTES = 1 << 20;
export const DEFAULT_STEP_SYNC_INTERVAL_MS = 1000;

/** Lines after which the file is always fsync'ed: a snapshot, or something irreversible happened. */
// (fsync costs ~4 ms on this machine's ext4: once per step would be most of a 1,000-step
// session's time; engine events are synced at most once per stepSyncIntervalMs instead)
const SYNC_AFTER = new Set<TranscriptEvent['type']>([
  'session-start',
  'state',
  'mutation',
  'restore',
  'outcome',
  'session-end',
  'transcript-resume',
]);

/** Trim text for the line: head and tail, with a marker naming where the whole text is. */
export function trimForLine(text: string, limit: number, wholeAt: string): string {
  if (text.length <= limit) return text;
  const headLen = Math.floor((limit * 2) / 3);
  const tailLen = limit - headLen;
  const omitted = text.length - headLen - tailLen;
  return (
    text.slice(0, headLen) +
    `\n[… ${omitted} characters omitted; whole output in ${wholeAt} …]\n` +
    text.slice(text.length - tailLen)
  );
}

/** Kept outputs up to this size are redacted as one string; bigger ones slice by slice. */
export const REDACT_WHOLE_MAX_BYTES = 1024 * 1024;
const REDACT_SLICE_BYTES = 1024 * 1024;

/**
 * Redact a kept output file in place (write beside, then rename, so a crash leaves either
 * the old or the new file, never half of one). Files too big for memory are redacted
 * line by line in slices.
 */
export function redactFileInPlace(file: string): void {
  if (!existsSync(file)) return;
  const size = statSync(file).size;
  if (size === 0) return;
  const tmp = `${file}.redacting`;
  // Whole in memory only while small: a 100 MiB output read as one string, plus the copy
  // each pattern makes, took the wizard from ~120 to ~340 MiB RSS (bench/output-flood.mjs);
  // 1 MiB slices keep it near 160 MiB (H9).
  if (size <= REDACT_WHOLE_MAX_BYTES) {
    const text = readFileSync(file, 'utf8');
    const red = redactText(text);
    if (red === text) return;
    writeFileSync(tmp, red, { mode: 0o600 });
  } else {
    const fd = openSync(file, 'r');
    const out = openSync(tmp, 'w', 0o600);
    let changed = false;
    try {
      const buf = Buffer.alloc(REDACT_SLICE_BYTES);
      // a multi-byte character cut at a slice edge must not turn into U+FFFD
      const decoder = new StringDecoder('utf8');
      let carry = '';
      let pos = 0;
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, pos);
        if (n === 0) break;
        pos += n;
        carry += decoder.write(buf.subarray(0, n));
        const cut = carry.lastIndexOf('\n');
        // keep a private-key block whole: wait for its END line
        if (cut < 0 || (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(carry) && !/-----END [A-Z0-9 ]*PRIVATE KEY-----/.test(carry))) continue;
        const part = carry.slice(0, cut + 1);
        const red = redactText(part);
        if (red !== part) changed = true;
        writeSync(out, red);
        carry = carry.slice(cut + 1);
      }
      carry += decoder.end();
      if (carry) {
        const red = redactText(carry);
        if (red !== carry) changed = true;
        writeSync(out, red);
      }
      if (changed) fsyncSync(out);
    } finally {
      closeSync(fd);
      closeSync(out);
    }
    // nothing to hide: keep the file as it is (as the whole-file path does), no 100 MiB rewrite
    if (!changed) {
      rmSync(tmp, { force: true });
      return;
    }
  }
  renameSync(tmp, file);
}

/**
 * Redact every kept output beside a transcript. The executor writes outputs raw while a
 * command runs and the writer redacts them when it finishes; a crash in between leaves a
 * raw file, so whatever reopens or reads an interrupted transcript sweeps them.
 */
export function redactOutputDir(transcriptPath: string): number {
  const dir = outputDirFor(transcriptPath);
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const name of readdirSync(dir)) {
    const f = join(dir, name);
    if (name.endsWith('.redacting')) {
      // a redaction cut short by a crash: the original is still there, redone below
      rmSync(f, { force: true });
      continue;
    }
    if (!statSync(f).isFile()) continue;
    redactFileInPlace(f);
    n++;
  }
  return n;
}

export class TranscriptWriter implements SessionObserver {
  readonly path: string;
  private fd: number | undefined;
  private seq: number;
  private readonly catalog: Catalog | undefined;
  private readonly inlineLimit: number;
  private readonly now: () => Date;
  private readonly onError: (err: Error) => void;
  /** write errors met so far (the session does not stop for them) */
  readonly errors: Error[] = [];
  private readonly snapEverySteps: number;
  private readonly snapEveryBytes: number;
  private readonly syncInterval: number;
  /** the last `state` written (undefined: none yet by this writer) */
  private lastSnapshot: SessionState | undefined;
  /** bytes written since that snapshot */
  private bytesSinceSnapshot = 0;
  /** a command-finished line since that snapshot was trimmed: folding it would not give the live state */
  private lossySinceSnapshot = false;
  private lastSync = 0;
  private unsynced = false;

  constructor(opts: TranscriptWriterOptions) {
    this.path = opts.path;
    this.catalog = opts.catalog;
    this.inlineLimit = opts.inlineLimit ?? DEFAULT_INLINE_LIMIT;
    this.now = opts.now ?? (() => new Date());
    this.snapEverySteps = opts.snapshotEverySteps ?? DEFAULT_SNAPSHOT_EVERY_STEPS;
    this.snapEveryBytes = opts.snapshotEveryBytes ?? DEFAULT_SNAPSHOT_EVERY_BYTES;
    this.syncInterval = opts.stepSyncIntervalMs ?? DEFAULT_STEP_SYNC_INTERVAL_MS;
    let warned = false;
    this.onError =
      opts.onError ??
      ((err) => {
        if (warned) return;
        warned = true;
        process.stderr.write(`netwiz: cannot write transcript ${this.path}: ${err.message}\n`);
      });
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    this.seq = 0;
    if (opts.append && existsSync(this.path)) {
      this.seq = lastSeq(loadTranscript(this.path));
      redactOutputDir(this.path);
    }
    this.fd = openSync(this.path, 'a', 0o600);
    // a crash mid-line leaves no newline: start on a fresh line so the next event stays whole
    const size = fstatSync(this.fd).size;
    if (size > 0) {
      const last = Buffer.alloc(1);
      const rfd = openSync(this.path, 'r');
      try {
        readSync(rfd, last, 0, 1, size - 1);
      } finally {
        closeSync(rfd);
      }
      if (last[0] !== 0x0a) writeSync(this.fd, '\n');
    }
  }

  onEvent(event: SessionEvent): void {
    if (event.type === 'state' && !this.wantSnapshot(event.state)) return;
    this.write(event);
  }

  /**
   * Whether this completed step gets a full snapshot line. Always: the first state (also
   * the first after a resume), the end, a step going back (`back` rewinds without an
   * engine event), after an output too long for its line (a fold would see the trimmed
   * text); otherwise every snapEverySteps steps or snapEveryBytes bytes, so rebuilding
   * any state folds a bounded number of events.
   */
  private wantSnapshot(state: SessionState): boolean {
    const last = this.lastSnapshot;
    return (
      last === undefined ||
      state.status !== 'running' ||
      state.history.length < last.history.length ||
      this.lossySinceSnapshot ||
      state.history.length - last.history.length >= this.snapEverySteps ||
      this.bytesSinceSnapshot >= this.snapEveryBytes
    );
  }

  /** Write a writer-level line (resume marker). */
  note(event: TranscriptEvent): void {
    this.write(event);
  }

  /** The line as it will be written: redacted, outputs trimmed (and kept on disk), extras added. */
  private prepare(event: TranscriptEvent, seq: number): Record<string, unknown> {
    let ev: TranscriptEvent & TranscriptExtras = event;
    if (ev.type === 'engine-event' && ev.event.type === 'command-finished') {
      const result = this.keepOutputs(ev.event.effectId, ev.event.result);
      if (result.stdout !== ev.event.result.stdout || result.stderr !== ev.event.result.stderr) this.lossySinceSnapshot = true;
      ev = { ...ev, event: { ...ev.event, result } };
    }
    ev = this.enrich(ev);
    const red = redactValue(ev);
    return { v: TRANSCRIPT_VERSION, seq, ts: this.now().toISOString(), ...red };
  }

  private write(event: TranscriptEvent): void {
    if (this.fd === undefined) {
      this.fail(new Error(`event ${event.type} after the transcript was closed`));
      return;
    }
    try {
      const seq = this.seq + 1;
      const line = `${JSON.stringify(this.prepare(event, seq))}\n`;
      // one write(2) per line; O_APPEND makes it land at the end as a unit
      writeSync(this.fd, line);
      this.seq = seq;
      if (event.type === 'state') {
        this.lastSnapshot = event.state;
        this.bytesSinceSnapshot = 0;
        this.lossySinceSnapshot = false;
      } else {
        this.bytesSinceSnapshot += line.length;
      }
      this.unsynced = true;
      const t = Date.now();
      if (SYNC_AFTER.has(event.type) || (event.type === 'engine-event' && t - this.lastSync >= this.syncInterval)) {
        fsyncSync(this.fd);
        this.lastSync = t;
        this.unsynced = false;
      }
    } catch (err) {
      this.fail(err as Error);
    }
  }

  private fail(err: Error): void {
    this.errors.push(err);
    this.onError(err);
  }

  /** Redact outputs the executor kept on disk; move long in-line outputs to files. */
  private keepOutputs(effectId: string, result: CommandResult): CommandResult {
    const r: CommandResult = { ...result };
    const stdoutFile = r.outputFile;
    const stderrFile = r.outputFile ? `${r.outputFile}.stderr` : undefined;
    if (r.stdout.length <= this.inlineLimit && r.stderr.length <= this.inlineLimit && !r.truncated) {
      // the line holds the whole output: a copy beside it would only be clutter
      for (const f of [stdoutFile, stderrFile]) if (f) rmSync(f, { force: true });
      delete r.outputFile;
      return r;
    }
    for (const f of [stdoutFile, stderrFile]) {
      if (!f) continue;
      try {
        redactFileInPlace(f);
      } catch (err) {
        this.fail(err as Error);
      }
    }
    if (r.stdout.length > this.inlineLimit || r.stderr.length > this.inlineLimit) {
      let out = stdoutFile;
      if (!out || !existsSync(out)) {
        out = outputFileFor(this.path, effectId);
        writeFileSync(out, redactText(r.stdout), { mode: 0o600 });
        if (r.stderr) writeFileSync(`${out}.stderr`, redactText(r.stderr), { mode: 0o600 });
        r.outputFile = out;
      } else if (stderrFile && !existsSync(stderrFile) && r.stderr.length > this.inlineLimit) {
        writeFileSync(stderrFile, redactText(r.stderr), { mode: 0o600 });
      }
      r.stdout = trimForLine(r.stdout, this.inlineLimit, out);
      r.stderr = trimForLine(r.stderr, this.inlineLimit, `${out}.stderr`);
      r.truncated = true;
    }
    return r;
  }

  private enrich(ev: TranscriptEvent & TranscriptExtras): TranscriptEvent & TranscriptExtras {
    const cat = this.catalog;
    if (!cat) return ev;
    if (ev.type === 'session-start') {
      const pb = cat[ev.playbook];
      if (pb) {
        return {
          ...ev,
          playbookTitle: pb.title,
          playbookSummary: pb.summary,
          playbookFile: pb.file,
          playbookFiles: [...new Set(reachablePlaybooks(cat, ev.playbook).map((p) => p.file).filter((f) => !!f))],
          playbooksHash: playbooksHash(cat, ev.playbook),
        };
      }
    }
    if (ev.type === 'outcome' && ev.outcome.cause) {
      for (const pb of Object.values(cat)) {
        const c = pb.causes.find((x) => x.id === ev.outcome.cause);
        if (c) {
          return {
            ...ev,
            cause: {
              id: c.id,
              title: c.title,
              explanation: c.explanation,
              fix: c.fix,
              references: c.references,
            },
            causePlaybook: pb.title,
          };
        }
      }
    }
    return ev;
  }

  /** fsync and close; later events are reported through onError. Idempotent. */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      if (this.unsynced) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/** Open (create or append to) a transcript. */
export function openTranscriptWriter(opts: TranscriptWriterOptions): TranscriptWriter {
  return new TranscriptWriter(opts);
}
