// CEL expressions over facts (`when:` and foreach `items:`), via @bufbuild/cel.
// Pure: never evaluates playbook text as JavaScript. Facts are bound both as top-level
// variables and as one map `facts`, so `facts["step-id"]` reaches ids with dashes.
// JSON integers become CEL ints (BigInt) so `x + 1` and `x > 1300` type-check at run time;
// results come back as plain JSON (BigInt → number, CEL lists/maps → arrays/objects).
import {
  celEnv,
  isCelError,
  isCelList,
  isCelMap,
  isCelUint,
  parse,
  plan,
  type CelEnv,
  type CelInput,
  type CelValue,
} from '@bufbuild/cel';
import type { FactValue, Facts } from './types.js';

export type CompileResult = { ok: true } | { ok: false; message: string; line: number; col: number };
export type EvalResult<T> = { ok: true; value: T } | { ok: false; error: string };

type Parsed = ReturnType<typeof parse>;
type Program = (ctx: Record<string, CelInput>) => unknown;
type Compiled = { ok: true; parsed: Parsed; program: Program } | { ok: false; message: string; line: number; col: number };

// Expression sources repeat (foreach items, re-validation); plan once per source string.
const cache = new Map<string, Compiled>();
const CACHE_LIMIT = 2000;
let env: CelEnv | undefined;

function compile(src: string): Compiled {
  const hit = cache.get(src);
  if (hit) return hit;
  let result: Compiled;
  try {
    const parsed = parse(src);
    env ??= celEnv();
    const program = plan(env, parsed) as unknown as Program;
    result = { ok: true, parsed, program };
  } catch (e) {
    result = { ok: false, ...syntaxError(e) };
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(src, result);
  return result;
}

function syntaxError(e: unknown): { message: string; line: number; col: number } {
  const err = e as { message?: string; rawMessage?: string; location?: { start?: { line?: number; column?: number } } };
  const line = err.location?.start?.line ?? 1;
  const col = err.location?.start?.column ?? 1;
  // the message starts with "<input>:L:C: "; callers add their own position
  const message = (err.rawMessage ?? err.message ?? String(e)).replace(/^<input>:\d+:\d+:\s*/, '');
  return { message, line, col };
}

/**
 * Checks that an expression parses and calls only functions CEL has here (an unknown one
 * would only fail at run time); the position is 1-based within the expression.
 */
export function compileExpr(src: string): CompileResult {
  const c = compile(src);
  if (!c.ok) return { ok: false, message: c.message, line: c.line, col: c.col };
  const bad = unknownCall(c.parsed);
  if (bad) {
    // a method call is positioned at its '.'; point at the name
    const { line, col } = lineColOf(src, src[bad.offset] === '.' ? bad.offset + 1 : bad.offset);
    return { ok: false, message: bad.message, line, col };
  }
  return { ok: true };
}

// handled by the planner itself, not looked up as functions
const BUILTIN_CALLS = new Set(['_&&_', '_||_', '_?_:_', '_[_]', '@not_strictly_false']);
const MACROS = new Set(['has', 'all', 'exists', 'exists_one', 'map', 'filter']);

function unknownCall(parsed: Parsed): { message: string; offset: number } | undefined {
  env ??= celEnv();
  const funcs = env.funcs;
  const positions = (parsed.sourceInfo?.positions ?? {}) as Record<string, number>;
  const stack: unknown[] = [parsed.expr];
  while (stack.length > 0) {
    const n = stack.pop() as ExprNode | undefined;
    if (!n || typeof n !== 'object') continue;
    const k = n.exprKind;
    if (k?.case === 'callExpr') {
      const name = k.value.function;
      if (!BUILTIN_CALLS.has(name) && !funcs.find(name)) {
        const message = !MACROS.has(name)
          ? `unknown function '${name}'`
          : name === 'has'
            ? 'has() takes one field selection, like has(x.field)'
            : `${name}() takes a loop variable and an expression, like list.${name}(x, x > 0)`;
        return { message, offset: positions[String(n.id)] ?? 0 };
      }
    }
    for (const v of Object.values(n as object)) {
      if (Array.isArray(v)) stack.push(...v);
      else if (v && typeof v === 'object') stack.push(v);
    }
  }
  return undefined;
}

function lineColOf(src: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < src.length; i++) {
    if (src[i] === '\n') {
      line++;
      start = i + 1;
    }
  }
  return { line, col: offset - start + 1 };
}

// ---- references ---------------------------------------------------------------------

interface ExprNode {
  id: bigint;
  exprKind:
    | { case: 'identExpr'; value: { name: string } }
    | { case: 'selectExpr'; value: { operand?: ExprNode; field: string; testOnly: boolean } }
    | { case: 'callExpr'; value: { function: string; target?: ExprNode; args: ExprNode[] } }
    | { case: 'listExpr'; value: { elements: ExprNode[] } }
    | { case: 'structExpr'; value: { entries: { keyKind: { case: string; value?: unknown }; value?: ExprNode }[] } }
    | {
        case: 'comprehensionExpr';
        value: {
          iterVar: string;
          iterVar2: string;
          accuVar: string;
          iterRange?: ExprNode;
          accuInit?: ExprNode;
          loopCondition?: ExprNode;
          loopStep?: ExprNode;
          result?: ExprNode;
        };
      }
    | { case: 'constExpr'; value: { constantKind: { case: string; value?: unknown } } }
    | { case: undefined; value?: undefined };
}

/**
 * Root fact names an expression reads, in order of first use. Macro loop variables
 * (`x` in `xs.exists(x, …)`) are not facts and are left out; `facts["id"]` and
 * `facts.id` count as reading `id`; `has(facts.id)` only tests presence and does not.
 * Returns [] for an expression that does not parse (compileExpr reports that).
 */
export function exprRefs(src: string): string[] {
  return exprRefPositions(src).map((r) => r.name);
}

/** Like exprRefs, with the 0-based offset in `src` of each name's first use. */
export function exprRefPositions(src: string): { name: string; offset: number }[] {
  const c = compile(src);
  if (!c.ok) return [];
  const positions = (c.parsed.sourceInfo?.positions ?? {}) as Record<string, number>;
  const out: { name: string; offset: number }[] = [];
  const add = (name: string, node: ExprNode) => {
    if (out.some((r) => r.name === name)) return;
    out.push({ name, offset: positions[String(node.id)] ?? 0 });
  };
  const walk = (node: ExprNode | undefined, bound: ReadonlySet<string>): void => {
    if (!node) return;
    const k = node.exprKind;
    switch (k.case) {
      case 'identExpr':
        if (!bound.has(k.value.name) && !k.value.name.startsWith('@') && !CEL_TYPE_NAMES.has(k.value.name)) add(k.value.name, node);
        return;
      case 'selectExpr': {
        const op = k.value.operand;
        if (op && isFactsIdent(op, bound)) {
          if (!k.value.testOnly) add(k.value.field, node);
          return;
        }
        walk(op, bound);
        return;
      }
      case 'callExpr': {
        // facts["id"] is an index call on the facts map with a string constant
        const a0 = k.value.args[0];
        const a1 = k.value.args[1];
        if (k.value.function === '_[_]' && a0 && a1 && isFactsIdent(a0, bound)) {
          const key = a1.exprKind;
          if (key.case === 'constExpr' && key.value.constantKind.case === 'stringValue') {
            add(String(key.value.constantKind.value), a1);
            return;
          }
        }
        walk(k.value.target, bound);
        for (const a of k.value.args) walk(a, bound);
        return;
      }
      case 'listExpr':
        for (const e of k.value.elements) walk(e, bound);
        return;
      case 'structExpr':
        for (const e of k.value.entries) {
          if (e.keyKind.case === 'mapKey') walk(e.keyKind.value as ExprNode, bound);
          walk(e.value, bound);
        }
        return;
      case 'comprehensionExpr': {
        const v = k.value;
        walk(v.iterRange, bound);
        walk(v.accuInit, bound);
        const inner = new Set(bound);
        for (const n of [v.iterVar, v.iterVar2, v.accuVar]) if (n) inner.add(n);
        walk(v.loopCondition, inner);
        walk(v.loopStep, inner);
        walk(v.result, inner);
        return;
      }
      default:
        return;
    }
  };
  walk(c.parsed.expr as unknown as ExprNode, new Set());
  return out;
}

// `type(x) == int` reads the type `int`, not a fact
const CEL_TYPE_NAMES = new Set(['int', 'uint', 'double', 'bool', 'string', 'bytes', 'list', 'map', 'null_type', 'type']);

function isFactsIdent(node: ExprNode, bound: ReadonlySet<string>): boolean {
  return node.exprKind.case === 'identExpr' && node.exprKind.value.name === 'facts' && !bound.has('facts');
}

// ---- evaluation ---------------------------------------------------------------------

/** JSON fact → CEL input: integral numbers become ints (BigInt), the rest as is. */
export function toCel(v: FactValue): CelInput {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCel);
  if (v !== null && typeof v === 'object') {
    const o: Record<string, CelInput> = {};
    for (const [k, x] of Object.entries(v)) o[k] = toCel(x);
    return o as CelInput;
  }
  return v;
}

/** CEL value → JSON fact. */
export function fromCel(v: CelValue | unknown): FactValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  if (isCelUint(v)) return Number(v.value);
  if (isCelList(v)) return [...v].map((x) => fromCel(x));
  if (isCelMap(v)) {
    const o: Record<string, FactValue> = {};
    for (const [k, x] of v.entries()) o[String(isCelUint(k) ? k.value : k)] = fromCel(x);
    return o;
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  if (typeof v === 'object' && v !== null && 'toString' in v) return String(v);
  return null;
}

function bindings(facts: Facts): Record<string, CelInput> {
  const vars: Record<string, CelInput> = {};
  const all: Record<string, CelInput> = {};
  for (const [k, v] of Object.entries(facts)) {
    const c = toCel(v);
    all[k] = c;
    vars[k] = c;
  }
  // `facts` always means the whole map, even if some fact were named `facts`
  vars.facts = all as CelInput;
  return vars;
}

function evalRaw(src: string, facts: Facts): EvalResult<unknown> {
  const c = compile(src);
  if (!c.ok) return { ok: false, error: `${c.line}:${c.col}: ${c.message}` };
  try {
    const r = c.program(bindings(facts));
    if (isCelError(r)) return { ok: false, error: r.message };
    return { ok: true, value: r };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

/** Evaluates a `when:`; anything but a bool (or an eval error) is an error, never a guess. */
export function evalBool(src: string, facts: Facts): EvalResult<boolean> {
  const r = evalRaw(src, facts);
  if (!r.ok) return r;
  if (typeof r.value !== 'boolean') {
    return { ok: false, error: `expression yields ${describe(r.value)}, not a bool` };
  }
  return { ok: true, value: r.value };
}

/** Evaluates an expression to a JSON value (foreach `items:`). */
export function evalValue(src: string, facts: Facts): EvalResult<FactValue> {
  const r = evalRaw(src, facts);
  if (!r.ok) return r;
  return { ok: true, value: fromCel(r.value) };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return 'an int';
  if (typeof v === 'number') return 'a double';
  if (isCelList(v)) return 'a list';
  if (isCelMap(v)) return 'a map';
  return `a ${typeof v}`;
}
