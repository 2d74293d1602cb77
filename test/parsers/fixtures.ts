// Loads parser fixtures (real output) and runs a registered parser on them.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { getParser } from '../../src/parsers/index.js';
import type { FactValue } from '../../src/engine/types.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'parsers');

const labExitCodes = JSON.parse(readFileSync(join(FIXTURES, 'lab', 'exit-codes.json'), 'utf8')) as Record<string, number>;

export function fixture(rel: string): string {
  return readFileSync(join(FIXTURES, rel), 'utf8');
}

/** Every fixture file under a folder (relative paths), for the robustness tests. */
export function fixtureFiles(folder: string): string[] {
  const dir = join(FIXTURES, folder);
  return existsSync(dir) ? readdirSync(dir).map((f) => `${folder}/${f}`) : [];
}

/** incident YAML → the JSON kubectl would print (the author's `...` elisions dropped). */
export function yamlFixtureAsJson(rel: string): string {
  const text = fixture(rel)
    .split('\n')
    .filter((l) => l.trim() !== '...')
    .join('\n');
  return JSON.stringify(parseYaml(text));
}

export type Fields = Record<string, FactValue>;

/** Runs parser `name` on a fixture; stdout from the file, stderr from `<file>.stderr`-style
 * siblings when given, exit code from lab/exit-codes.json. Fails the test if not ok. */
export function parseOk(name: string, stdout: string, opts: { stderr?: string; exitCode?: number | null } = {}): Fields {
  const out = run(name, stdout, opts);
  if (!out.ok) throw new Error(`${name} did not parse: ${out.error}`);
  return out.fields;
}

export function run(name: string, stdout: string, opts: { stderr?: string; exitCode?: number | null } = {}) {
  const parser = getParser(name);
  if (!parser) throw new Error(`no parser ${name}`);
  return parser.parse({ stdout, stderr: opts.stderr ?? '', exitCode: opts.exitCode === undefined ? 0 : opts.exitCode });
}

export function parseLab(name: string, file: string, stderrFile?: string): Fields {
  return parseOk(name, fixture(`lab/${file}`), {
    stderr: stderrFile ? fixture(`lab/${stderrFile}`) : '',
    exitCode: labExitCodes[file] ?? 0,
  });
}
