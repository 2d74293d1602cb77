// Building ParseOutcomes. Every parser goes through `defineParser`, which is the one place
// that guarantees the contract the engine relies on: parse() never throws, fields are plain
// JSON (no undefined, NaN or Infinity), and every declared field is present (null when the
// output did not say), so a CEL expression over a missing fact reads null instead of failing.
import type { FactValue } from '../engine/types.js';
import type { ParseInput, ParseOutcome, Parser } from './types.js';

export type Fields = Record<string, FactValue>;

export function couldNotParse(what: string, why: string): ParseOutcome {
  return { ok: false, error: `could not parse ${what}: ${why}` };
}

/** `ip -j …` output: the JSON array it printed, or the ParseOutcome saying why it is not
 * one (`expected` names what the array should be). */
export function parseJsonArray(text: string, what: string, expected: string): unknown[] | ParseOutcome {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return couldNotParse(what, `not JSON: ${(err as Error).message}`);
  }
  return Array.isArray(value) ? value : couldNotParse(what, `expected ${expected}`);
}

/** Fields may hold interfaces and optional values; toFact makes them plain JSON facts. */
export function parsed(fields: Record<string, unknown>): ParseOutcome {
  return { ok: true, fields: toFact(fields) as Fields };
}

/** Turns anything JSON-like into a FactValue: drops undefined, functions and
 * non-finite numbers (→ null), and cuts cycles and absurd depth. */
export function toFact(value: unknown, depth = 0): FactValue {
  if (depth > 64) return null;
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'boolean':
    case 'string':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return Number(value);
    case 'object': {
      if (Array.isArray(value)) return value.map((v) => toFact(v, depth + 1));
      const out: Record<string, FactValue> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === undefined || typeof v === 'function') continue;
        out[k] = toFact(v, depth + 1);
      }
      return out;
    }
    default:
      return null;
  }
}

export interface ParserDefinition {
  name: string;
  description: string;
  fields: string[];
  parse(input: ParseInput): ParseOutcome;
}

export function defineParser(def: ParserDefinition): Parser {
  return {
    name: def.name,
    description: def.description,
    fields: def.fields,
    parse(input: ParseInput): ParseOutcome {
      try {
        const safe: ParseInput = {
          stdout: typeof input?.stdout === 'string' ? input.stdout : '',
          stderr: typeof input?.stderr === 'string' ? input.stderr : '',
          exitCode: typeof input?.exitCode === 'number' ? input.exitCode : null,
        };
        const out = def.parse(safe);
        if (!out.ok) return { ok: false, error: String(out.error) };
        const fields = toFact(out.fields) as Fields;
        for (const f of def.fields) if (!(f in fields)) fields[f] = null;
        return { ok: true, fields };
      } catch (err) {
        // A parser bug must become a fact, not an exception in the engine.
        return couldNotParse(`${def.name} output`, `parser error: ${(err as Error)?.message ?? String(err)}`);
      }
    },
  };
}

/** Integer from text, or null. */
export function int(text: string | undefined | null): number | null {
  if (text === undefined || text === null) return null;
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) return null;
  const n = Number(t);
  return Number.isSafeInteger(n) ? n : null;
}

/** Decimal number from text, or null. */
export function num(text: string | undefined | null): number | null {
  if (text === undefined || text === null) return null;
  const t = text.trim();
  if (!/^-?\d+(\.\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

export function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** string → string map, keeping only string values (labels, selectors). */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

export function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}
export function isIPv6(s: string): boolean {
  return s.includes(':') && /^[0-9a-fA-F:.]+(%\S+)?$/.test(s) && s.length <= 64;
}
export function isIP(s: string): boolean {
  return isIPv4(s) || isIPv6(s);
}
