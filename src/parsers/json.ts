import type { FactValue } from '../engine/types.js';
import type { Parser } from './types.js';

/** Any JSON document on stdout; an object's keys become facts, anything else is `value`. */
export const jsonParser: Parser = {
  name: 'json',
  description: 'JSON on stdout; object keys become facts, other values land in `value`',
  fields: ['value'],
  parse({ stdout }) {
    let value: unknown;
    try {
      value = JSON.parse(stdout);
    } catch (err) {
      return { ok: false, error: `could not parse JSON: ${(err as Error).message}` };
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      return { ok: true, fields: value as Record<string, FactValue> };
    }
    return { ok: true, fields: { value: value as FactValue } };
  },
};
