// Registry of output parsers by name. Playbooks name a parser in `parse:`;
// `netwiz validate` rejects unknown names.
import type { Parser } from './types.js';
import { jsonParser } from './json.js';
import { linesParser } from './lines.js';

const all: Parser[] = [jsonParser, linesParser];

export const parsers: ReadonlyMap<string, Parser> = new Map(all.map((p) => [p.name, p]));

export function getParser(name: string): Parser | undefined {
  return parsers.get(name);
}
