// Authoring format (schema.ts, snake_case, shorthands, defaults) → the engine's model.
// Structure and order are kept (steps[i] stays steps[i], transitions[j] stays
// transitions[j]) so semantic checks can point back at YAML paths by index.
import type {
  CallSpec,
  Cause,
  InputSpec,
  ParallelBranch,
  Playbook,
  RunSpec,
  Step,
  TargetSpec,
  Transition,
} from '../engine/model.js';
import type { BranchDoc, CallDoc, PlaybookDoc, RunDoc, StepDoc, TransitionDoc } from './schema.js';

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_CONCURRENCY = 4;

/** '500ms' | '10s' | '2m' | '1h' | milliseconds → milliseconds. */
export function parseDuration(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined;
  const m = /^(\d+)(ms|s|m|h)$/.exec(v.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 3_600_000;
  return n * unit;
}

const str = (v: string | number | boolean): string => String(v);

function target(t: {
  target?: TargetSpec['kind'];
  pod?: string;
  container?: string;
  node?: string;
  namespace?: string;
}): TargetSpec {
  const spec: TargetSpec = { kind: t.target ?? 'workstation' };
  if (t.pod !== undefined) spec.pod = t.pod;
  if (t.container !== undefined) spec.container = t.container;
  if (t.node !== undefined) spec.node = t.node;
  if (t.namespace !== undefined) spec.namespace = t.namespace;
  return spec;
}

function run(r: RunDoc): RunSpec {
  const spec: RunSpec = {
    argv: r.argv.map(str),
    target: target(r),
    timeoutMs: (r.timeout !== undefined ? parseDuration(r.timeout) : undefined) ?? DEFAULT_TIMEOUT_MS,
    mutates: r.mutates ?? false,
  };
  if (r.undo) spec.undo = r.undo.map(str);
  if (r.parse !== undefined) spec.parse = r.parse;
  if (r.read_only_alternative !== undefined) spec.readOnlyAlternative = r.read_only_alternative;
  if (r.requires) spec.requires = r.requires.map((p) => ({ ...p }));
  return spec;
}

function call(c: CallDoc): CallSpec {
  const w: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.with ?? {})) w[k] = str(v);
  return { playbook: c.playbook, with: w };
}

function effectsOf(t: Omit<TransitionDoc, 'when'> & { when?: string }): Transition {
  const out: Transition = {};
  if (t.when !== undefined) out.when = t.when;
  if (t.next !== undefined) out.next = t.next;
  if (t.support) out.support = { ...t.support };
  if (t.rule_out) out.rule_out = { ...t.rule_out };
  if (t.confirm) out.confirm = { ...t.confirm };
  if (t.set) {
    const set: Record<string, string> = {};
    for (const [k, v] of Object.entries(t.set)) set[k] = str(v);
    out.set = set;
  }
  return out;
}

/** Every kind key a step may carry, in the order messages list them. */
export const STEP_KINDS = ['run', 'ask', 'call', 'foreach', 'parallel', 'conclude'] as const;

/** A parallel branch: transitions keep only `when` and evidence (the schema forbids next/set). */
function branch(b: BranchDoc): ParallelBranch {
  const out: ParallelBranch = {
    id: b.id,
    title: b.title,
    why: b.why,
    run: run(b.run),
    transitions: (b.transitions ?? []).map((t) => evidenceOf(t)),
  };
  if (b.as !== undefined) out.as = b.as;
  if (b.only_if !== undefined) out.onlyIf = b.only_if;
  if (b.otherwise !== undefined) out.otherwise = evidenceOf(b.otherwise);
  return out;
}

function evidenceOf(t: { when?: string; support?: Record<string, string>; rule_out?: Record<string, string>; confirm?: Record<string, string> }): Transition {
  const out: Transition = {};
  if (t.when !== undefined) out.when = t.when;
  if (t.support) out.support = { ...t.support };
  if (t.rule_out) out.rule_out = { ...t.rule_out };
  if (t.confirm) out.confirm = { ...t.confirm };
  return out;
}

/** The one kind key a step carries; undefined when it has none or several (semantics reports it). */
export function stepKindOf(s: StepDoc): Step['kind'] | undefined {
  const kinds = STEP_KINDS.filter((k) => s[k] !== undefined);
  return kinds.length === 1 ? kinds[0] : undefined;
}

export function normaliseStep(s: StepDoc): Step | undefined {
  const common = {
    id: s.id,
    title: s.title,
    why: s.why,
    ...(s.as !== undefined ? { as: s.as } : {}),
    transitions: (s.transitions ?? []).map(effectsOf),
    ...(s.otherwise !== undefined
      ? { otherwise: typeof s.otherwise === 'string' ? { next: s.otherwise } : effectsOf(s.otherwise) }
      : {}),
  };
  const kind = stepKindOf(s);
  if (kind === 'run' && s.run) return { ...common, kind, run: run(s.run) };
  if (kind === 'ask' && s.ask) {
    const a = s.ask;
    return {
      ...common,
      kind,
      ask: {
        type: a.type,
        prompt: a.prompt,
        ...(a.choices ? { choices: a.choices.map(str) } : {}),
        ...(a.default !== undefined ? { default: typeof a.default === 'boolean' ? (a.default ? 'yes' : 'no') : str(a.default) } : {}),
        ...(a.pattern !== undefined ? { pattern: a.pattern } : {}),
      },
    };
  }
  if (kind === 'call' && s.call) return { ...common, kind, call: call(s.call) };
  if (kind === 'foreach' && s.foreach) {
    const f = s.foreach;
    const d = f.do.run ? { run: run(f.do.run) } : f.do.call ? { call: call(f.do.call) } : undefined;
    if (!d) return undefined;
    return { ...common, kind, foreach: { items: f.items, as: f.as, concurrency: f.concurrency ?? DEFAULT_CONCURRENCY, do: d } };
  }
  if (kind === 'parallel' && s.parallel) return { ...common, kind, parallel: s.parallel.map(branch) };
  if (kind === 'conclude' && s.conclude) {
    const c = s.conclude;
    return {
      ...common,
      kind,
      conclude: { cause: c.cause, evidence: c.evidence ?? '', ...(c.next !== undefined ? { next: c.next } : {}) },
    };
  }
  return undefined;
}

/** Normalises a schema-valid document. Steps without exactly one kind are dropped (semantics reports them). */
export function normalisePlaybook(doc: PlaybookDoc, file: string): Playbook {
  const inputs: InputSpec[] = (doc.inputs ?? []).map((i) => {
    const spec: InputSpec = { name: i.name, prompt: i.prompt, required: i.required ?? true };
    if (i.default !== undefined) spec.default = str(i.default);
    if (i.pattern !== undefined) spec.pattern = i.pattern;
    if (i.choices) {
      spec.choices = { argv: i.choices.argv.map(str), target: target(i.choices), parse: i.choices.parse };
      if (i.choices.field !== undefined) spec.choices.field = i.choices.field;
    }
    return spec;
  });
  const causes: Cause[] = (doc.causes ?? []).map((c) => ({
    id: c.id,
    title: c.title,
    explanation: c.explanation,
    fix: { text: c.fix.text, commands: (c.fix.commands ?? []).map((a) => a.map(str)) },
    references: c.references ?? [],
  }));
  const steps = doc.steps.map(normaliseStep).filter((s): s is Step => s !== undefined);
  return { id: doc.id, title: doc.title, summary: doc.summary, inputs, causes, steps, file };
}
