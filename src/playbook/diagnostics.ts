// One problem found in a playbook file, with the position of the offending YAML node.
import path from 'node:path';

export interface Diagnostic {
  /** absolute path of the file */
  file: string;
  /** 1-based */
  line: number;
  /** 1-based */
  col: number;
  message: string;
}

/** Sorted by file, line, column, then message; duplicates removed. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of ds) {
    const key = `${d.file}\0${d.line}\0${d.col}\0${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out.sort(
    (a, b) =>
      (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
      a.line - b.line ||
      a.col - b.col ||
      (a.message < b.message ? -1 : a.message > b.message ? 1 : 0),
  );
}

/** `file:line:col: message`, the file relative to `cwd` when it lies below it. */
export function formatDiagnostic(d: Diagnostic, cwd: string = process.cwd()): string {
  const rel = path.relative(cwd, d.file);
  const shown = rel === '' || rel.startsWith('..') || path.isAbsolute(rel) ? d.file : rel;
  return `${shown}:${d.line}:${d.col}: ${d.message}`;
}
