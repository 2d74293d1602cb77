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
import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { Catalog } from '../engine/model.js';
import type { CommandResult } from '../engine/types.js';
import type { SessionEvent, SessionObserver } from '../session/events.js';
import type { SessionState } from '../engine/types.js';
import { playbooksHash, reachablePlaybooks } from './fold.js';
import { type TranscriptEvent, type TranscriptExtras, TRANSCRIPT_VERSION } from './format.js';
import { outputDirFor, outputFileFor } from './paths.js';
import { takeRedactedOnWrite } from './redacted-files.js';
import { createOutputRedactor, mayHoldSecret, redactText, redactValue } from './redact.js';

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
/** Bytes read (and redacted) per slice of a big kept output. */
export const REDACT_SLICE_BYTES = 1024 * 1024;

// Keywords of the prefilter are at most this long: a slice's latin1 view is tested with the
// end of the previous one in front, so a keyword cut by a slice edge is still seen.
const KEYWORD_OVERLAP = 16;

/**
 * Whether any byte range of the file may hold something redactText would change (the
 * prefilter's keywords; all ASCII, so a latin1 view of UTF-8 bytes is enough: bytes of
 * multi-byte characters are ≥ 0x80 and never form one).
 */
function sliceMayHoldSecret(buf: Buffer, n: number, carry: string): { hit: boolean; carry: string } {
  const view = carry + buf.toString('latin1', 0, n);
  return { hit: mayHoldSecret(view), carry: view.slice(-KEYWORD_OVERLAP) };
}

/**
 * Redact a kept output file in place (write beside, then rename, so a crash leaves either
 * the old or the new file, never half of one). Synchronous: used where nothing else runs
 * meanwhile (sweeping an interrupted session's outputs before export, resume, sessions).
 * The live session uses redactFileAsync.
 */
export function redactFileInPlace(file: string, sliceBytes = REDACT_SLICE_BYTES): void {
  if (!existsSync(file)) return;
  const size = statSync(file).size;
  if (size === 0) return;
  const tmp = `${file}.redacting`;
  // Whole in memory only while small: a 100 MiB output read as one string, plus the copy
  // each pattern makes, took the wizard from ~120 to ~340 MiB RSS (bench/output-flood.mjs).
  if (size <= REDACT_WHOLE_MAX_BYTES) {
    const text = readFileSync(file, 'utf8');
    const red = redactText(text);
    if (red === text) return;
    writeFileSync(tmp, red, { mode: 0o600 });
    renameSync(tmp, file);
    return;
  }
  const buf = Buffer.alloc(sliceBytes);
  const fd = openSync(file, 'r');
  try {
    // pass 1: one keyword scan; a big output with nothing to hide is left as it is
    let carry = '';
    let hit = false;
    for (let pos = 0; !hit; ) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      ({ hit, carry } = sliceMayHoldSecret(buf, n, carry));
    }
    if (!hit) return;
    // pass 2: slice by slice through the stream redactor (UTF-8-safe decoding, cuts where no rule spans)
    const out = openSync(tmp, 'w', 0o600);
    const redactor = createOutputRedactor(sliceBytes);
    const decoder = new StringDecoder('utf8');
    try {
      for (let pos = 0; ; ) {
        const n = readSync(fd, buf, 0, buf.length, pos);
        if (n === 0) break;
        pos += n;
        const red = redactor.push(decoder.write(buf.subarray(0, n)));
        if (red) writeSync(out, red);
      }
      const rest = redactor.push(decoder.end()) + redactor.end();
      if (rest) writeSync(out, rest);
      if (redactor.changed) fsyncSync(out);
    } finally {
      closeSync(out);
    }
    if (!redactor.changed) {
      rmSync(tmp, { force: true });
      return;
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export interface RedactFileAsyncOptions {
  /** bytes per slice (default REDACT_SLICE_BYTES) */
  sliceBytes?: number;
  /** called after each slice is done, before yielding to the event loop (tests) */
  onSlice?: (pass: 'scan' | 'redact') => void;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * redactFileInPlace without blocking the event loop: async reads, one slice of CPU work at
 * a time and a turn of the event loop after each, so the wizard keeps answering keys while
 * a 100 MiB output is checked (bench/output-flood.mjs: 0.6–1.7 s without a key before).
 * Same guarantees: a file with nothing to hide is only scanned, a redacted one is written
 * beside (`.redacting`) and renamed over the original, so a crash leaves the raw file
 * under its own name (and the transcript without its session-end: whatever reads it next
 * sweeps the outputs). Resolves true when the file was rewritten.
 */
export async function redactFileAsync(file: string, opts: RedactFileAsyncOptions = {}): Promise<boolean> {
  const sliceBytes = opts.sliceBytes ?? REDACT_SLICE_BYTES;
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const tmp = `${file}.redacting`;
  let renamed = false;
  try {
    const size = (await fh.stat()).size;
    if (size === 0) return false;
    const buf = Buffer.alloc(Math.min(sliceBytes, size));
    let carry = '';
    let hit = false;
    for (let pos = 0; !hit; ) {
      const { bytesRead: n } = await fh.read(buf, 0, buf.length, pos);
      if (n === 0) break;
      pos += n;
      ({ hit, carry } = sliceMayHoldSecret(buf, n, carry));
      opts.onSlice?.('scan');
      await yieldToLoop();
    }
    if (!hit) return false;
    const out = await open(tmp, 'w', 0o600);
    const redactor = createOutputRedactor(sliceBytes);
    const decoder = new StringDecoder('utf8');
    try {
      for (let pos = 0; ; ) {
        const { bytesRead: n } = await fh.read(buf, 0, buf.length, pos);
        if (n === 0) break;
        pos += n;
        const red = redactor.push(decoder.write(buf.subarray(0, n)));
        if (red) await out.write(red);
        opts.onSlice?.('redact');
        await yieldToLoop();
      }
      const rest = redactor.push(decoder.end()) + redactor.end();
      if (rest) await out.write(rest);
      if (redactor.changed) await out.sync();
    } finally {
      await out.close();
    }
    if (!redactor.changed) return false;
    await rename(tmp, file);
    renamed = true;
    return true;
  } finally {
    await fh.close();
    if (!renamed) await rm(tmp, { force: true });
  }
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

/** writers with kept outputs still being redacted (allTranscriptsIdle) */
const busyWriters = new Set<TranscriptWriter>();

/**
 * Resolves when no transcript writer of this process is still redacting a kept output (and
 * each has written its held session-end line). For a caller that ends the process with
 * process.exit and does not hold the writer itself.
 */
export async function allTranscriptsIdle(): Promise<void> {
  while (busyWriters.size > 0) await Promise.all([...busyWriters].map((w) => w.whenIdle()));
}


/**
 * The highest `seq` in a transcript's text (0 when none): a resumed writer continues after
 * it. Not reader.ts's loadTranscript: that pulls the playbook loader (zod, the validator)
 * into every session's start-up for the one case, resume, that needs a number. A torn or
 * foreign line is skipped, as the reader skips it.
 */
export function highestSeq(text: string): number {
  let max = 0;
  for (const line of text.split('\n')) {
    if (!line.includes('"seq"')) continue;
    try {
      const seq = (JSON.parse(line) as { seq?: unknown }).seq;
      if (typeof seq === 'number' && seq > max) max = seq;
    } catch {
      // a line cut by a crash
    }
  }
  return max;
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
      this.seq = highestSeq(readFileSync(this.path, 'utf8'));
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
    this.enqueue(event);
  }

  // --- kept outputs are redacted in the background (redactFileAsync) ---
  /** redactions of kept output files still running */
  private readonly redacting = new Set<Promise<void>>();
  /** lines held back until those finish: the session-end line and whatever follows it */
  private held: TranscriptEvent[] | null = null;
  private closeRequested = false;
  private idleWaiters: (() => void)[] = [];

  /**
   * The session-end line says the transcript is complete, and export and `sessions` trust a
   * complete transcript's outputs to be redacted: so it (and anything after it) waits for
   * the redactions still running. A crash before leaves no session-end, and whatever reads
   * the transcript next sweeps its outputs (redactOutputDir).
   */
  private enqueue(event: TranscriptEvent): void {
    if (this.closeRequested) {
      this.fail(new Error(`event ${event.type} after the transcript was closed`));
      return;
    }
    if (this.held) {
      this.held.push(event);
      return;
    }
    if (event.type === 'session-end' && this.redacting.size > 0) {
      this.held = [event];
      return;
    }
    this.write(event);
  }

  private redactInBackground(file: string): void {
    // written through the stream redactor by its capture and untouched since: already done
    if (takeRedactedOnWrite(file)) return;
    const p: Promise<void> = redactFileAsync(file).then(
      () => undefined,
      (err: unknown) => this.fail(err as Error),
    );
    this.redacting.add(p);
    busyWriters.add(this);
    void p.then(() => {
      this.redacting.delete(p);
      if (this.redacting.size === 0) {
        busyWriters.delete(this);
        this.settle();
      }
    });
  }

  /** every background redaction is done: write what was held, close if asked, wake waiters */
  private settle(): void {
    const held = this.held;
    this.held = null;
    for (const ev of held ?? []) this.write(ev);
    if (this.closeRequested) this.closeNow();
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Kept outputs still being redacted in the background (0: the transcript is as complete as its events). */
  get pendingRedactions(): number {
    return this.redacting.size;
  }

  /**
   * Resolves when no kept output is still being redacted and every held line is written
   * (and the file closed, when close() was called). Await it before leaving the process
   * with process.exit, or before exporting the live session's transcript.
   */
  whenIdle(): Promise<void> {
    if (this.redacting.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
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
    this.enqueue(event);
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
      // the line holds the whole output: a copy beside it would only be clutter. A command
      // that printed nothing has no file (the capture makes it with the first byte): no
      // look for one (two lstat(2)s per silent command, ~1 % of a run of 1,000 `true`s)
      if (r.stdout !== '' || r.stderr !== '') for (const f of [stdoutFile, stderrFile]) if (f) rmSync(f, { force: true });
      delete r.outputFile;
      return r;
    }
    // the executor wrote these redacted as they streamed (exec/capture.ts); this pass makes
    // sure of it for any executor, in the background: the UI must not stop for 100 MiB
    for (const f of [stdoutFile, stderrFile]) if (f && existsSync(f)) this.redactInBackground(f);
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

  /**
   * fsync and close; later events are reported through onError. Idempotent. While kept
   * outputs are still being redacted, the close (and the held session-end line) happens
   * when they finish: whenIdle() resolves then.
   */
  close(): void {
    this.closeRequested = true;
    if (this.redacting.size > 0) return;
    this.closeNow();
  }

  private closeNow(): void {
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
