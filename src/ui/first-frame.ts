// The wizard's first frame as plain text. Loading Ink, React and yoga takes ~100 ms on our
// machines, longer than all the rest of start-up; the light entry (launch.ts) prints this
// frame before importing them, and run-wizard.tsx erases exactly what was printed right
// before Ink draws its own first frame, which is the same line (Boot renders bootLine()).
// So the operator sees the wizard's real first line at once and no line changes when Ink
// takes over. No imports: this module sits in the entry chunk.

export const BOOT_STATUS = 'reading the kube context and the playbooks…';

/** The first line of the wizard: plain head, dimmed tail. Boot in run-wizard.tsx draws it with Ink. */
export function bootLine(version: string): { head: string; tail: string } {
  return { head: `netwiz ${version} · `, tail: BOOT_STATUS };
}

/** Ink's rule for "running in CI" (the is-in-ci package): Ink then draws only the final frame. */
export function inCi(env: NodeJS.ProcessEnv): boolean {
  const set = (k: string) => k in env && env[k] !== '0' && env[k] !== 'false';
  return set('CI') || set('CONTINUOUS_INTEGRATION');
}

/** Greedy word wrap to `cols` (words longer than a row are cut), as Ink wraps a Text. */
export function wrapWords(text: string, cols: number): string[] {
  const width = Math.max(1, cols);
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    let w = word;
    const candidate = line === '' ? w : `${line} ${w}`;
    if ([...candidate].length <= width) {
      line = candidate;
      continue;
    }
    if (line !== '') lines.push(line);
    while ([...w].length > width) {
      lines.push([...w].slice(0, width).join(''));
      w = [...w].slice(width).join('');
    }
    line = w;
  }
  lines.push(line);
  return lines;
}

/** Terminal rows that `lines` (plain text, one code point = one column) take at `cols`. */
export function rowsOf(lines: string[], cols: number): number {
  const width = Math.max(1, cols);
  return lines.reduce((n, l) => n + Math.max(1, Math.ceil([...l].length / width)), 0);
}

export interface PrePrinted {
  /** terminal rows the frame occupies; the cursor is left at the end of the last one */
  rows: number;
}

interface Out {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

/** Whether the frame may be printed: only where Ink will draw frames in place. */
export function mayPrePrint(out: Out, env: NodeJS.ProcessEnv): boolean {
  return out.isTTY === true && !inCi(env) && env.TERM !== 'dumb';
}

// chalk (Ink's colours) styles nothing when CI is set at all, for TERM=dumb or FORCE_COLOR=0
function dimAllowed(env: NodeJS.ProcessEnv): boolean {
  return !('CI' in env) && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
}

/**
 * Prints the first frame when stdout is a terminal where Ink will draw frames, else prints
 * nothing and returns null. The frame has no trailing newline: Ink's first frame starts
 * where it started once eraseFirstFrame() has run.
 */
export function prePrintFirstFrame(out: Out, env: NodeJS.ProcessEnv, version: string): PrePrinted | null {
  if (!mayPrePrint(out, env)) return null;
  const cols = out.columns && out.columns > 0 ? out.columns : 80;
  const { head, tail } = bootLine(version);
  const lines = wrapWords(head + tail, cols);
  const text = lines.join('\n');
  // dim only the tail, as Boot does; the head is the first characters of the first line
  const styled = dimAllowed(env) && text.length === head.length + tail.length ? `${text.slice(0, head.length)}\u001B[2m${text.slice(head.length)}\u001B[22m` : text;
  out.write(styled);
  return { rows: rowsOf(lines, cols) };
}

/**
 * Cursor to the start of the frame's first row, then erase to the end of the screen.
 * Cursor-up (not save/restore) stays right when printing the frame scrolled the screen.
 */
export function eraseSequence(p: PrePrinted): string {
  return `\r${p.rows > 1 ? `\u001B[${p.rows - 1}A` : ''}\u001B[J`;
}
