// Finds, loads and validates playbooks. Validation runs in phases (YAML syntax, schema,
// semantics incl. expressions) and returns every problem with its file:line:col instead
// of stopping at the first. Search order: the built-in playbooks/ folder, then
// `--playbooks DIR`, then $NETWIZ_PLAYBOOKS (colon-separated); a later folder's playbook
// replaces an earlier one with the same id (with a warning).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import type { Catalog, InputSpec, Playbook } from '../engine/model.js';
import { sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { normalisePlaybook } from './normalise.js';
import { playbookSchema, type PlaybookDoc } from './schema.js';
import { checkPlaybook } from './semantics.js';
import { diagAt, keyPositionOf, parsePlaybookSource, type PlaybookSource, type YamlPath } from './source.js';

export interface CatalogLoad {
  /** valid playbooks by id (a playbook with any error is left out) */
  catalog: Catalog;
  /** sorted; empty means every file loaded is valid */
  errors: Diagnostic[];
  /** overrides and "may be unset" findings; never fail validation */
  warnings: Diagnostic[];
  /** every playbook file read, in search order */
  files: string[];
  /** one entry per file read (reported files only) that passed the schema */
  summaries: PlaybookSummary[];
}

export interface PlaybookSummary {
  id: string;
  title: string;
  summary: string;
  file: string;
  steps: number;
  valid: boolean;
}

export interface SearchOptions {
  /** include the built-in playbooks/ folder (default true) */
  builtin?: boolean;
  /** environment to read $NETWIZ_PLAYBOOKS from (default process.env; false = ignore) */
  env?: NodeJS.ProcessEnv | false;
}

let builtinDirCache: string | null | undefined;

/**
 * The playbooks/ folder shipped with netwiz. Found by walking up from this module to the
 * folder holding package.json, so it works from src/ (tsx) and from dist/netwiz.mjs.
 */
export function builtinPlaybooksDir(): string | undefined {
  if (builtinDirCache !== undefined) return builtinDirCache ?? undefined;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'playbooks'))) {
      builtinDirCache = path.join(dir, 'playbooks');
      return builtinDirCache;
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  builtinDirCache = null;
  return undefined;
}

/** Folders in search order: built-in, then `extra` (--playbooks), then $NETWIZ_PLAYBOOKS. */
export function playbookSearchPath(extra: readonly string[] = [], opts: SearchOptions = {}): string[] {
  const dirs: string[] = [];
  if (opts.builtin !== false) {
    const b = builtinPlaybooksDir();
    if (b) dirs.push(b);
  }
  for (const d of extra) dirs.push(path.resolve(d));
  const env = opts.env === false ? undefined : (opts.env ?? process.env).NETWIZ_PLAYBOOKS;
  if (env) for (const d of env.split(':')) if (d.trim()) dirs.push(path.resolve(d.trim()));
  // a folder named twice is read once, at its first place
  return dirs.filter((d, i) => dirs.indexOf(d) === i);
}

/** The *.yaml / *.yml files of a folder, sorted by name (not recursive). */
export function playbookFilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => path.join(dir, n))
    .filter((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    });
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
export function loadCatalog(dirs: readonly string[] = [], opts: SearchOptions = {}): CatalogLoad {
  const files = playbookSearchPath(dirs, opts).flatMap(playbookFilesIn);
  return loadPlaybookFiles(files);
}

/**
 * Loads the given files in order (later ids override earlier ones) and validates them.
 * `report` limits which files' errors are returned (default: all), so `netwiz validate
 * FILE` checks one file against the whole catalog without reporting the others.
 */
export function loadPlaybookFiles(files: readonly string[], reportOnly?: ReadonlySet<string>): CatalogLoad {
  const report = reportOnly && new Set([...reportOnly].map((f) => path.resolve(f)));
  return validateLoaded(files.map((f) => loadFile(path.resolve(f))), report);
}

/** Like loadPlaybookFiles for texts already in memory (`file` names them in messages). */
export function loadPlaybookTexts(entries: readonly { file: string; text: string }[]): CatalogLoad {
  return validateLoaded(entries.map((e) => loadText(e.file, e.text)));
}

function validateLoaded(loaded: Loaded[], report?: ReadonlySet<string>): CatalogLoad {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const byId = new Map<string, Loaded>();
  for (const l of loaded) {
    errors.push(...l.errors);
    if (!l.doc || !l.source) continue;
    const prev = byId.get(l.doc.id);
    if (prev && prev.source) {
      const sameDir = path.dirname(prev.file) === path.dirname(l.file);
      const d = diagAt(l.source, ['id'], `playbook '${l.doc.id}' ${sameDir ? 'is also defined' : 'overrides the one'} in ${prev.file}`);
      if (sameDir) errors.push(d);
      else warnings.push(d);
    }
    byId.set(l.doc.id, l);
  }
  // sub-playbook inputs, from every playbook that parsed (even with semantic errors, so one
  // broken sub-playbook does not also report each of its callers)
  const inputsById = new Map<string, readonly InputSpec[]>();
  const normalised = new Map<string, Playbook>();
  for (const [id, l] of byId) {
    const pb = normalisePlaybook(l.doc!, l.file);
    normalised.set(id, pb);
    inputsById.set(id, pb.inputs);
  }
  const catalog: Record<string, Playbook> = {};
  const failed = new Set(errors.map((e) => e.file));
  for (const [id, l] of byId) {
    const res = checkPlaybook(l.source!, l.doc!, { playbooks: inputsById });
    errors.push(...res.errors);
    warnings.push(...res.warnings);
    if (res.errors.length === 0 && !failed.has(l.file)) catalog[id] = normalised.get(id)!;
  }
  // an override that lost is still checked, so its errors are not hidden
  for (const l of loaded) {
    if (l.doc && l.source && byId.get(l.doc.id) !== l) {
      const res = checkPlaybook(l.source, l.doc, { playbooks: inputsById });
      errors.push(...res.errors);
    }
  }
  const keep = (d: Diagnostic) => !report || report.has(d.file);
  const summaries: PlaybookSummary[] = [];
  for (const l of loaded) {
    if (!l.doc || (report && !report.has(l.file))) continue;
    const valid = catalog[l.doc.id]?.file === l.file;
    summaries.push({ id: l.doc.id, title: l.doc.title, summary: l.doc.summary, file: l.file, steps: l.doc.steps.length, valid });
  }
  return {
    summaries,
    catalog,
    errors: sortDiagnostics(errors.filter(keep)),
    warnings: sortDiagnostics(warnings.filter(keep)),
    files: loaded.map((l) => l.file),
  };
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
