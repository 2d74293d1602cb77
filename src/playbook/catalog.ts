// Finds, loads and validates playbooks. Validation runs in phases (YAML syntax, schema,
// semantics incl. expressions) and returns every problem with its file:line:col instead
// of stopping at the first. Search order: the built-in playbooks/ folder, then
// `--playbooks DIR`, then $NETWIZ_PLAYBOOKS (colon-separated); a later folder's playbook
// replaces an earlier one with the same id (with a warning).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { assembleCatalog, type CatalogLoad, type FileRecord } from './assemble.js';
import { catalogCacheDir, loadFilesThroughCache, type Validator } from './cache.js';
import type { Diagnostic } from './diagnostics.js';
import { normalisePlaybook } from './normalise.js';
import { playbookSchema, type PlaybookDoc } from './schema.js';
import { checkPlaybook } from './semantics.js';
import { playbookFilesIn, playbookSearchPath, type SearchOptions } from './search-path.js';
import { diagAt, keyPositionOf, parsePlaybookSource, positionOf, type PlaybookSource, type YamlPath } from './source.js';

export type { CatalogLoad, PlaybookSummary } from './assemble.js';
export { builtinPlaybooksDir, playbookFilesIn, playbookSearchPath, type SearchOptions } from './search-path.js';

export interface LoadOptions {
  /** use the validated-catalog cache (cache.ts; default true unless NETWIZ_CATALOG_CACHE=off);
   * `netwiz validate` passes false: it always validates for real */
  cache?: boolean;
}

interface Loaded {
  file: string;
  source?: PlaybookSource;
  doc?: PlaybookDoc;
  errors: Diagnostic[];
}

function loadFile(file: string): Loaded {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { file, errors: [{ file, line: 1, col: 1, message: `cannot read playbook: ${msg}` }] };
  }
  return loadText(file, text);
}

/** Parses and schema-checks one playbook text (no cross-playbook checks). */
export function loadText(file: string, text: string): Loaded {
  const { source, errors } = parsePlaybookSource(file, text);
  if (!source) return { file, errors };
  const parsed = playbookSchema.safeParse(source.data);
  if (!parsed.success) return { file, source, errors: parsed.error.issues.map((i) => schemaDiagnostic(source, i)) };
  return { file, source, doc: parsed.data, errors: [] };
}

function pathText(p: readonly PropertyKey[]): string {
  let s = '';
  for (const k of p) s += typeof k === 'number' ? `[${k}]` : s ? `.${String(k)}` : String(k);
  return s;
}

function schemaDiagnostic(src: PlaybookSource, issue: z.core.$ZodIssue): Diagnostic {
  const p = issue.path.filter((k): k is string | number => typeof k !== 'symbol') as YamlPath;
  const where = p.length > 0 ? `${pathText(p)}: ` : '';
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const d = { file: src.file, ...keyPositionOf(src, p, key) };
    return { ...d, message: `${where}unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}` };
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    // a missing key: point at the map that should hold it
    const key = p[p.length - 1];
    return diagAt(src, p, `${pathText(p.slice(0, -1)) || 'playbook'}: missing required key '${String(key)}'`);
  }
  return diagAt(src, p, `${where}${issue.message}`);
}

/**
 * Loads every playbook of `dirs` (built-in first, then these, then $NETWIZ_PLAYBOOKS,
 * unless `opts` says otherwise) and validates each against the whole set.
 */
export function loadCatalog(dirs: readonly string[] = [], opts: SearchOptions & LoadOptions = {}): CatalogLoad {
  const files = playbookSearchPath(dirs, opts).flatMap(playbookFilesIn);
  return loadPlaybookFiles(files, undefined, opts);
}

/**
 * Loads the given files in order (later ids override earlier ones) and validates them.
 * `report` limits which files' errors are returned (default: all), so `netwiz validate
 * FILE` checks one file against the whole catalog without reporting the others.
 */
export function loadPlaybookFiles(files: readonly string[], reportOnly?: ReadonlySet<string>, opts: LoadOptions = {}): CatalogLoad {
  const report = reportOnly && new Set([...reportOnly].map((f) => path.resolve(f)));
  const dir = opts.cache === false ? undefined : catalogCacheDir();
  if (dir) return loadFilesThroughCache(files, report, dir, validator)!;
  return validateLoaded(files.map((f) => loadFile(path.resolve(f))), report);
}

/** Like loadPlaybookFiles for texts already in memory (`file` names them in messages). */
export function loadPlaybookTexts(entries: readonly { file: string; text: string }[]): CatalogLoad {
  return validateLoaded(entries.map((e) => loadText(e.file, e.text)));
}

/** One file's own result (no cross-file checks) in the form assembleCatalog takes. */
function recordOf(l: Loaded): FileRecord {
  if (!l.doc || !l.source) return { file: l.file, errors: l.errors };
  return {
    file: l.file,
    errors: l.errors,
    head: { id: l.doc.id, title: l.doc.title, summary: l.doc.summary, steps: l.doc.steps.length, idPos: positionOf(l.source, ['id']) },
    playbook: normalisePlaybook(l.doc, l.file),
  };
}

/** The real parse and semantic check, for the cache to call on a miss. */
const validator: Validator<Loaded> = {
  parse(file, text) {
    const l = loadText(file, text);
    return { rec: recordOf(l), live: l };
  },
  check(l, playbooks) {
    return checkPlaybook(l.source!, l.doc!, { playbooks });
  },
};

/** The loader's validator, for loadFilesThroughCache callers (tests) that pass their own cache dir. */
export const catalogValidator = validator as Validator<unknown>;

function validateLoaded(loaded: Loaded[], report?: ReadonlySet<string>): CatalogLoad {
  const live = new Map<FileRecord, Loaded>();
  const recs = loaded.map((l) => {
    const r = recordOf(l);
    live.set(r, l);
    return r;
  });
  return assembleCatalog(recs, (r, playbooks) => validator.check(live.get(r)!, playbooks), report);
}

/** Expands files and folders given on the command line into playbook files. */
export function expandPaths(paths: readonly string[]): { files: string[]; errors: Diagnostic[] } {
  const files: string[] = [];
  const errors: Diagnostic[] = [];
  for (const p of paths) {
    const abs = path.resolve(p);
    let st;
    try {
      st = statSync(abs);
    } catch {
      errors.push({ file: abs, line: 1, col: 1, message: 'no such file or folder' });
      continue;
    }
    if (st.isDirectory()) files.push(...playbookFilesIn(abs));
    else files.push(abs);
  }
  return { files: files.filter((f, i) => files.indexOf(f) === i), errors };
}
