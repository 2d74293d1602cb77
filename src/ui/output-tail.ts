// Bounded tail of a command's live output, for the step view only (the transcript keeps
// the full text). A command that prints 100 MB must cost O(chunk) per append and hold at
// most `maxLines` short lines, so the UI neither freezes nor grows without bound.
import stripAnsi from 'strip-ansi';

export interface TailSnapshot {
  /** the last complete lines plus the line being written, oldest first, sanitised */
  lines: string[];
  totalLines: number;
  totalBytes: number;
}

// C0/C1 control characters other than tab would let hostile output move the cursor or
// retitle the terminal; they are dropped after ANSI sequences are stripped.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function sanitizeLine(raw: string, maxChars: number): string {
  // a carriage return redraws the line (progress bars): what a terminal shows is the last part
  const cr = raw.lastIndexOf('\r');
  let line = cr >= 0 ? raw.slice(cr + 1) : raw;
  // cut before stripping: a line can be megabytes long and only its head is shown
  if (line.length > maxChars * 4) line = line.slice(0, maxChars * 4);
  line = stripAnsi(line).replace(/\t/g, '  ').replace(CONTROL, '');
  return line.length > maxChars ? `${line.slice(0, maxChars - 1)}…` : line;
}

/** What sanitizeLine reads of a raw line: after its last carriage return, at most `max` characters. */
function headOf(raw: string, max: number): string {
  const cr = raw.lastIndexOf('\r');
  const line = cr >= 0 ? raw.slice(cr + 1) : raw;
  return line.length > max ? line.slice(0, max) : line;
}

/** A flat copy of `s` that does not keep the string it was cut from alive. */
function detach(s: string): string {
  // V8 represents a substring as a slice of its parent; joining makes a new string and
  // cutting that flattens it into a fresh one holding only these characters
  return s.length < 16 ? s : ` ${s}`.slice(1);
}

/**
 * A kept line, sanitised only when a snapshot shows it: a 64 KiB chunk of a flood keeps its
 * last 200 lines, but the screen shows 200 lines per frame, not per chunk. A short `raw` is
 * a slice of its chunk's detached block (only kept lines), so the blocks pinned hold little
 * more than the kept lines; a long one is cut to what sanitizeLine reads and copied.
 */
interface TailLine {
  raw: string;
  clean?: string;
}

export class TailBuffer {
  private lines: TailLine[] = [];
  private partial = '';
  private totalLines = 0;
  private totalBytes = 0;

  constructor(
    private readonly maxLines = 200,
    private readonly maxLineChars = 400,
  ) {}

  private clean(l: TailLine): string {
    l.clean ??= sanitizeLine(l.raw, this.maxLineChars);
    return l.clean;
  }

  append(chunk: string): void {
    if (chunk.length === 0) return;
    this.totalBytes += Buffer.byteLength(chunk);
    const start = 0;
    const nl = chunk.indexOf('\n');
    if (nl < 0) {
      // keep only a bounded head of an unterminated line
      if (this.partial.length < this.maxLineChars * 4) this.partial += chunk.slice(0, this.maxLineChars * 4);
      return;
    }
    // count every newline without cutting the chunk into lines: only the last maxLines
    // of a 64 KiB chunk (~800 lines of a flood) can still be shown, so only they are sliced
    let count = 0;
    const lastNl = chunk.lastIndexOf('\n');
    for (let i = nl; i >= 0 && i <= lastNl; i = chunk.indexOf('\n', i + 1)) count++;
    this.totalLines += count;
    const keep = Math.min(count, this.maxLines);
    let blockStart = start;
    if (keep < count) {
      // the newline before the first kept line is the (keep + 1)-th from the end
      let p = lastNl;
      for (let k = 0; k < keep; k++) p = chunk.lastIndexOf('\n', p - 1);
      blockStart = p + 1;
    }
    // the kept lines are cut from a copy of just their block: a substring would pin the
    // whole 64 KiB chunk, and pinned chunks surviving each scavenge made V8 grow the young
    // generation (~25 MiB more RSS while 100 MiB streamed, bench/output-flood.mjs)
    const block = detach(chunk.slice(blockStart, lastNl)).split('\n');
    if (keep === count) block[0] = this.partial + (block[0] ?? '');
    const long = this.maxLineChars * 4;
    for (const line of block) this.lines.push({ raw: line.length > long ? detach(headOf(line, long)) : line });
    this.partial = detach(chunk.slice(lastNl + 1, lastNl + 1 + this.maxLineChars * 4));
    // amortised trim: splice only when twice over the bound
    if (this.lines.length > this.maxLines * 2) this.lines = this.lines.slice(-this.maxLines);
  }

  snapshot(): TailSnapshot {
    const lines = this.lines.slice(-this.maxLines).map((l) => this.clean(l));
    if (this.partial.length > 0) {
      lines.push(sanitizeLine(this.partial, this.maxLineChars));
      if (lines.length > this.maxLines) lines.shift();
    }
    return { lines, totalLines: this.totalLines, totalBytes: this.totalBytes };
  }
}
