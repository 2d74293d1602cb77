// Plain-text shaping for a fixed-size terminal: the live area must have a known height,
// so long texts are wrapped and cut here rather than left to the terminal.
import { quoteArg } from '../exec/format.js';
import { inertText } from '../transcript/inert.js';

/** Word-wrap `text` to `width` columns and keep at most `maxLines`, marking a cut with …. */
export function wrapLines(text: string, width: number, maxLines: number): string[] {
  const w = Math.max(8, width);
  const out: string[] = [];
  // texts quote command output (evidence, facts): escape codes are shown, never acted on
  for (const para of inertText(text).split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      let rest = word;
      while (rest.length > w) {
        if (line) {
          out.push(line);
          line = '';
        }
        out.push(rest.slice(0, w));
        rest = rest.slice(w);
      }
      if (!line) line = rest;
      else if (line.length + 1 + rest.length <= w) line += ` ${rest}`;
      else {
        out.push(line);
        line = rest;
      }
    }
    out.push(line);
  }
  while (out.length > 1 && out[out.length - 1] === '') out.pop();
  if (out.length <= maxLines) return out;
  const kept = out.slice(0, Math.max(1, maxLines));
  const last = kept[kept.length - 1] as string;
  kept[kept.length - 1] = last.length >= w ? `${last.slice(0, w - 1)}…` : `${last}…`;
  return kept;
}

export function truncate(text: string, width: number): string {
  const oneLine = inertText(text).replace(/\s*\n\s*/g, ' ');
  if (oneLine.length <= width) return oneLine;
  return width <= 1 ? '…' : `${oneLine.slice(0, width - 1)}…`;
}

/** argv as an operator would type it (display and copy/paste only; never executed). */
export function formatArgv(argv: readonly string[]): string {
  // arguments may quote command output or operator text: their escape codes are shown, never acted on
  return argv.map((a) => quoteArg(a, inertText)).join(' ');
}

export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}
