// Semantic checks of one schema-valid playbook: references (steps, causes, parsers,
// sub-playbooks, inputs), the step graph (reachability, cycles without a way out),
// set-before-use of variables, and CEL/template syntax with positions inside the YAML.
//
// Variables are checked with two dataflow passes over the step graph:
//   error   — a name is used where it is set on NO path from the entry (FORMAT.md's rule:
//             "set on some path before it");
//   warning — it is set on some paths but not on every path to the use.
import path from 'node:path';
import type { InputSpec, Step } from '../engine/model.js';
import { compileExpr, exprRefPositions } from '../engine/expr.js';
import { parseTemplate } from '../engine/template.js';
import { getParser, parsers } from '../parsers/index.js';
import type { Diagnostic } from './diagnostics.js';
import { normaliseStep, STEP_KINDS } from './normalise.js';
import { mutatingArgIndex } from './read-only.js';
import type { BranchDoc, PlaybookDoc, RunDoc, StepDoc } from './schema.js';
import { diagAt, keyPositionOf, scalarCharPosition, type PlaybookSource, type YamlPath } from './source.js';

export interface CheckContext {
  /** every playbook id known to the catalog → its inputs (for `call` checks) */
  playbooks: ReadonlyMap<string, readonly InputSpec[]>;
}

export interface CheckResult {
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

const INCONCLUSIVE = 'inconclusive';
const RESERVED_FACTS = "'facts' is reserved: in expressions it means the whole fact map; pick another name";

/** `branch`: index of the parallel branch the use sits in (its siblings' facts are off limits). */
type Use = { name: string; path: YamlPath; offset: number; post: boolean; extra?: string; branch?: number };

/** The fact name a parallel branch's result is stored under. */
const branchFact = (b: BranchDoc): string => b.as ?? b.id;

export function checkPlaybook(src: PlaybookSource, doc: PlaybookDoc, ctx: CheckContext): CheckResult {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const err = (p: YamlPath, message: string) => errors.push(diagAt(src, p, message));
  const errKey = (p: YamlPath, key: string, message: string) =>
    errors.push({ file: src.file, ...keyPositionOf(src, p, key), message });

  // --- identity -------------------------------------------------------------------------
  const base = path.basename(src.file).replace(/\.ya?ml$/, '');
  if (doc.id !== base) err(['id'], `playbook id '${doc.id}' does not match the file name '${path.basename(src.file)}'; rename one of them`);

  const causeIds = new Set<string>();
  (doc.causes ?? []).forEach((c, i) => {
    if (c.id === INCONCLUSIVE) err(['causes', i, 'id'], `cause id '${INCONCLUSIVE}' is reserved for "no cause found"; pick another id`);
    if (causeIds.has(c.id)) err(['causes', i, 'id'], `duplicate cause id '${c.id}'`);
    causeIds.add(c.id);
  });

  const stepIndex = new Map<string, number>();
  doc.steps.forEach((s, i) => {
    if (stepIndex.has(s.id)) err(['steps', i, 'id'], `duplicate step id '${s.id}' (first defined as step ${stepIndex.get(s.id)! + 1})`);
    else stepIndex.set(s.id, i);
  });
  // branch ids share the step ids' name space: transcripts, history and RBAC name them as steps
  const branchIds = new Map<string, string>();
  doc.steps.forEach((s, i) =>
    (s.parallel ?? []).forEach((b, k) => {
      const at: YamlPath = ['steps', i, 'parallel', k, 'id'];
      if (stepIndex.has(b.id)) err(at, `branch id '${b.id}' is also the id of step ${stepIndex.get(b.id)! + 1}; branch and step ids must all differ`);
      else if (branchIds.has(b.id)) err(at, `duplicate branch id '${b.id}' (also a branch of step '${branchIds.get(b.id)}')`);
      else branchIds.set(b.id, s.id);
    }),
  );

  const inputNames = new Set<string>();
  (doc.inputs ?? []).forEach((inp, i) => {
    if (inputNames.has(inp.name)) err(['inputs', i, 'name'], `duplicate input '${inp.name}'`);
    inputNames.add(inp.name);
    if (inp.pattern !== undefined && checkRegexp(inp.pattern, ['inputs', i, 'pattern']) && inp.default !== undefined) {
      if (!new RegExp(inp.pattern).test(String(inp.default))) err(['inputs', i, 'default'], `default '${String(inp.default)}' does not match the input's pattern`);
    }
    if (inp.choices) {
      checkParser(inp.choices.parse, ['inputs', i, 'choices', 'parse']);
      checkTarget(inp.choices, ['inputs', i, 'choices']);
      // choices are read while inputs are asked in order: only earlier inputs are known
      const earlier = new Set((doc.inputs ?? []).slice(0, i).map((x) => x.name));
      inp.choices.argv.forEach((a, k) => {
        if (typeof a !== 'string') return;
        for (const piece of parseTemplate(a)) {
          if (!('placeholder' in piece) || !piece.placeholder.path) continue;
          const name = String(piece.placeholder.path[0]);
          if (!earlier.has(name)) {
            const at = scalarCharPosition(src, ['inputs', i, 'choices', 'argv', k], piece.placeholder.offset);
            errors.push({ file: src.file, ...at, message: `'${name}' is not an input declared before '${inp.name}'; choices can only use earlier inputs` });
          }
        }
      });
    }
    if (inp.name === 'facts') err(['inputs', i, 'name'], RESERVED_FACTS);
  });

  function checkRegexp(pattern: string, p: YamlPath): boolean {
    try {
      new RegExp(pattern);
      return true;
    } catch (e) {
      err(p, `pattern is not a valid regular expression: ${e instanceof Error ? e.message : String(e)}`);
      return false;
    }
  }

  function checkParser(name: string, p: YamlPath): void {
    if (getParser(name)) return;
    const known = [...parsers.keys()].sort();
    const near = closest(name, known);
    err(p, near ? `unknown parser '${name}'; did you mean '${near}'?` : `unknown parser '${name}'; known parsers: ${known.join(', ')}`);
  }

  function checkTarget(t: { target?: string; pod?: string; node?: string }, p: YamlPath): void {
    if (t.target === 'pod' && !t.pod) err([...p, 'target'], "a pod target needs 'pod: <pod name>'");
    if (t.target === 'node' && !t.node) err([...p, 'target'], "a node target needs 'node: <node name>'");
  }

  function checkStepRef(id: string, p: YamlPath, what: string): void {
    if (stepIndex.has(id)) return;
    const parent = branchIds.get(id);
    if (parent !== undefined) {
      err(p, `${what} '${id}' is a branch of parallel step '${parent}', not a step; go to '${parent}' to run its branches`);
      return;
    }
    const near = closest(id, [...stepIndex.keys()]);
    err(p, `${what} '${id}' is not a step of this playbook; ${near ? `did you mean '${near}'?` : `steps: ${[...stepIndex.keys()].join(', ')}`}`);
  }

  function checkCauseRef(id: string, p: YamlPath, key?: string): void {
    if (causeIds.has(id)) return;
    const near = closest(id, [...causeIds]);
    const msg = near
      ? `unknown cause '${id}'; did you mean '${near}'?`
      : `unknown cause '${id}'; this playbook declares: ${[...causeIds].join(', ') || '(no causes)'}`;
    if (key !== undefined) errKey(p, key, msg);
    else err(p, msg);
  }

  function checkRun(r: RunDoc, p: YamlPath): void {
    if (r.parse !== undefined) checkParser(r.parse, [...p, 'parse']);
    checkTarget(r, p);
    if (r.mutates && !r.undo) err([...p, 'mutates'], "a mutating command needs 'undo: [argv…]' that puts back what it changed");
    if (r.read_only_alternative !== undefined) checkStepRef(r.read_only_alternative, [...p, 'read_only_alternative'], 'read_only_alternative');
  }

  function checkCall(c: { playbook: string; with?: Record<string, unknown> }, p: YamlPath): void {
    const inputs = ctx.playbooks.get(c.playbook);
    if (!inputs) {
      err([...p, 'playbook'], `unknown playbook '${c.playbook}'; add playbooks/${c.playbook}.yaml or check the id with 'netwiz list'`);
      return;
    }
    const given = c.with ?? {};
    for (const inp of inputs) {
      if (inp.required && inp.default === undefined && !(inp.name in given)) {
        err(c.with ? [...p, 'with'] : p, `call of '${c.playbook}' misses its required input '${inp.name}'; add it under 'with:'`);
      }
    }
    for (const k of Object.keys(given)) {
      if (!inputs.some((i) => i.name === k)) {
        errKey([...p, 'with'], k, `'${c.playbook}' has no input '${k}'; its inputs: ${inputs.map((i) => i.name).join(', ') || '(none)'}`);
      }
    }
  }

  // --- steps -----------------------------------------------------------------------------
  const steps: (Step | undefined)[] = doc.steps.map(normaliseStep);
  doc.steps.forEach((s, i) => {
    const p: YamlPath = ['steps', i];
    const kinds = STEP_KINDS.filter((k) => s[k] !== undefined);
    if (kinds.length === 0) err(p, `step '${s.id}' has no kind; give it one of ${STEP_KINDS.join(', ')}`);
    if (kinds.length > 1) err([...p, kinds[1]!], `step '${s.id}' has several kinds (${kinds.join(', ')}); a step does exactly one thing`);
    if (s.as === 'facts') err([...p, 'as'], RESERVED_FACTS);
    if (s.foreach?.as === 'facts') err([...p, 'foreach', 'as'], RESERVED_FACTS);
    for (const [j, t] of (s.transitions ?? []).entries()) if (t.set && 'facts' in t.set) errKey([...p, 'transitions', j, 'set'], 'facts', RESERVED_FACTS);
    if (typeof s.otherwise === 'object' && s.otherwise.set && 'facts' in s.otherwise.set) errKey([...p, 'otherwise', 'set'], 'facts', RESERVED_FACTS);
    if (s.run) checkRun(s.run, [...p, 'run']);
    if (s.call) checkCall(s.call, [...p, 'call']);
    if (s.ask) {
      if (s.ask.type === 'choice' && !(s.ask.choices && s.ask.choices.length > 0)) err([...p, 'ask'], "a choice question needs 'choices: [...]'");
      if (s.ask.pattern !== undefined) checkRegexp(s.ask.pattern, [...p, 'ask', 'pattern']);
      const def = s.ask.default;
      if (def !== undefined && s.ask.type === 'choice' && s.ask.choices && !s.ask.choices.map(String).includes(String(def))) {
        err([...p, 'ask', 'default'], `default '${String(def)}' is not one of the choices`);
      }
    }
    if (s.foreach) {
      const d = s.foreach.do;
      if (!!d.run === !!d.call) err([...p, 'foreach', 'do'], "foreach 'do' needs exactly one of run or call");
      if (d.run) checkRun(d.run, [...p, 'foreach', 'do', 'run']);
      if (d.call) checkCall(d.call, [...p, 'foreach', 'do', 'call']);
    }
    if (s.parallel) checkParallel(s, s.parallel, p);
    if (s.conclude) {
      if (s.conclude.cause !== INCONCLUSIVE) checkCauseRef(s.conclude.cause, [...p, 'conclude', 'cause']);
      if (s.transitions?.length || s.otherwise !== undefined) {
        err([...p, s.transitions?.length ? 'transitions' : 'otherwise'], 'a conclude step ends the playbook; its transitions would never be used');
      }
    }
    (s.transitions ?? []).forEach((t, j) => {
      const tp: YamlPath = [...p, 'transitions', j];
      if (t.next !== undefined) checkStepRef(t.next, [...tp, 'next'], 'next');
      checkEffects(t, tp);
    });
    if (typeof s.otherwise === 'string') checkStepRef(s.otherwise, [...p, 'otherwise'], 'otherwise');
    else if (s.otherwise) {
      if (s.otherwise.next !== undefined) checkStepRef(s.otherwise.next, [...p, 'otherwise', 'next'], 'next');
      checkEffects(s.otherwise, [...p, 'otherwise']);
    }
  });

  function checkParallel(s: StepDoc, branches: BranchDoc[], p: YamlPath): void {
    const factOwner = new Map<string, string>();
    if (s.as !== undefined) factOwner.set(s.as, `step '${s.id}'`);
    branches.forEach((b, k) => {
      const bp: YamlPath = [...p, 'parallel', k];
      const fact = branchFact(b);
      if (fact === 'facts') err([...bp, b.as !== undefined ? 'as' : 'id'], RESERVED_FACTS);
      const other = factOwner.get(fact);
      if (other !== undefined) err([...bp, b.as !== undefined ? 'as' : 'id'], `fact '${fact}' is also the result of ${other}; give this branch another 'as'`);
      else factOwner.set(fact, `branch '${b.id}'`);
      const rp: YamlPath = [...bp, 'run'];
      checkRun(b.run, rp);
      // branches run at the same time and are never confirmed, journalled or undone: reads only
      const readsOnly = 'a branch of a parallel step must only read; run a command that changes something as a step of its own';
      if (b.run.mutates) err([...rp, 'mutates'], readsOnly);
      else {
        const argv = b.run.argv.map(String);
        const m = mutatingArgIndex(argv);
        if (m >= 0) err([...rp, 'argv', m], `'${argv.slice(0, m + 1).join(' ')}' changes the cluster; ${readsOnly}`);
      }
      if (b.run.undo) err([...rp, 'undo'], `${readsOnly} (it has nothing to undo)`);
      if (b.run.read_only_alternative !== undefined) err([...rp, 'read_only_alternative'], `${readsOnly} (it runs under --read-only as it is)`);
      (b.transitions ?? []).forEach((t, j) => checkEffects(t, [...bp, 'transitions', j]));
      if (b.otherwise) checkEffects(b.otherwise, [...bp, 'otherwise']);
    });
  }

  function checkEffects(t: { support?: Record<string, string>; rule_out?: Record<string, string>; confirm?: Record<string, string> }, p: YamlPath): void {
    for (const eff of ['support', 'rule_out', 'confirm'] as const) {
      for (const id of Object.keys(t[eff] ?? {})) checkCauseRef(id, [...p, eff], id);
    }
  }

  // --- expressions and templates ------------------------------------------------------------
  const uses: Use[][] = doc.steps.map(() => []);
  doc.steps.forEach((s, i) => collectUses(s, ['steps', i], uses[i]!));

  function cel(src0: string, p: YamlPath, post: boolean, into: Use[], extra?: string): void {
    const c = compileExpr(src0);
    if (!c.ok) {
      const offset = offsetOfLineCol(src0, c.line, c.col);
      errors.push({ file: src.file, ...scalarCharPosition(src, p, offset), message: `CEL: ${c.message}` });
      return;
    }
    for (const r of exprRefPositions(src0)) into.push({ name: r.name, path: p, offset: r.offset, post, ...(extra ? { extra } : {}) });
  }

  function tpl(text: string, p: YamlPath, post: boolean, into: Use[], extra?: string): void {
    for (const piece of parseTemplate(text)) {
      if (!('placeholder' in piece)) continue;
      const ph = piece.placeholder;
      if (!ph.path) {
        errors.push({
          file: src.file,
          ...scalarCharPosition(src, p, ph.offset),
          message: `template '{{${ph.raw}}}' is not a fact path; write {{name}}, {{name.field}} or {{name[0]}}`,
        });
        continue;
      }
      into.push({ name: String(ph.path[0]), path: p, offset: ph.offset, post, ...(extra ? { extra } : {}) });
    }
  }

  function runUses(r: RunDoc, p: YamlPath, into: Use[], extra?: string): void {
    r.argv.forEach((a, k) => typeof a === 'string' && tpl(a, [...p, 'argv', k], false, into, extra));
    (r.undo ?? []).forEach((a, k) => typeof a === 'string' && tpl(a, [...p, 'undo', k], false, into, extra));
    for (const f of ['pod', 'container', 'node', 'namespace'] as const) {
      const v = r[f];
      if (v !== undefined) tpl(v, [...p, f], false, into, extra);
    }
    (r.requires ?? []).forEach((q, k) => q.namespace !== undefined && tpl(q.namespace, [...p, 'requires', k, 'namespace'], false, into, extra));
  }

  function withUses(w: Record<string, unknown> | undefined, p: YamlPath, into: Use[], extra?: string): void {
    for (const [k, v] of Object.entries(w ?? {})) if (typeof v === 'string') tpl(v, [...p, 'with', k], false, into, extra);
  }

  function collectUses(s: StepDoc, p: YamlPath, into: Use[]): void {
    if (s.run) runUses(s.run, [...p, 'run'], into);
    if (s.call) withUses(s.call.with, [...p, 'call'], into);
    if (s.ask) tpl(s.ask.prompt, [...p, 'ask', 'prompt'], false, into);
    if (s.foreach) {
      cel(s.foreach.items, [...p, 'foreach', 'items'], false, into);
      const d = s.foreach.do;
      if (d.run) runUses(d.run, [...p, 'foreach', 'do', 'run'], into, s.foreach.as);
      if (d.call) withUses(d.call.with, [...p, 'foreach', 'do', 'call'], into, s.foreach.as);
    }
    if (s.conclude) {
      if (s.conclude.evidence !== undefined) tpl(s.conclude.evidence, [...p, 'conclude', 'evidence'], false, into);
      if (s.conclude.next !== undefined) tpl(s.conclude.next, [...p, 'conclude', 'next'], false, into);
    }
    const effectUses = (t: { support?: Record<string, string>; rule_out?: Record<string, string>; confirm?: Record<string, string>; set?: Record<string, unknown> }, tp: YamlPath, to: Use[] = into) => {
      for (const eff of ['support', 'rule_out', 'confirm'] as const) {
        for (const [k, v] of Object.entries(t[eff] ?? {})) tpl(v, [...tp, eff, k], true, to);
      }
      for (const [k, v] of Object.entries(t.set ?? {})) if (typeof v === 'string') tpl(v, [...tp, 'set', k], true, to);
    };
    (s.parallel ?? []).forEach((b, k) => {
      const bp: YamlPath = [...p, 'parallel', k];
      const mine: Use[] = [];
      if (b.only_if !== undefined) cel(b.only_if, [...bp, 'only_if'], false, mine);
      runUses(b.run, [...bp, 'run'], mine);
      (b.transitions ?? []).forEach((t, j) => {
        cel(t.when, [...bp, 'transitions', j, 'when'], true, mine);
        effectUses(t, [...bp, 'transitions', j], mine);
      });
      if (b.otherwise) effectUses(b.otherwise, [...bp, 'otherwise'], mine);
      for (const u of mine) into.push({ ...u, branch: k });
    });
    (s.transitions ?? []).forEach((t, j) => {
      cel(t.when, [...p, 'transitions', j, 'when'], true, into);
      effectUses(t, [...p, 'transitions', j]);
    });
    if (s.otherwise && typeof s.otherwise !== 'string') effectUses(s.otherwise, [...p, 'otherwise']);
  }

  // --- graph ----------------------------------------------------------------------------------
  const n = doc.steps.length;
  const END = n;
  /** facts a step leaves: its result, and for a parallel step each branch's result too */
  const resultNames = (i: number): string[] => {
    const s = steps[i];
    if (!s || s.kind === 'conclude') return [];
    return [doc.steps[i]!.as ?? s.id, ...(doc.steps[i]!.parallel ?? []).map(branchFact)];
  };
  // edges[i]: successor index (END = falls off the end) and the names `set` on that edge
  const edges: { to: number; sets: string[] }[][] = doc.steps.map((s, i) => {
    if (s.conclude) return [];
    const out: { to: number; sets: string[] }[] = [];
    const fall = i + 1 < n ? i + 1 : END;
    const target = (next: string | undefined) => (next === undefined ? fall : stepIndex.get(next));
    const add = (to: number | undefined, sets: Record<string, unknown> | undefined) => {
      if (to !== undefined) out.push({ to, sets: Object.keys(sets ?? {}) });
    };
    for (const t of s.transitions ?? []) add(target(t.next), t.set);
    if (s.otherwise === undefined) add(fall, undefined);
    else if (typeof s.otherwise === 'string') add(target(s.otherwise), undefined);
    else add(target(s.otherwise.next), s.otherwise.set);
    const roa = s.run?.read_only_alternative;
    if (roa !== undefined) add(stepIndex.get(roa), undefined);
    return out;
  });

  const reachable = new Set<number>([0]);
  const queue = [0];
  while (queue.length > 0) {
    const i = queue.shift()!;
    for (const e of edges[i] ?? []) {
      if (e.to !== END && !reachable.has(e.to)) {
        reachable.add(e.to);
        queue.push(e.to);
      }
    }
  }
  doc.steps.forEach((s, i) => {
    if (!reachable.has(i)) err(['steps', i, 'id'], `step '${s.id}' is unreachable: no step leads to it (the first step is the entry point)`);
  });

  for (const scc of stronglyConnected(n, edges)) {
    const cyclic = scc.length > 1 || (edges[scc[0]!] ?? []).some((e) => e.to === scc[0]);
    if (!cyclic) continue;
    const inside = new Set(scc);
    const leaves = scc.some((i) => doc.steps[i]!.conclude || (edges[i] ?? []).some((e) => !inside.has(e.to)));
    if (leaves) continue;
    const first = Math.min(...scc);
    const ids = [...scc].sort((a, b) => a - b).map((i) => doc.steps[i]!.id);
    err(['steps', first, 'id'], `steps ${ids.join(' → ')} form a cycle with no way out: add a transition that leaves it or a conclude step`);
  }

  // --- variables: set before use ---------------------------------------------------------------
  const inputs = (doc.inputs ?? []).map((x) => x.name);
  const everyName = new Set<string>(inputs);
  for (let i = 0; i < n; i++) {
    for (const r of resultNames(i)) everyName.add(r);
    for (const e of edges[i] ?? []) for (const x of e.sets) everyName.add(x);
  }
  // an optional input without a default may be absent at run time
  const definite = (doc.inputs ?? []).filter((x) => x.required !== false || x.default !== undefined).map((x) => x.name);
  const may = flow(n, edges, resultNames, inputs, 'union', everyName);
  const must = flow(n, edges, resultNames, definite, 'intersect', everyName);
  for (let i = 0; i < n; i++) {
    if (!reachable.has(i)) continue;
    const own = resultNames(i);
    const branches = doc.steps[i]!.parallel ?? [];
    for (const u of uses[i] ?? []) {
      if (u.name === 'facts' || u.name === u.extra) continue;
      if (u.branch !== undefined) {
        // a branch sees the facts from before the parallel step and, once it ran, its own
        const mine = branchFact(branches[u.branch]!);
        const sibling = branches.find((b, k) => k !== u.branch && branchFact(b) === u.name);
        if (sibling) {
          errors.push({
            file: src.file,
            ...scalarCharPosition(src, u.path, u.offset),
            message: `'${u.name}' is the result of branch '${sibling.id}', which runs at the same time as this one; read it in the parallel step's own transitions or in a later step`,
          });
          continue;
        }
        if (u.post && u.name === mine) continue;
      } else if (u.post && own.includes(u.name)) continue;
      const at = { file: src.file, ...scalarCharPosition(src, u.path, u.offset) };
      if (!may[i]!.has(u.name)) {
        errors.push({
          ...at,
          message: `'${u.name}' is used but never set before this step; set it with an input, an earlier step (its id or 'as'), a foreach 'as' or 'set:'`,
        });
      } else if (!must[i]!.has(u.name)) {
        const why = inputNames.has(u.name) && !definite.includes(u.name)
          ? `it is an optional input without a default`
          : `only some paths to step '${doc.steps[i]!.id}' set it`;
        warnings.push({ ...at, message: `'${u.name}' may be unset here: ${why}` });
      }
    }
  }

  return { errors, warnings };
}

/** Names set on entry to each step: union (set on some path) or intersection (every path). */
function flow(
  n: number,
  edges: { to: number; sets: string[] }[][],
  resultNames: (i: number) => string[],
  inputs: string[],
  mode: 'union' | 'intersect',
  universe: ReadonlySet<string>,
): Set<string>[] {
  const IN: Set<string>[] = [];
  for (let i = 0; i < n; i++) IN.push(i === 0 ? new Set(inputs) : mode === 'union' ? new Set() : new Set(universe));
  const preds: { from: number; sets: string[] }[][] = Array.from({ length: n }, () => []);
  edges.forEach((es, from) => es.forEach((e) => e.to < n && preds[e.to]!.push({ from, sets: e.sets })));
  let changed = true;
  let rounds = 0;
  while (changed && rounds++ < n * 4 + 10) {
    changed = false;
    for (let i = 1; i < n; i++) {
      let next: Set<string> | undefined;
      for (const p of preds[i]!) {
        const out = new Set(IN[p.from]);
        for (const r of resultNames(p.from)) out.add(r);
        for (const x of p.sets) out.add(x);
        if (!next) next = out;
        else if (mode === 'union') for (const x of out) next.add(x);
        else for (const x of next) if (!out.has(x)) next.delete(x);
      }
      next ??= mode === 'union' ? new Set() : new Set(universe);
      if (next.size !== IN[i]!.size || [...next].some((x) => !IN[i]!.has(x))) {
        IN[i] = next;
        changed = true;
      }
    }
    // the entry may also be re-entered by a loop; what it has on entry is the inputs
    // plus, for `union`, whatever a loop back to it carries
    if (mode === 'union') {
      for (const p of preds[0]!) {
        const before = IN[0]!.size;
        for (const x of IN[p.from]!) IN[0]!.add(x);
        for (const r of resultNames(p.from)) IN[0]!.add(r);
        for (const x of p.sets) IN[0]!.add(x);
        if (IN[0]!.size !== before) changed = true;
      }
    }
  }
  return IN;
}

/** Tarjan's strongly connected components, iterative (playbooks are small, but be safe). */
function stronglyConnected(n: number, edges: { to: number }[][]): number[][] {
  const index = new Array<number>(n).fill(-1);
  const low = new Array<number>(n).fill(0);
  const onStack = new Array<boolean>(n).fill(false);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    const work: { v: number; k: number }[] = [{ v: root, k: 0 }];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const succ = (edges[top.v] ?? []).filter((e) => e.to < n);
      if (top.k < succ.length) {
        const w = succ[top.k++]!.to;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = true;
          work.push({ v: w, k: 0 });
        } else if (onStack[w]) low[top.v] = Math.min(low[top.v]!, index[w]!);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.v;
        low[parent] = Math.min(low[parent]!, low[top.v]!);
      }
      if (low[top.v] === index[top.v]) {
        const comp: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          comp.push(w);
        } while (w !== top.v);
        out.push(comp);
      }
    }
  }
  return out;
}

/** The nearest known name if it is close enough to be a likely typo (≤ 1 edit per 3 characters, at most 2). */
export function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Math.min(2, Math.max(1, Math.floor(name.length / 3))) + 1;
  for (const k of known) {
    const d = editDistance(name, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/** 0-based offset of a 1-based line:col inside a (possibly multi-line) expression. */
function offsetOfLineCol(text: string, line: number, col: number): number {
  let off = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', off);
    if (nl < 0) break;
    off = nl + 1;
  }
  return off + col - 1;
}
