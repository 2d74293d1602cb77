// `{{path}}` templates over facts. Pure: no I/O. Used for argv elements, targets,
// evidence lines, `with` and `set`. A template always renders into ONE string, so an
// argv element stays one argument whatever the fact holds (spaces, `;`, quotes…).
//
// Path grammar (kept deliberately small):
//   path    := segment ( '.' name | '[' index ']' | '["' key '"]' )*
//   segment := name | 'facts["' key '"]'      (step ids with '-' may be written either way)
//   name    := [A-Za-z_][A-Za-z0-9_-]*
import type { FactValue, Facts } from './types.js';

export type PathPart = string | number;

export interface TemplatePlaceholder {
  /** the text between the braces, trimmed */
  raw: string;
  /** offset of the opening `{{` in the template */
  offset: number;
  /** parsed path, or undefined when the text is not a valid path */
  path?: PathPart[];
}

export type TemplatePiece = { text: string } | { placeholder: TemplatePlaceholder };

export type RenderResult = { ok: true; value: string } | { ok: false; missing: string[] };

const PLACEHOLDER = /\{\{(.*?)\}\}/gs;
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*/;

/** Parses `a.b[0]["k"]` into ['a','b',0,'k']; `facts["x"]` / `facts.x` start at x. */
export function parsePath(text: string): PathPart[] | undefined {
  const parts: PathPart[] = [];
  let rest = text.trim();
  const first = NAME.exec(rest);
  if (!first) return undefined;
  parts.push(first[0]);
  rest = rest.slice(first[0].length);
  while (rest.length > 0) {
    if (rest.startsWith('.')) {
      const m = NAME.exec(rest.slice(1));
      if (!m) return undefined;
      parts.push(m[0]);
      rest = rest.slice(1 + m[0].length);
      continue;
    }
    const idx = /^\[\s*(\d+)\s*\]/.exec(rest);
    if (idx) {
      parts.push(Number(idx[1]));
      rest = rest.slice(idx[0].length);
      continue;
    }
    const key = /^\[\s*(?:"([^"]*)"|'([^']*)')\s*\]/.exec(rest);
    if (key) {
      parts.push(key[1] ?? key[2] ?? '');
      rest = rest.slice(key[0].length);
      continue;
    }
    return undefined;
  }
  // `facts` is the whole fact map, as in CEL: `facts["step-id"]` == the fact `step-id`.
  if (parts[0] === 'facts' && parts.length > 1 && typeof parts[1] === 'string') parts.shift();
  return parts;
}

/** Splits a template into literal text and placeholders. */
export function parseTemplate(tpl: string): TemplatePiece[] {
  const pieces: TemplatePiece[] = [];
  let last = 0;
  for (const m of tpl.matchAll(PLACEHOLDER)) {
    const offset = m.index ?? 0;
    if (offset > last) pieces.push({ text: tpl.slice(last, offset) });
    const raw = (m[1] ?? '').trim();
    const path = parsePath(raw);
    pieces.push({ placeholder: path ? { raw, offset, path } : { raw, offset } });
    last = offset + m[0].length;
  }
  if (last < tpl.length) pieces.push({ text: tpl.slice(last) });
  return pieces;
}

/** Placeholders whose text is not a valid path (for `netwiz validate`). */
export function invalidPlaceholders(tpl: string): TemplatePlaceholder[] {
  const out: TemplatePlaceholder[] = [];
  for (const p of parseTemplate(tpl)) if ('placeholder' in p && !p.placeholder.path) out.push(p.placeholder);
  return out;
}

/** Root fact names a template reads, in order of first use, without duplicates. */
export function templateRefs(tpl: string): string[] {
  const seen = new Set<string>();
  for (const p of parseTemplate(tpl)) {
    if ('placeholder' in p && p.placeholder.path) seen.add(String(p.placeholder.path[0]));
  }
  return [...seen];
}

/** Follows a path through facts; undefined when any part is absent. */
export function lookupPath(facts: Facts, path: PathPart[]): FactValue | undefined {
  let cur: FactValue | undefined = facts;
  for (const part of path) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) {
      if (typeof part !== 'number') return undefined;
      cur = cur[part];
    } else {
      if (!Object.prototype.hasOwnProperty.call(cur, part)) return undefined;
      cur = cur[String(part)];
    }
  }
  return cur;
}

/** Text of one fact value: strings as they are, numbers/bools/null as text, the rest compact JSON. */
export function factToText(v: FactValue): string {
  if (typeof v === 'string') return v;
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Renders a template; lists every placeholder it could not fill instead of guessing. */
export function renderTemplate(tpl: string, facts: Facts): RenderResult {
  let out = '';
  const missing: string[] = [];
  for (const p of parseTemplate(tpl)) {
    if ('text' in p) {
      out += p.text;
      continue;
    }
    const { path, raw } = p.placeholder;
    const v = path ? lookupPath(facts, path) : undefined;
    if (v === undefined) {
      if (!missing.includes(raw)) missing.push(raw);
      continue;
    }
    out += factToText(v);
  }
  return missing.length > 0 ? { ok: false, missing } : { ok: true, value: out };
}

/** Renders every argv element into exactly one argument (never re-split). */
export function renderArgv(argv: readonly string[], facts: Facts): { ok: true; value: string[] } | { ok: false; missing: string[] } {
  const value: string[] = [];
  const missing: string[] = [];
  for (const el of argv) {
    const r = renderTemplate(el, facts);
    if (r.ok) value.push(r.value);
    else for (const m of r.missing) if (!missing.includes(m)) missing.push(m);
  }
  return missing.length > 0 ? { ok: false, missing } : { ok: true, value };
}
