// POSIX sh quoting for showing and exporting argv: one implementation for the whole
// project lives in src/exec/format.ts; the transcript keeps its own names for it.
import { formatArgv, quoteArg } from '../exec/format.js';

/** Whatever an argument holds — `$(…)`, backticks, `;`, quotes, newlines — one literal word for sh. */
export function shellQuote(arg: string): string {
  return quoteArg(arg);
}

export function shellJoin(argv: readonly string[]): string {
  return formatArgv(argv);
}
