// The pure decision-tree engine: (catalog, state, event) → (new state, effects).
// No I/O, no clock, no randomness: durations arrive inside events, effect ids come from a
// counter in the state, and every state is plain JSON (save, resume, replay).
//
// Internally one event is handled as a small loop of actions (enter a step, complete it,
// end a frame, end the session) until the engine needs the outside world again (a run or
// ask effect) or the session ends. The loop, not recursion, keeps long chains of steps
// that need no I/O (conclude, call, set) off the call stack.
import { checkAnswer } from './answers.js';
import { evalBool, evalValue } from './expr.js';
import { notAnsweredFact, notRunFact, runFact, summariseResult } from './facts.js';
import { applyHypothesisEffect, hypothesisKey, registerCauses } from './hypotheses.js';
import type { Catalog, ParallelBranch, Playbook, RunSpec, Step, TargetSpec, Transition } from './model.js';
import { stepRuns } from './reachable.js';
import { renderArgv, renderTemplate } from './template.js';
import type {
  Effect,
  EngineEvent,
  FactValue,
  Facts,
  Frame,
  Hypothesis,
  HistoryEntry,
  Outcome,
  SessionOptions,
  SessionState,
  Transitioned,
} from './types.js';

export const DEFAULT_MAX_STEPS = 500;

/** What a sub-playbook hands back to its caller (stored as the call step's fact). */
interface FrameResult {
  /** concluded: a cause; inconclusive: concluded `inconclusive`; completed: ran off its last step */
  status: 'concluded' | 'inconclusive' | 'completed';
  cause: string | null;
  evidence: string;
  next?: string;
}

type Action =
  | { t: 'enter'; stepId: string }
  | { t: 'complete'; fact: FactValue; summary: string; warnings: string[] }
  | { t: 'frame-end'; result: FrameResult; warnings: string[] }
  | { t: 'session-end'; outcome: Outcome };

interface Ctx {
  catalog: Catalog;
  state: SessionState;
  effects: Effect[];
  /** frames, facts maps and hypotheses this call made or copied: free to change. Anything
   * else is shared with the state the caller gave us and is copied before its first change. */
  owned: WeakSet<object>;
}

type RunEffect = Extract<Effect, { type: 'run' }>;
type ParallelStep = Extract<Step, { kind: 'parallel' }>;
/** What a transition is chosen for: a step, or a branch of a parallel step. */
type Decider = Pick<Step, 'id' | 'transitions' | 'otherwise'>;

// ---- public API ---------------------------------------------------------------------

/** A session before its first step: no frames, nothing pending. Exported for the driver,
 * whose state() must return a state even before startSession has run. */
export function initialSessionState(rootPlaybook: string, options: Partial<SessionOptions> = {}): SessionState {
  return {
    version: 1,
    rootPlaybook,
    status: 'running',
    frames: [],
    hypotheses: {},
    history: [],
    pending: [],
    stepsTaken: 0,
    nextEffectSeq: 1,
    options: {
      readOnly: options.readOnly ?? false,
      dryRun: options.dryRun ?? false,
      maxSteps: options.maxSteps ?? DEFAULT_MAX_STEPS,
    },
  };
}

export function startSession(
  catalog: Catalog,
  rootId: string,
  inputs: Record<string, string>,
  options: Partial<SessionOptions> = {},
): Transitioned {
  const root = catalog[rootId];
  if (!root) throw new Error(`unknown playbook "${rootId}"`);
  const state = initialSessionState(rootId, options);
  // a new state: nothing in it is shared with anyone yet
  const ctx: Ctx = { catalog, state, effects: [], owned: new WeakSet() };
  registerCauses(catalog, state, rootId);
  const facts = inputFacts(root, inputs);
  if (!facts.ok) {
    run(ctx, { t: 'session-end', outcome: { status: 'aborted', evidence: [], reason: facts.error } });
    return { state, effects: ctx.effects };
  }
  state.frames.push(own(ctx, { playbookId: rootId, stepId: root.steps[0]?.id ?? '', facts: own(ctx, facts.facts) }));
  run(ctx, firstStep(ctx, root));
  return { state, effects: ctx.effects };
}

export function applyEvent(catalog: Catalog, state: SessionState, event: EngineEvent): Transitioned {
  if (state.status !== 'running') return { state, effects: [] };
  const owned = new WeakSet<object>();
  const ctx: Ctx = { catalog, state: copyForUpdate(state, owned), effects: [], owned };
  const s = ctx.state;
  if (event.type === 'abort') {
    run(ctx, { t: 'session-end', outcome: { status: 'aborted', evidence: [], reason: event.reason, ...ruledOut(s) } });
    return { state: s, effects: ctx.effects };
  }
  const idx = s.pending.findIndex((e) => e.id === event.effectId);
  // an event for an effect that is not outstanding (late, duplicate) changes nothing
  if (idx < 0) return { state, effects: [] };
  const effect = s.pending[idx]!;
  const frame = top(s);
  // a parallel branch's effect names the branch; the frame is on the parallel step
  if (!frame || effect.type === 'done' || effect.playbookId !== frame.playbookId) return { state, effects: [] };
  const ownerStepId = effect.type === 'run' && effect.parentStepId !== undefined ? effect.parentStepId : effect.stepId;
  if (ownerStepId !== frame.stepId) return { state, effects: [] };
  if (effect.type === 'run') {
    const spec = runSpecOf(catalog, effect);
    let fact: Record<string, FactValue>;
    let summary: string;
    switch (event.type) {
      case 'command-finished':
        fact = runFact(event.result, spec?.parse);
        summary = summariseResult(event.result);
        break;
      case 'skipped':
        fact = notRunFact('skipped', event.reason);
        summary = `skipped: ${event.reason}`;
        break;
      case 'cancelled':
        fact = notRunFact('cancelled', 'cancelled by the operator');
        summary = 'cancelled by the operator';
        break;
      default:
        return { state, effects: [] };
    }
    s.pending.splice(idx, 1);
    if (effect.parentStepId !== undefined) {
      run(ctx, branchDone(ctx, frame, effect, fact, summary));
    } else if (effect.index !== undefined) {
      run(ctx, foreachItemDone(ctx, frame, effect, fact));
    } else {
      run(ctx, { t: 'complete', fact, summary, warnings: [] });
    }
    return { state: s, effects: ctx.effects };
  }
  // ask
  let fact: FactValue;
  let summary: string;
  switch (event.type) {
    case 'answered': {
      const checked = checkAnswer(effect.question, event.value);
      // the driver and UI check answers first; an invalid one here leaves the question open
      if (!checked.ok) return { state, effects: [] };
      fact = checked.value;
      summary = `answered ${typeof fact === 'boolean' ? (fact ? 'yes' : 'no') : JSON.stringify(fact)}`;
      break;
    }
    case 'skipped':
      fact = notAnsweredFact('skipped', event.reason);
      summary = `skipped: ${event.reason}`;
      break;
    case 'cancelled':
      fact = notAnsweredFact('cancelled', 'cancelled by the operator');
      summary = 'cancelled by the operator';
      break;
    default:
      return { state, effects: [] };
  }
  s.pending.splice(idx, 1);
  run(ctx, { t: 'complete', fact, summary, warnings: [] });
  return { state: s, effects: ctx.effects };
}

/**
 * The new state for one event, sharing everything with the old one until it changes.
 * Facts, history entries, evidence entries and effects are never changed once stored, so
 * they are always shared. The containers the engine writes are copied: the state's own
 * arrays and maps (pointer copies, no deep work) and the active frame, which every event
 * changes. A frame's facts map and a hypothesis are copied only when first written
 * (ownFacts, ownHypothesis), and another frame only when it becomes the active one again
 * (ownTop). Before this, every frame's facts were copied per event: with a fact per step,
 * a long session paid O(steps) per step (O(steps²) in all).
 */
function copyForUpdate(s: SessionState, owned: WeakSet<object>): SessionState {
  const frames = [...s.frames];
  const state: SessionState = {
    ...s,
    options: { ...s.options },
    frames,
    hypotheses: { ...s.hypotheses },
    history: [...s.history],
    pending: [...s.pending],
  };
  const last = frames.length - 1;
  if (last >= 0) frames[last] = copyFrame(frames[last]!, owned);
  return state;
}

function copyFrame(f: Frame, owned: WeakSet<object>): Frame {
  const copy: Frame = { ...f };
  // foreach bookkeeping is small and changes with every item: copy it with the frame
  // (items are facts, never changed; results and warnings are replaced or appended)
  if (f.foreach) copy.foreach = { ...f.foreach, results: [...f.foreach.results], ...(f.foreach.warnings ? { warnings: [...f.foreach.warnings] } : {}) };
  owned.add(copy);
  return copy;
}

function own<T extends object>(ctx: Ctx, o: T): T {
  ctx.owned.add(o);
  return o;
}

/** The active frame, copied first if it is still shared with the given state. */
function ownTop(ctx: Ctx): Frame | undefined {
  const frames = ctx.state.frames;
  const i = frames.length - 1;
  const f = frames[i];
  if (!f || ctx.owned.has(f)) return f;
  return (frames[i] = copyFrame(f, ctx.owned));
}

/** The frame's facts map, ready to write (the frame itself must be owned). */
function ownFacts(ctx: Ctx, frame: Frame): Facts {
  if (!ctx.owned.has(frame.facts)) frame.facts = own(ctx, copyFacts(frame.facts));
  return frame.facts;
}

/** A shallow copy, same keys in the same order. A key loop, not `{...f}`: 2–5× faster for
 * the tens to hundreds of facts a frame holds (measured on Node 20), and this copy is the
 * one part of an event's work that grows with the session (one fact per step). */
function copyFacts(f: Facts): Facts {
  const out: Facts = {};
  const keys = Object.keys(f);
  for (let i = 0; i < keys.length; i++) out[keys[i]!] = f[keys[i]!]!;
  return out;
}

/** A hypothesis ready to change (status, evidence), or undefined for an unknown key. */
function ownHypothesis(ctx: Ctx, key: string): Hypothesis | undefined {
  const h = ctx.state.hypotheses[key];
  if (!h || ctx.owned.has(h)) return h;
  return (ctx.state.hypotheses[key] = own(ctx, { ...h, evidence: [...h.evidence] }));
}

// ---- the action loop ----------------------------------------------------------------

function run(ctx: Ctx, first: Action | null): void {
  let action: Action | null = first;
  while (action && ctx.state.status === 'running') {
    switch (action.t) {
      case 'enter':
        action = enter(ctx, action.stepId);
        break;
      case 'complete':
        action = complete(ctx, action.fact, action.summary, action.warnings);
        break;
      case 'frame-end':
        action = frameEnd(ctx, action.result, action.warnings);
        break;
      case 'session-end':
        endSession(ctx, action.outcome);
        action = null;
        break;
    }
  }
}

function top(s: SessionState): Frame | undefined {
  return s.frames[s.frames.length - 1];
}

function frameOf(ctx: Ctx): { frame: Frame; pb: Playbook } {
  const frame = top(ctx.state);
  const pb = frame ? ctx.catalog[frame.playbookId] : undefined;
  if (!frame || !pb) throw new Error('engine invariant: no active frame');
  return { frame, pb };
}

/**
 * Step id → index, per playbook, built once: a playbook is never changed after loading, and
 * a linear search per step made a long playbook quadratic.
 */
const stepIndexes = new WeakMap<Playbook, Map<string, number>>();

function stepIndex(pb: Playbook, id: string): number {
  let m = stepIndexes.get(pb);
  if (!m) {
    m = new Map();
    // the first of duplicate ids wins, as with find()
    for (const [i, st] of pb.steps.entries()) if (!m.has(st.id)) m.set(st.id, i);
    stepIndexes.set(pb, m);
  }
  return m.get(id) ?? -1;
}

function stepOf(pb: Playbook, id: string): Step | undefined {
  return pb.steps[stepIndex(pb, id)];
}

function currentStep(ctx: Ctx): { frame: Frame; pb: Playbook; step: Step } {
  const { frame, pb } = frameOf(ctx);
  const step = stepOf(pb, frame.stepId);
  if (!step) throw new Error(`engine invariant: step ${frame.stepId} not in ${pb.id}`);
  return { frame, pb, step };
}

function firstStep(ctx: Ctx, pb: Playbook): Action {
  const first = pb.steps[0];
  if (first) return { t: 'enter', stepId: first.id };
  return { t: 'frame-end', result: { status: 'completed', cause: null, evidence: '' }, warnings: [`playbook ${pb.id} has no steps`] };
}

function pushHistory(ctx: Ctx, entry: Omit<HistoryEntry, 'seq'>): number {
  const seq = ctx.state.history.length + 1;
  const e: HistoryEntry = { seq, ...entry };
  if (e.warnings && e.warnings.length === 0) delete e.warnings;
  ctx.state.history.push(e);
  return seq;
}

function newEffectId(ctx: Ctx): string {
  return `e${ctx.state.nextEffectSeq++}`;
}

// ---- entering a step ----------------------------------------------------------------

function enter(ctx: Ctx, stepId: string): Action | null {
  const { frame, pb } = frameOf(ctx);
  const s = ctx.state;
  const step = stepOf(pb, stepId);
  if (!step) {
    return sessionEndInconclusive(ctx, `playbook ${pb.id} has no step "${stepId}" (run netwiz validate)`);
  }
  s.stepsTaken += 1;
  if (s.stepsTaken > s.options.maxSteps) {
    return sessionEndInconclusive(
      ctx,
      `step limit of ${s.options.maxSteps} reached at step ${stepId} of ${pb.id}: the playbook may be looping; raise --max-steps or fix its transitions`,
    );
  }
  frame.stepId = stepId;
  delete frame.foreach;
  switch (step.kind) {
    case 'run':
      return enterRun(ctx, frame, step, step.run);
    case 'ask':
      return enterAsk(ctx, frame, step);
    case 'call':
      return enterCall(ctx, frame, step, step.call.playbook, step.call.with, frame.facts);
    case 'foreach':
      return enterForeach(ctx, frame, step);
    case 'parallel':
      return enterParallel(ctx, frame, step);
    case 'conclude':
      return enterConclude(ctx, frame, step);
  }
}

function sessionEndInconclusive(ctx: Ctx, reason: string): Action {
  return { t: 'session-end', outcome: { status: 'inconclusive', evidence: [], reason, ...ruledOut(ctx.state) } };
}

/** A mutating step under --read-only: its alternative, or the end of the session. */
function refuseReadOnly(ctx: Ctx, frame: Frame, step: Step, spec: RunSpec): Action {
  const alt = spec.readOnlyAlternative;
  const reason = `read-only: step ${step.id} would change the cluster (${spec.argv.join(' ')})`;
  ownFacts(ctx, frame)[factName(step)] = notRunFact('skipped', reason);
  if (alt) {
    pushHistory(ctx, {
      playbookId: frame.playbookId,
      stepId: step.id,
      kind: step.kind,
      summary: `${reason}; taking read_only_alternative ${alt}`,
      next: alt,
    });
    return { t: 'enter', stepId: alt };
  }
  pushHistory(ctx, { playbookId: frame.playbookId, stepId: step.id, kind: step.kind, summary: reason, next: null });
  return sessionEndInconclusive(ctx, `${reason} and has no read_only_alternative; rerun without --read-only to let it run`);
}

type Rendered = { ok: true; argv: string[]; target: TargetSpec; undo?: string[] } | { ok: false; missing: string[] };

function renderRun(spec: RunSpec, facts: Facts): Rendered {
  const missing: string[] = [];
  const note = (m: string[]) => {
    for (const x of m) if (!missing.includes(x)) missing.push(x);
  };
  const argv = renderArgv(spec.argv, facts);
  if (!argv.ok) note(argv.missing);
  const target: TargetSpec = { kind: spec.target.kind };
  for (const key of ['pod', 'container', 'node', 'namespace'] as const) {
    const tpl = spec.target[key];
    if (tpl === undefined) continue;
    const r = renderTemplate(tpl, facts);
    if (r.ok) target[key] = r.value;
    else note(r.missing);
  }
  let undo: string[] | undefined;
  if (spec.undo) {
    const u = renderArgv(spec.undo, facts);
    if (u.ok) undo = u.value;
    else note(u.missing);
  }
  if (missing.length > 0 || !argv.ok) return { ok: false, missing };
  return undo ? { ok: true, argv: argv.value, target, undo } : { ok: true, argv: argv.value, target };
}

function missingReason(missing: string[]): string {
  return `missing template variable${missing.length > 1 ? 's' : ''}: ${missing.map((m) => `{{${m}}}`).join(', ')}`;
}

function enterRun(ctx: Ctx, frame: Frame, step: Step, spec: RunSpec): Action | null {
  if (spec.mutates && ctx.state.options.readOnly) return refuseReadOnly(ctx, frame, step, spec);
  const r = renderRun(spec, frame.facts);
  if (!r.ok) {
    const reason = missingReason(r.missing);
    return { t: 'complete', fact: notRunFact('skipped', reason), summary: `skipped: ${reason}`, warnings: [`step ${step.id}: ${reason}`] };
  }
  issueRun(ctx, frame, step, spec, r);
  return null;
}

function issueRun(
  ctx: Ctx,
  frame: Frame,
  step: Pick<Step, 'id' | 'title' | 'why'>,
  spec: RunSpec,
  r: Extract<Rendered, { ok: true }>,
  item?: { item: FactValue; index: number },
  parentStepId?: string,
): void {
  const effect: RunEffect = {
    type: 'run',
    id: newEffectId(ctx),
    playbookId: frame.playbookId,
    stepId: step.id,
    title: step.title,
    why: step.why,
    argv: r.argv,
    target: r.target,
    timeoutMs: spec.timeoutMs,
    mutates: spec.mutates,
  };
  if (r.undo) effect.undo = r.undo;
  if (parentStepId !== undefined) effect.parentStepId = parentStepId;
  if (item) {
    effect.item = item.item;
    effect.index = item.index;
  }
  ctx.state.pending.push(effect);
  ctx.effects.push(effect);
}

/** Prompts and choices are shown to the operator: a missing variable stays visible as `{{x}}`. */
function renderLenient(tpl: string, facts: Facts): string {
  const r = renderTemplate(tpl, facts);
  return r.ok ? r.value : tpl;
}

function enterAsk(ctx: Ctx, frame: Frame, step: Extract<Step, { kind: 'ask' }>): null {
  const q = step.ask;
  const question = { ...q, prompt: renderLenient(q.prompt, frame.facts) };
  if (q.choices) question.choices = q.choices.map((c) => renderLenient(c, frame.facts));
  if (q.default !== undefined) question.default = renderLenient(q.default, frame.facts);
  const effect: Effect = {
    type: 'ask',
    id: newEffectId(ctx),
    playbookId: frame.playbookId,
    stepId: step.id,
    title: step.title,
    why: step.why,
    question,
  };
  ctx.state.pending.push(effect);
  ctx.effects.push(effect);
  return null;
}

/** Pushes a frame for a sub-playbook, or completes the calling step as skipped. */
function enterCall(
  ctx: Ctx,
  frame: Frame,
  step: Step,
  playbookId: string,
  withTpl: Record<string, string>,
  facts: Facts,
): Action | null {
  const notCalled = (reason: string): Action => ({
    t: 'complete',
    fact: notAnsweredFact('skipped', reason),
    summary: `skipped: ${reason}`,
    warnings: [`step ${step.id}: ${reason}`],
  });
  const sub = ctx.catalog[playbookId];
  if (!sub) return notCalled(`sub-playbook "${playbookId}" is not in the catalog`);
  const inputs: Record<string, string> = {};
  const missing: string[] = [];
  for (const [name, tpl] of Object.entries(withTpl)) {
    const r = renderTemplate(tpl, facts);
    if (r.ok) inputs[name] = r.value;
    else for (const m of r.missing) if (!missing.includes(m)) missing.push(m);
  }
  if (missing.length > 0) return notCalled(missingReason(missing));
  const subFacts = inputFacts(sub, inputs);
  if (!subFacts.ok) return notCalled(subFacts.error);
  registerCauses(ctx.catalog, ctx.state, sub.id);
  ctx.state.frames.push(own(ctx, { playbookId: sub.id, stepId: sub.steps[0]?.id ?? '', facts: own(ctx, subFacts.facts), callerStepId: frame.stepId }));
  return firstStep(ctx, sub);
}

function enterForeach(ctx: Ctx, frame: Frame, step: Extract<Step, { kind: 'foreach' }>): Action | null {
  const spec = step.foreach;
  const items = evalValue(spec.items, frame.facts);
  if (!items.ok || !Array.isArray(items.value)) {
    const reason = items.ok
      ? `items (${spec.items}) is not a list`
      : `items (${spec.items}) could not be evaluated: ${items.error}`;
    return { t: 'complete', fact: notAnsweredFact('skipped', reason), summary: `skipped: ${reason}`, warnings: [`step ${step.id}: ${reason}`] };
  }
  const list = items.value;
  if ('run' in spec.do && spec.do.run.mutates && ctx.state.options.readOnly) {
    return refuseReadOnly(ctx, frame, step, spec.do.run);
  }
  frame.foreach = { items: list, nextIndex: 0, running: 0, results: list.map(() => null) };
  return foreachLaunch(ctx, frame, step);
}

/** Starts items up to the concurrency bound; completes the step when every item is done. */
function foreachLaunch(ctx: Ctx, frame: Frame, step: Extract<Step, { kind: 'foreach' }>): Action | null {
  const fe = frame.foreach!;
  const spec = step.foreach;
  const warn = (w: string[]) => {
    if (w.length > 0) (fe.warnings ??= []).push(...w);
  };
  if ('call' in spec.do) {
    // sub-playbooks run one item at a time: a frame stack has one active frame
    while (fe.running === 0 && fe.nextIndex < fe.items.length) {
      const index = fe.nextIndex++;
      const item = fe.items[index] ?? null;
      const action = enterCall(ctx, frame, step, spec.do.call.playbook, spec.do.call.with, { ...frame.facts, [spec.as]: item });
      if (action && action.t === 'complete') {
        // could not call for this item: record it and go on with the next one
        fe.results[index] = withItem(item, index, action.fact);
        warn(action.warnings);
        continue;
      }
      fe.running = 1;
      return action;
    }
  } else {
    const runSpec = spec.do.run;
    const limit = Math.max(1, spec.concurrency);
    // one scope per launch, the item swapped in per item (renderRun only reads it)
    let scope: Facts | undefined;
    while (fe.running < limit && fe.nextIndex < fe.items.length) {
      const index = fe.nextIndex++;
      const item = fe.items[index] ?? null;
      scope ??= { ...frame.facts };
      scope[spec.as] = item;
      const r = renderRun(runSpec, scope);
      if (!r.ok) {
        const reason = missingReason(r.missing);
        fe.results[index] = withItem(item, index, notRunFact('skipped', reason));
        warn([`step ${step.id} item ${index}: ${reason}`]);
        continue;
      }
      fe.running += 1;
      issueRun(ctx, frame, step, runSpec, r, { item, index });
    }
  }
  if (fe.running === 0 && fe.nextIndex >= fe.items.length) {
    const results = fe.results.map((x) => x ?? null);
    const warnings = fe.warnings ?? [];
    delete frame.foreach;
    return { t: 'complete', fact: results, summary: summariseForeach(results), warnings };
  }
  return null;
}

function withItem(item: FactValue, index: number, fact: FactValue): FactValue {
  const base = fact !== null && typeof fact === 'object' && !Array.isArray(fact) ? fact : { value: fact };
  return { item, index, ...base };
}

function summariseForeach(results: FactValue[]): string {
  let ok = 0;
  let failed = 0;
  let other = 0;
  for (const r of results) {
    const o = r !== null && typeof r === 'object' && !Array.isArray(r) ? r : {};
    if (o.ok === true || o.status === 'concluded' || o.status === 'completed') ok++;
    else if (o.skipped === true || o.cancelled === true) other++;
    else failed++;
  }
  return `${results.length} item${results.length === 1 ? '' : 's'}: ${ok} ok, ${failed} failed${other ? `, ${other} skipped or cancelled` : ''}`;
}

function foreachItemDone(ctx: Ctx, frame: Frame, effect: RunEffect, fact: Record<string, FactValue>): Action | null {
  const { step } = currentStep(ctx);
  const fe = frame.foreach;
  if (step.kind !== 'foreach' || !fe || effect.index === undefined) return null;
  fe.running = Math.max(0, fe.running - 1);
  fe.results[effect.index] = withItem(effect.item ?? null, effect.index, fact);
  return foreachLaunch(ctx, frame, step);
}

// ---- parallel: independent reads at once --------------------------------------------

/**
 * Every branch's command is issued at once (the driver runs all effects it gets side by
 * side). A branch that cannot run (missing template variable; a mutating one under
 * --read-only, which validation already refuses) is recorded as skipped right away. The
 * step completes when no branch of it is pending any more; until then the frame stays on it.
 */
function enterParallel(ctx: Ctx, frame: Frame, step: ParallelStep): Action | null {
  for (const branch of step.parallel) {
    if (branch.onlyIf !== undefined) {
      const cond = evalBool(branch.onlyIf, frame.facts);
      if (!cond.ok || !cond.value) {
        // not needed this time: a skip, with a warning only when the condition itself failed
        const reason = cond.ok ? `only_if (${branch.onlyIf}) is false` : `only_if (${branch.onlyIf}) could not be evaluated: ${cond.error}`;
        recordBranch(ctx, frame, step, branch, notRunFact('skipped', reason), `skipped: ${reason}`, cond.ok ? [] : [`step ${branch.id}: ${reason}; skipped`]);
        continue;
      }
    }
    if (branch.run.mutates && ctx.state.options.readOnly) {
      const reason = `read-only: branch ${branch.id} would change the cluster (${branch.run.argv.join(' ')})`;
      recordBranch(ctx, frame, step, branch, notRunFact('skipped', reason), `skipped: ${reason}`, [`step ${branch.id}: ${reason}`]);
      continue;
    }
    const r = renderRun(branch.run, frame.facts);
    if (!r.ok) {
      const reason = missingReason(r.missing);
      recordBranch(ctx, frame, step, branch, notRunFact('skipped', reason), `skipped: ${reason}`, [`step ${branch.id}: ${reason}`]);
      continue;
    }
    issueRun(ctx, frame, branch, branch.run, r, undefined, step.id);
  }
  return parallelComplete(ctx, frame, step);
}

function branchDone(ctx: Ctx, frame: Frame, effect: RunEffect, fact: Record<string, FactValue>, summary: string): Action | null {
  const { step } = currentStep(ctx);
  if (step.kind !== 'parallel') return null;
  const branch = step.parallel.find((b) => b.id === effect.stepId);
  if (!branch) return null;
  recordBranch(ctx, frame, step, branch, fact, summary, []);
  return parallelComplete(ctx, frame, step);
}

/** A branch's result: its fact, its evidence-only transition, its own history entry. */
function recordBranch(
  ctx: Ctx,
  frame: Frame,
  step: ParallelStep,
  branch: ParallelBranch,
  fact: FactValue,
  summary: string,
  warnings: string[],
): void {
  ownFacts(ctx, frame)[branch.as ?? branch.id] = fact;
  const w = [...warnings];
  const chosen = chooseTransition(branch, frame.facts, w);
  const seq = ctx.state.history.length + 1;
  if (chosen) applyTransition(ctx, frame, branch.id, chosen, seq, w);
  pushHistory(ctx, { playbookId: frame.playbookId, stepId: branch.id, kind: 'run', summary, next: null, warnings: w, parentStepId: step.id });
}

/** The parallel step's own completion once no branch of it is outstanding, else null. */
function parallelComplete(ctx: Ctx, frame: Frame, step: ParallelStep): Action | null {
  const waiting = ctx.state.pending.some(
    (e) => e.type === 'run' && e.parentStepId === step.id && e.playbookId === frame.playbookId,
  );
  if (waiting) return null;
  const ok: FactValue[] = [];
  const failed: FactValue[] = [];
  const notRun: FactValue[] = [];
  for (const b of step.parallel) {
    const f = frame.facts[b.as ?? b.id];
    const o = f !== null && typeof f === 'object' && !Array.isArray(f) ? f : {};
    if (o.ok === true) ok.push(b.id);
    else if (o.skipped === true || o.cancelled === true) notRun.push(b.id);
    else failed.push(b.id);
  }
  const fact: FactValue = {
    ok: failed.length === 0 && notRun.length === 0,
    count: step.parallel.length,
    ok_count: ok.length,
    failed,
    not_run: notRun,
  };
  const parts = [`${ok.length} ok`];
  if (failed.length > 0) parts.push(`${failed.length} failed (${failed.join(', ')})`);
  if (notRun.length > 0) parts.push(`${notRun.length} skipped or cancelled (${notRun.join(', ')})`);
  const n = step.parallel.length;
  return { t: 'complete', fact, summary: `${n} read${n === 1 ? '' : 's'} at once: ${parts.join(', ')}`, warnings: [] };
}

function enterConclude(ctx: Ctx, frame: Frame, step: Extract<Step, { kind: 'conclude' }>): Action {
  const spec = step.conclude;
  const warnings: string[] = [];
  const evidence = renderWarn(spec.evidence, frame.facts, `step ${step.id} evidence`, warnings);
  const next = spec.next !== undefined ? renderWarn(spec.next, frame.facts, `step ${step.id} next`, warnings) : undefined;
  const inconclusive = spec.cause === 'inconclusive';
  const isRoot = ctx.state.frames.length === 1;
  const seq = pushHistory(ctx, {
    playbookId: frame.playbookId,
    stepId: step.id,
    kind: 'conclude',
    summary: inconclusive ? `inconclusive: ${evidence}` : `concluded ${spec.cause}: ${evidence}`,
    next: null,
    warnings,
  });
  if (!inconclusive) {
    const key = hypothesisKey(ctx.catalog, ctx.state.rootPlaybook, frame.playbookId, spec.cause);
    const h = ownHypothesis(ctx, key);
    if (h) {
      // the root's conclusion confirms; a sub-playbook's only supports, its caller decides
      applyHypothesisEffect(h, {
        seq,
        stepId: step.id,
        playbookId: frame.playbookId,
        effect: isRoot ? 'confirm' : 'support',
        text: evidence,
      });
    }
  }
  const result: FrameResult = {
    status: inconclusive ? 'inconclusive' : 'concluded',
    cause: inconclusive ? null : spec.cause,
    evidence,
    ...(next !== undefined ? { next } : {}),
  };
  return { t: 'frame-end', result, warnings: [] };
}

// ---- completing a step: facts, transitions, hypotheses ------------------------------

function factName(step: Step): string {
  return step.as ?? step.id;
}

function renderWarn(tpl: string, facts: Facts, what: string, warnings: string[]): string {
  const r = renderTemplate(tpl, facts);
  if (r.ok) return r.value;
  warnings.push(`${what}: ${missingReason(r.missing)}`);
  return tpl;
}

function chooseTransition(step: Decider, facts: Facts, warnings: string[]): Transition | undefined {
  for (const [i, t] of step.transitions.entries()) {
    if (t.when === undefined) return t;
    const r = evalBool(t.when, facts);
    if (!r.ok) {
      warnings.push(`step ${step.id} transition ${i + 1} (${t.when}): ${r.error}; treated as false`);
      continue;
    }
    if (r.value) return t;
  }
  return step.otherwise;
}

function complete(ctx: Ctx, fact: FactValue, summary: string, warnings: string[]): Action {
  const { frame, pb, step } = currentStep(ctx);
  ownFacts(ctx, frame)[factName(step)] = fact;
  const w = [...warnings];
  const chosen = chooseTransition(step, frame.facts, w);
  const seq = ctx.state.history.length + 1;
  if (chosen) applyTransition(ctx, frame, step.id, chosen, seq, w);
  const index = stepIndex(pb, step.id);
  const following = pb.steps[index + 1]?.id ?? null;
  const nextId = chosen?.next ?? following;
  pushHistory(ctx, { playbookId: frame.playbookId, stepId: step.id, kind: step.kind, summary, next: nextId, warnings: w });
  if (nextId !== null) return { t: 'enter', stepId: nextId };
  return {
    t: 'frame-end',
    result: { status: 'completed', cause: null, evidence: `playbook ${pb.id} ended after step ${step.id} without a conclusion` },
    warnings: [],
  };
}

function applyTransition(ctx: Ctx, frame: Frame, stepId: string, t: Transition, seq: number, warnings: string[]): void {
  const groups: [Exclude<keyof Transition, 'when' | 'next' | 'set'>, 'support' | 'rule_out' | 'confirm'][] = [
    ['support', 'support'],
    ['rule_out', 'rule_out'],
    ['confirm', 'confirm'],
  ];
  for (const [field, effect] of groups) {
    for (const [causeId, tpl] of Object.entries(t[field] ?? {})) {
      const key = hypothesisKey(ctx.catalog, ctx.state.rootPlaybook, frame.playbookId, causeId);
      const h = ownHypothesis(ctx, key);
      if (!h) {
        warnings.push(`step ${stepId}: ${effect} names unknown cause "${causeId}"`);
        continue;
      }
      const text = renderWarn(tpl, frame.facts, `step ${stepId} ${effect} ${causeId}`, warnings);
      applyHypothesisEffect(h, { seq, stepId, playbookId: frame.playbookId, effect, text });
    }
  }
  for (const [name, tpl] of Object.entries(t.set ?? {})) {
    const r = renderTemplate(tpl, frame.facts);
    if (r.ok) ownFacts(ctx, frame)[name] = r.value;
    else warnings.push(`step ${stepId} set ${name}: ${missingReason(r.missing)}; not set`);
  }
}

// ---- ending frames and the session --------------------------------------------------

function frameEnd(ctx: Ctx, result: FrameResult, warnings: string[]): Action | null {
  const s = ctx.state;
  const frame = top(s)!;
  if (s.frames.length === 1) {
    const pb = ctx.catalog[frame.playbookId]!;
    if (result.status === 'concluded' && result.cause) {
      const key = hypothesisKey(ctx.catalog, s.rootPlaybook, pb.id, result.cause);
      const lines = [result.evidence];
      for (const e of s.hypotheses[key]?.evidence ?? []) if (!lines.includes(e.text)) lines.push(e.text);
      return { t: 'session-end', outcome: { status: 'concluded', cause: result.cause, evidence: lines, ...ruledOut(s) } };
    }
    const ro = ruledOut(s);
    const evidence = [result.evidence, ...(ro.ruledOut ?? []).map((k) => `ruled out ${k}: ${lastEvidence(s, k)}`)];
    const outcome: Outcome = {
      status: 'inconclusive',
      evidence,
      reason:
        result.status === 'completed'
          ? result.evidence
          : `playbook ${pb.id} concluded inconclusive at step ${frame.stepId}`,
      ...ro,
    };
    if (result.next !== undefined) outcome.next = result.next;
    return { t: 'session-end', outcome };
  }
  // a sub-playbook returns to its caller with its facts
  s.frames.pop();
  const caller = ownTop(ctx)!;
  const callFact: FactValue = {
    status: result.status,
    cause: result.cause,
    evidence: result.evidence,
    facts: frame.facts,
    ...(result.next !== undefined ? { next: result.next } : {}),
  };
  const { step } = currentStep(ctx);
  const summary = `${frame.playbookId}: ${result.status}${result.cause ? ` ${result.cause}` : ''}`;
  if (step.kind === 'foreach' && caller.foreach) {
    const fe = caller.foreach;
    const index = fe.nextIndex - 1;
    fe.running = 0;
    fe.results[index] = withItem(fe.items[index] ?? null, index, callFact);
    if (warnings.length > 0) (fe.warnings ??= []).push(...warnings);
    return foreachLaunch(ctx, caller, step);
  }
  return { t: 'complete', fact: callFact, summary, warnings };
}

function lastEvidence(s: SessionState, key: string): string {
  const ev = s.hypotheses[key]?.evidence ?? [];
  return [...ev].reverse().find((e) => e.effect === 'rule_out')?.text ?? '';
}

function ruledOut(s: SessionState): { ruledOut?: string[] } {
  const ids = Object.entries(s.hypotheses)
    .filter(([, h]) => h.status === 'ruled-out')
    .map(([k]) => k);
  return ids.length > 0 ? { ruledOut: ids } : {};
}

function endSession(ctx: Ctx, outcome: Outcome): void {
  const s = ctx.state;
  s.status = outcome.status;
  s.outcome = outcome;
  s.pending = [];
  // frames below the active one may still be shared with the given state
  s.frames = s.frames.map((f) => {
    if (!f.foreach) return f;
    const copy = ctx.owned.has(f) ? f : copyFrame(f, ctx.owned);
    delete copy.foreach;
    return copy;
  });
  ctx.effects.push({ type: 'done', id: newEffectId(ctx), outcome });
}

// ---- helpers ------------------------------------------------------------------------

function runSpecOf(catalog: Catalog, effect: RunEffect): RunSpec | undefined {
  const pb = catalog[effect.playbookId];
  const step = pb ? stepOf(pb, effect.parentStepId ?? effect.stepId) : undefined;
  // a branch of a parallel step is found under its own id, as stepRuns lists it
  return step ? stepRuns(step).find((r) => r.stepId === effect.stepId)?.run : undefined;
}

/** Inputs become facts; declared defaults fill the gaps; a required one missing is an error. */
export function inputFacts(
  pb: Playbook,
  inputs: Record<string, string>,
): { ok: true; facts: Facts } | { ok: false; error: string } {
  const facts: Facts = { ...inputs };
  const missing: string[] = [];
  for (const input of pb.inputs) {
    if (facts[input.name] !== undefined) continue;
    if (input.default !== undefined) facts[input.name] = input.default;
    else if (input.required) missing.push(input.name);
  }
  if (missing.length > 0) {
    return { ok: false, error: `playbook ${pb.id} needs input${missing.length > 1 ? 's' : ''} ${missing.join(', ')}` };
  }
  return { ok: true, facts };
}
