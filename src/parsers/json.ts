import { couldNotParse, defineParser, parsed } from './outcome.js';

/** Any JSON document on stdout; an object's keys become facts, anything else is `value`. */
export const jsonParser = defineParser({
  name: 'json',
  description: 'JSON on stdout; object keys become facts, other values land in `value`',
  fields: ['value'],
  parse({ stdout }) {
    let value: unknown;
    try {
      value = JSON.parse(stdout);
    } catch (err) {
      return couldNotParse('JSON', (err as Error).message);
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      return parsed(value as Record<string, unknown>);
    }
    return parsed({ value });
  },
});
