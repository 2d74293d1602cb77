import { defineParser, parsed } from './outcome.js';

/** Non-empty stdout lines, trimmed: `lines`, `count`, `first`. */
export const linesParser = defineParser({
  name: 'lines',
  description: 'non-empty lines of stdout as `lines`, with `count` and `first`',
  fields: ['lines', 'count', 'first'],
  parse({ stdout }) {
    const lines = stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 0);
    return parsed({ lines, count: lines.length, first: lines[0] ?? '' });
  },
});
