// A playbook's YAML text parsed with source positions, plus the lookups validation needs:
// the line:col of any node by its path, and of a character inside a scalar (for CEL and
// template errors). Guards against alias bombs and huge or deeply nested documents.
import { Document, isMap, isPair, isScalar, isSeq, parseDocument, type Node } from 'yaml';
import type { Diagnostic } from './diagnostics.js';

export type YamlPath = readonly (string | number)[];

/** Limits that keep a hostile or broken file from hanging or exhausting memory. */
export const LIMITS = {
  maxBytes: 1024 * 1024,
  maxAliasCount: 100,
  maxDepth: 64,
  maxNodes: 200_000,
};

export interface PlaybookSource {
  file: string;
  text: string;
  doc: Document.Parsed;
  /** 1-based line:col of a character offset in `text` */
  linePos: (offset: number) => { line: number; col: number };
  /** plain JS data, undefined when the YAML could not be read */
  data: unknown;
}

export function parsePlaybookSource(file: string, text: string): { source?: PlaybookSource; errors: Diagnostic[] } {
  const errors: Diagnostic[] = [];
  if (text.length > LIMITS.maxBytes) {
    errors.push({ file, line: 1, col: 1, message: `file is larger than ${LIMITS.maxBytes} bytes; a playbook is a small YAML file` });
    return { errors };
  }
  const deepAt = flowTooDeep(text);
  if (deepAt !== undefined) {
    errors.push({ file, ...lineIndex(text)(deepAt), message: `YAML nested deeper than ${LIMITS.maxDepth} levels; a playbook never needs that` });
    return { errors };
  }
  // our own line index: yaml's LineCounter misses line breaks inside an unterminated quote
  const linePos = lineIndex(text);
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  } catch (e) {
    errors.push({ file, line: 1, col: 1, message: `YAML could not be read: ${e instanceof Error ? e.message : String(e)}` });
    return { errors };
  }
  for (const e of doc.errors) {
    const { line, col } = linePos(e.pos[0]);
    const msg = /call stack/i.test(e.message) ? `nested too deeply to read; a playbook never needs that` : firstLine(e.message);
    errors.push({ file, line, col, message: `YAML: ${msg}` });
  }
  if (errors.length > 0) return { errors };
  const shape = measure(doc.contents);
  if (shape.tooDeep || shape.nodes > LIMITS.maxNodes) {
    const at = shape.where ? linePos(shape.where) : { line: 1, col: 1 };
    errors.push({
      file,
      ...at,
      message: shape.tooDeep
        ? `YAML nested deeper than ${LIMITS.maxDepth} levels; a playbook never needs that`
        : `YAML has more than ${LIMITS.maxNodes} nodes; a playbook never needs that`,
    });
    return { errors };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: LIMITS.maxAliasCount });
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    errors.push({ file, line: 1, col: 1, message: `YAML: ${msg} (aliases expand to more than ${LIMITS.maxAliasCount} nodes)` });
    return { errors };
  }
  return { source: { file, text, doc, linePos, data }, errors };
}

/**
 * Offset where flow collections ([ and {) nest deeper than the limit, skipping quoted
 * scalars and comments. yaml's parser recurses per level, so this runs before it.
 */
function flowTooDeep(text: string): number | undefined {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if ((ch === '"' || ch === "'") && (i === 0 || /[\s[{,:]/.test(text[i - 1]!))) {
      // skip a quoted scalar; '' escapes in single quotes, \ escapes in double quotes
      for (i++; i < text.length; i++) {
        if (ch === '"' && text[i] === '\\') i++;
        else if (text[i] === ch) {
          if (ch === "'" && text[i + 1] === "'") i++;
          else break;
        }
      }
    } else if (ch === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (ch === '[' || ch === '{') {
      if (++depth > LIMITS.maxDepth) return i;
    } else if (ch === ']' || ch === '}') {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

/** A 1-based line:col lookup for offsets of `text` (binary search over line starts). */
export function lineIndex(text: string): (offset: number) => { line: number; col: number } {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset: number) => {
    const off = Math.max(0, Math.min(offset, text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= off) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: off - starts[lo]! + 1 };
  };
}

function firstLine(msg: string): string {
  // yaml appends " at line L, column C:" and a source excerpt; we print our own position
  return (msg.split('\n')[0] ?? msg).replace(/ at line \d+, column \d+:?$/, '');
}

/** Depth and node count without recursion (a hostile file must not overflow the stack). */
function measure(root: unknown): { nodes: number; tooDeep: boolean; where?: number } {
  const stack: { n: unknown; depth: number }[] = [{ n: root, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { n, depth } = stack.pop()!;
    if (!n) continue;
    nodes++;
    if (nodes > LIMITS.maxNodes) return { nodes, tooDeep: false };
    if (depth > LIMITS.maxDepth) {
      const range = (n as { range?: [number, number, number] }).range;
      return { nodes, tooDeep: true, where: range?.[0] };
    }
    if (isMap(n) || isSeq(n)) {
      for (const it of n.items as unknown[]) {
        if (isPair(it)) {
          stack.push({ n: it.key, depth: depth + 1 });
          stack.push({ n: it.value, depth: depth + 1 });
        } else stack.push({ n: it, depth: depth + 1 });
      }
    }
  }
  return { nodes, tooDeep: false };
}

/** What finding a position needs: the scenario loader passes its own YAML files too. */
export type YamlPositions = Pick<PlaybookSource, 'doc' | 'linePos'>;

/** The node at `path`, or the nearest ancestor that exists (a missing key points at its map). */
export function nodeAt(src: YamlPositions, path: YamlPath): Node | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? src.doc.contents : src.doc.getIn(path.slice(0, n), true);
    if (node && typeof node === 'object' && 'range' in node && (node as Node).range) return node as Node;
  }
  return undefined;
}

export function positionOf(src: YamlPositions, path: YamlPath): { line: number; col: number } {
  const node = nodeAt(src, path);
  return node?.range ? src.linePos(node.range[0]) : { line: 1, col: 1 };
}

/** Position of the key `key` inside the map at `path` (for unknown keys). */
export function keyPositionOf(src: YamlPositions, path: YamlPath, key: string): { line: number; col: number } {
  const map = path.length === 0 ? src.doc.contents : src.doc.getIn(path, true);
  if (isMap(map)) {
    for (const it of map.items) {
      if (isScalar(it.key) && String(it.key.value) === key && it.key.range) return src.linePos(it.key.range[0]);
    }
  }
  return positionOf(src, path);
}

export function diagAt(src: PlaybookSource, path: YamlPath, message: string): Diagnostic {
  return { file: src.file, ...positionOf(src, path), message };
}

/**
 * Position of character `offset` of a scalar's value. Exact for plain, quoted and literal
 * block scalars on one line and for the usual multi-line forms; when the mapping cannot be
 * reproduced (exotic escapes, folded blocks with odd indentation) it falls back to the
 * scalar's start rather than guess.
 */
export function scalarCharPosition(src: PlaybookSource, path: YamlPath, offset: number): { line: number; col: number } {
  const node = src.doc.getIn(path, true);
  if (!isScalar(node) || !node.range || typeof node.value !== 'string') return positionOf(src, path);
  const start = node.range[0];
  const raw = src.text.slice(start, node.range[1]);
  const map = scalarOffsets(raw, node.type);
  if (!map || map.text !== node.value || offset < 0 || offset > map.offsets.length) {
    return src.linePos(start);
  }
  const rel = offset === map.offsets.length ? raw.length : map.offsets[offset]!;
  return src.linePos(start + rel);
}

/** Decodes a scalar's source and records, for each value character, its offset in `raw`. */
export function scalarOffsets(raw: string, type: string | undefined): { text: string; offsets: number[] } | undefined {
  switch (type) {
    case 'PLAIN':
      return folded(raw, 0, raw.length, 'plain');
    case 'QUOTE_SINGLE':
      return folded(raw, 1, raw.lastIndexOf("'"), 'single');
    case 'QUOTE_DOUBLE':
      return folded(raw, 1, raw.lastIndexOf('"'), 'double');
    case 'BLOCK_LITERAL':
      return literalBlock(raw);
    default:
      return undefined;
  }
}

const DOUBLE_ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
  ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};

// Flow scalar folding: a line break plus surrounding blanks becomes one space, each empty
// line a '\n'. Quotes: '' is one quote; double-quoted escapes are decoded.
function folded(raw: string, from: number, to: number, style: 'plain' | 'single' | 'double'): { text: string; offsets: number[] } | undefined {
  if (to < from) return undefined;
  let text = '';
  const offsets: number[] = [];
  const push = (s: string, at: number) => {
    text += s;
    for (let k = 0; k < s.length; k++) offsets.push(at);
  };
  let i = from;
  while (i < to) {
    const ch = raw[i]!;
    if (ch === '\n' || ch === '\r') {
      // drop trailing blanks already emitted on this line
      while (text.length > 0 && (text.endsWith(' ') || text.endsWith('\t')) && offsets.length > 0 && raw[offsets[offsets.length - 1]!] !== '\\') {
        text = text.slice(0, -1);
        offsets.pop();
      }
      let breaks = 0;
      let j = i;
      while (j < to && /[\s]/.test(raw[j]!)) {
        if (raw[j] === '\n') breaks++;
        j++;
      }
      if (breaks === 1) push(' ', i);
      else for (let k = 1; k < breaks; k++) push('\n', i);
      i = j;
      continue;
    }
    if (style === 'single' && ch === "'" && raw[i + 1] === "'") {
      push("'", i);
      i += 2;
      continue;
    }
    if (style === 'double' && ch === '\\') {
      const e = raw[i + 1];
      if (e === undefined) return undefined;
      if (e === '\n' || e === '\r') {
        // escaped line break: joins lines without a space
        let j = i + 1;
        while (j < to && /\s/.test(raw[j]!)) j++;
        i = j;
        continue;
      }
      const simple = DOUBLE_ESCAPES[e];
      if (simple !== undefined) {
        push(simple, i);
        i += 2;
        continue;
      }
      const hexLen = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
      if (hexLen === 0) return undefined;
      const code = Number.parseInt(raw.slice(i + 2, i + 2 + hexLen), 16);
      if (Number.isNaN(code)) return undefined;
      push(String.fromCodePoint(code), i);
      i += 2 + hexLen;
      continue;
    }
    push(ch, i);
    i++;
  }
  if (style === 'plain') {
    while (text.endsWith(' ') || text.endsWith('\t')) {
      text = text.slice(0, -1);
      offsets.pop();
    }
  }
  return { text, offsets };
}

// `|` blocks: content lines keep their breaks; each loses the block's indentation.
function literalBlock(raw: string): { text: string; offsets: number[] } | undefined {
  const headerEnd = raw.indexOf('\n');
  if (headerEnd < 0) return undefined;
  const header = raw.slice(0, headerEnd);
  const lines: { start: number; body: string }[] = [];
  let pos = headerEnd + 1;
  for (const l of raw.slice(headerEnd + 1).split('\n')) {
    lines.push({ start: pos, body: l });
    pos += l.length + 1;
  }
  const explicit = /[1-9]/.exec(header);
  const firstContent = lines.find((l) => l.body.trim().length > 0);
  if (!firstContent) return { text: '', offsets: [] };
  const indent = explicit ? Number(explicit[0]) : firstContent.body.length - firstContent.body.trimStart().length;
  let text = '';
  const offsets: number[] = [];
  for (const l of lines) {
    const body = l.body.slice(Math.min(indent, l.body.length));
    for (let k = 0; k < body.length; k++) {
      text += body[k];
      offsets.push(l.start + Math.min(indent, l.body.length) + k);
    }
    text += '\n';
    offsets.push(l.start + l.body.length);
  }
  // chomping: '-' strips all final breaks, '+' keeps them, default keeps one
  const trimmed = text.replace(/\n+$/, '');
  const keep = header.includes('-') ? trimmed.length : header.includes('+') ? text.length : Math.min(text.length, trimmed.length + 1);
  return { text: text.slice(0, keep), offsets: offsets.slice(0, keep) };
}
