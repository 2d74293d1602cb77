// The cross-file half of validation: given each file's own result (read/YAML/schema errors,
// id, normalised playbook), find duplicate ids and overrides, run each playbook's semantic
// check against the inputs of every playbook (for `call`), and build the CatalogLoad. The
// check is passed in, so the catalog cache (cache.ts) can answer it from disk without
// loading YAML, zod or CEL, and the loader (catalog.ts) can run it for real; both go
// through this one function, so a cached load reports exactly what a fresh one does.
import path from 'node:path';
import type { Catalog, InputSpec, Playbook } from '../engine/model.js';
import { sortDiagnostics, type Diagnostic } from './diagnostics.js';

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

/** What one file says about itself once it passed the schema. */
export interface FileHead {
  id: string;
  title: string;
  summary: string;
  steps: number;
  /** where `id:` is, for duplicate/override messages */
  idPos: { line: number; col: number };
}

/** One playbook file after reading, YAML and schema (no cross-file checks yet). */
export interface FileRecord {
  file: string;
  /** read, YAML and schema errors */
  errors: Diagnostic[];
  /** present when the file passed the schema */
  head?: FileHead;
  /** normalised; present with head */
  playbook?: Playbook;
}

export interface CheckResult {
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

/** The semantic check of one file (head present) against every known playbook's inputs. */
export type Checker = (rec: FileRecord, playbooks: ReadonlyMap<string, readonly InputSpec[]>) => CheckResult;

export function assembleCatalog(recs: readonly FileRecord[], check: Checker, report?: ReadonlySet<string>): CatalogLoad {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const byId = new Map<string, FileRecord>();
  for (const r of recs) {
    errors.push(...r.errors);
    if (!r.head) continue;
    const prev = byId.get(r.head.id);
    if (prev) {
      const sameDir = path.dirname(prev.file) === path.dirname(r.file);
      const d = { file: r.file, ...r.head.idPos, message: `playbook '${r.head.id}' ${sameDir ? 'is also defined' : 'overrides the one'} in ${prev.file}` };
      if (sameDir) errors.push(d);
      else warnings.push(d);
    }
    byId.set(r.head.id, r);
  }
  // sub-playbook inputs, from every playbook that parsed (even with semantic errors, so one
  // broken sub-playbook does not also report each of its callers)
  const inputsById = new Map<string, readonly InputSpec[]>();
  for (const [id, r] of byId) inputsById.set(id, r.playbook!.inputs);
  const catalog: Record<string, Playbook> = {};
  const failed = new Set(errors.map((e) => e.file));
  for (const [id, r] of byId) {
    const res = check(r, inputsById);
    errors.push(...res.errors);
    warnings.push(...res.warnings);
    if (res.errors.length === 0 && !failed.has(r.file)) catalog[id] = r.playbook!;
  }
  // an override that lost is still checked, so its errors are not hidden
  for (const r of recs) {
    if (r.head && byId.get(r.head.id) !== r) errors.push(...check(r, inputsById).errors);
  }
  const keep = (d: Diagnostic) => !report || report.has(d.file);
  const summaries: PlaybookSummary[] = [];
  for (const r of recs) {
    if (!r.head || (report && !report.has(r.file))) continue;
    const valid = catalog[r.head.id]?.file === r.file;
    summaries.push({ id: r.head.id, title: r.head.title, summary: r.head.summary, file: r.file, steps: r.head.steps, valid });
  }
  return {
    summaries,
    catalog,
    errors: sortDiagnostics(errors.filter(keep)),
    warnings: sortDiagnostics(warnings.filter(keep)),
    files: recs.map((r) => r.file),
  };
}
