// What a finished (or skipped, or cancelled) step leaves behind as a fact. Pure.
// Every run fact has the same base shape whatever happened, so an expression like
// `x.ok` or `x.timed_out` never fails just because the command did not run.
import { getParser } from '../parsers/index.js';
import type { CommandResult, FactValue } from './types.js';

/** In-memory window of stdout/stderr kept in a fact; the full output stays on disk. */
export const FACT_OUTPUT_BYTES = 8 * 1024;

/** The last `max` characters, marked when cut (the tail holds the verdict of most tools). */
export function boundText(text: string, max = FACT_OUTPUT_BYTES): string {
  if (text.length <= max) return text;
  return `…[${text.length - max} chars cut]\n${text.slice(text.length - max)}`;
}

function baseRunFact(): Record<string, FactValue> {
  return {
    exit_code: null,
    ok: false,
    timed_out: false,
    cancelled: false,
    skipped: false,
    duration_ms: 0,
    stdout: '',
    stderr: '',
  };
}

/**
 * Fact of a finished command: the parser's fields at the top level, then the base fields
 * (which win on a name clash, so `exit_code` and `ok` always mean what the engine says).
 * The parser sees the output even when the command failed: a ping that exits 1 still
 * printed its loss statistics.
 */
export function runFact(result: CommandResult, parserName: string | undefined): Record<string, FactValue> {
  const fact: Record<string, FactValue> = {};
  let parseError: string | undefined;
  if (parserName) {
    const parser = getParser(parserName);
    if (!parser) {
      parseError = `unknown parser "${parserName}"`;
    } else if (result.spawnError === undefined) {
      try {
        const parsed = parser.parse({ stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode });
        if (parsed.ok) Object.assign(fact, toPlainJson(parsed.fields));
        else parseError = parsed.error;
      } catch (e) {
        // parsers promise never to throw; a broken one must not take the session down
        parseError = `parser ${parserName} failed: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
  }
  const ok = result.exitCode === 0 && !result.timedOut && !result.cancelled && result.spawnError === undefined;
  Object.assign(fact, baseRunFact(), {
    exit_code: result.exitCode,
    ok,
    timed_out: result.timedOut,
    cancelled: result.cancelled,
    duration_ms: Math.max(0, Math.round(result.durationMs)),
    stdout: boundText(result.stdout),
    stderr: boundText(result.stderr),
  });
  if (parseError !== undefined) fact.parse_error = parseError;
  if (result.spawnError !== undefined) fact.spawn_error = result.spawnError;
  if (result.via !== undefined) fact.via = result.via;
  if (result.truncated) fact.truncated = true;
  if (result.outputFile !== undefined) fact.output_file = result.outputFile;
  return fact;
}

/** A run step that did not run: same shape as a run fact, plus the reason. */
export function notRunFact(kind: 'skipped' | 'cancelled', reason: string): Record<string, FactValue> {
  return { ...baseRunFact(), [kind]: true, reason };
}

/** An ask (or call) step that was skipped or cancelled. */
export function notAnsweredFact(kind: 'skipped' | 'cancelled', reason: string): Record<string, FactValue> {
  return { skipped: kind === 'skipped', cancelled: kind === 'cancelled', reason };
}

/** Drops undefined, turns non-finite numbers into null: facts must survive JSON. */
export function toPlainJson(v: unknown): Record<string, FactValue> {
  const out = plain(v);
  return out !== null && typeof out === 'object' && !Array.isArray(out) ? out : {};
}

function plain(v: unknown): FactValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object') {
    const o: Record<string, FactValue> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) o[k] = plain(x);
    return o;
  }
  return null;
}

/** Short human summary of a command outcome for history lines. */
export function summariseResult(result: CommandResult): string {
  if (result.spawnError !== undefined) return `could not start: ${result.spawnError}`;
  if (result.cancelled) return `cancelled after ${Math.round(result.durationMs)} ms`;
  if (result.timedOut) return `timed out after ${Math.round(result.durationMs)} ms`;
  const via = result.via ? ` via ${result.via}` : '';
  return `exit ${result.exitCode ?? 'none'} in ${Math.round(result.durationMs)} ms${via}`;
}
