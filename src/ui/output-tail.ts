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

export class TailBuffer {
  private lines: string[] = [];
  private partial = '';
  private totalLines = 0;
  private totalBytes = 0;

  constructor(
    private readonly maxLines = 200,
    private readonly maxLineChars = 400,
  ) {}

  append(chunk: string): void {
    if (chunk.length === 0) return;
    this.totalBytes += Buffer.byteLength(chunk);
    let start = 0;
    let nl = chunk.indexOf('\n');
    if (nl < 0) {
      // keep only a bounded head of an unterminated line
      if (this.partial.length < this.maxLineChars * 4) this.partial += chunk.slice(0, this.maxLineChars * 4);
      return;
    }
    // count every newline, but only sanitise the lines that can still be shown
    const parts: string[] = [];
    while (nl >= 0) {
      parts.push(chunk.slice(start, nl));
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    this.totalLines += parts.length;
    const first = this.partial + (parts[0] ?? '');
    this.partial = chunk.slice(start, start + this.maxLineChars * 4);
    const keepFrom = Math.max(0, parts.length - this.maxLines);
    if (keepFrom === 0) this.lines.push(sanitizeLine(first, this.maxLineChars));
    for (let i = Math.max(1, keepFrom); i < parts.length; i++) {
      this.lines.push(sanitizeLine(parts[i] as string, this.maxLineChars));
    }
    // amortised trim: splice only when twice over the bound
    if (this.lines.length > this.maxLines * 2) this.lines = this.lines.slice(-this.maxLines);
  }

  snapshot(): TailSnapshot {
    const lines = this.lines.slice(-this.maxLines);
    if (this.partial.length > 0) {
      lines.push(sanitizeLine(this.partial, this.maxLineChars));
      if (lines.length > this.maxLines) lines.shift();
    }
    return { lines, totalLines: this.totalLines, totalBytes: this.totalBytes };
  }
}
