// Parsers turn command output into facts. Pure: no I/O, never throw.
import type { FactValue } from '../engine/types.js';

export type ParseOutcome =
  | { ok: true; fields: Record<string, FactValue> }
  | { ok: false; error: string };

export interface ParseInput {
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

export interface Parser {
  name: string;
  /** one line for `netwiz validate` and docs */
  description: string;
  /** field names it can produce, for validation of expressions and docs */
  fields: string[];
  parse(input: ParseInput): ParseOutcome;
}
