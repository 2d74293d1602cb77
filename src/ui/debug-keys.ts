// An env-gated trace of the key path, for "the wizard stopped acting on keys" reports:
// NETWIZ_DEBUG_KEYS=FILE appends one line per raw stdin chunk Ink reads, per key the
// wizard's input hook sees (with the context and the action it resolved to) and per
// rendered start-screen state. Off (no file, no wrapping) when the variable is unset.
// No imports beyond node:fs: launch.ts loads it before Ink.
import { appendFileSync } from 'node:fs';

export type KeyTrace = (what: string, detail: Record<string, unknown>) => void;

let trace: KeyTrace | null | undefined;

/** A trace appending JSON lines to `file`. */
export function fileKeyTrace(file: string): KeyTrace {
  return (what, detail) => {
    try {
      appendFileSync(file, `${JSON.stringify({ t: Date.now(), what, ...detail })}\n`);
    } catch {
      // a debug aid never breaks the wizard
    }
  };
}

/** This process's trace (read from NETWIZ_DEBUG_KEYS once), or null when it is not set. */
export function keyTrace(): KeyTrace | null {
  if (trace === undefined) trace = process.env.NETWIZ_DEBUG_KEYS ? fileKeyTrace(process.env.NETWIZ_DEBUG_KEYS) : null;
  return trace;
}

/** Log every chunk read from `stdin` (Ink reads with stdin.read() in its 'readable' handler). */
export function traceStdinReads(stdin: NodeJS.ReadStream, t: KeyTrace | null = keyTrace()): void {
  if (!t) return;
  const read = stdin.read.bind(stdin);
  stdin.read = ((size?: number) => {
    const chunk = read(size) as unknown;
    if (chunk !== null) t('stdin', { chunk: String(chunk) });
    return chunk;
  }) as typeof stdin.read;
}
