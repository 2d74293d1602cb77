// Small builders for engine tests: playbooks as plain model objects (the loader has its
// own tests), and a loop that answers effects the way a driver would.
import { applyEvent, startSession } from '../../src/engine/index.js';
import type { Catalog, Cause, Playbook, RunSpec, Step, Transition } from '../../src/engine/model.js';
import type { CommandResult, Effect, EngineEvent, SessionOptions, SessionState } from '../../src/engine/types.js';

export function cause(id: string): Cause {
  return { id, title: `cause ${id}`, explanation: '', fix: { text: '', commands: [] }, references: [] };
}

export function playbook(id: string, steps: Step[], opts: Partial<Playbook> = {}): Playbook {
  return { id, title: id, summary: '', inputs: [], causes: [], steps, file: `/tmp/${id}.yaml`, ...opts };
}

export function catalogOf(...pbs: Playbook[]): Catalog {
  return Object.fromEntries(pbs.map((p) => [p.id, p]));
}

type Extra = { transitions?: Transition[]; otherwise?: Transition; as?: string };

export function run(id: string, argv: string[], spec: Partial<RunSpec> = {}, extra: Extra = {}): Step {
  return {
    id,
    title: `run ${id}`,
    why: 'because',
    kind: 'run',
    run: { argv, target: { kind: 'workstation' }, timeoutMs: 1000, mutates: false, ...spec },
    transitions: extra.transitions ?? [],
    ...(extra.otherwise ? { otherwise: extra.otherwise } : {}),
    ...(extra.as ? { as: extra.as } : {}),
  };
}

export function ask(id: string, type: 'choice' | 'confirm' | 'text', extra: Extra & { choices?: string[] } = {}): Step {
  return {
    id,
    title: `ask ${id}`,
    why: 'because',
    kind: 'ask',
    ask: { type, prompt: `question ${id}?`, ...(extra.choices ? { choices: extra.choices } : {}) },
    transitions: extra.transitions ?? [],
    ...(extra.otherwise ? { otherwise: extra.otherwise } : {}),
    ...(extra.as ? { as: extra.as } : {}),
  };
}

export function conclude(id: string, causeId: string, evidence = 'because', next?: string): Step {
  return {
    id,
    title: `conclude ${id}`,
    why: 'done',
    kind: 'conclude',
    conclude: { cause: causeId, evidence, ...(next ? { next } : {}) },
    transitions: [],
  };
}

export function call(id: string, pbId: string, w: Record<string, string> = {}, extra: Extra = {}): Step {
  return {
    id,
    title: `call ${id}`,
    why: 'because',
    kind: 'call',
    call: { playbook: pbId, with: w },
    transitions: extra.transitions ?? [],
    ...(extra.otherwise ? { otherwise: extra.otherwise } : {}),
    ...(extra.as ? { as: extra.as } : {}),
  };
}

export function foreach(
  id: string,
  items: string,
  as: string,
  concurrency: number,
  d: { run: RunSpec } | { call: { playbook: string; with: Record<string, string> } },
  extra: Extra = {},
): Step {
  return {
    id,
    title: `foreach ${id}`,
    why: 'because',
    kind: 'foreach',
    foreach: { items, as, concurrency, do: d },
    transitions: extra.transitions ?? [],
    ...(extra.otherwise ? { otherwise: extra.otherwise } : {}),
    ...(extra.as ? { as: extra.as } : {}),
  };
}

export function runSpec(argv: string[], spec: Partial<RunSpec> = {}): RunSpec {
  return { argv, target: { kind: 'workstation' }, timeoutMs: 1000, mutates: false, ...spec };
}

export function result(partial: Partial<CommandResult> = {}): CommandResult {
  return { exitCode: 0, stdout: '', stderr: '', durationMs: 5, timedOut: false, cancelled: false, ...partial };
}

export type Responder = (effect: Exclude<Effect, { type: 'done' }>, state: SessionState) => EngineEvent;

/** Walks a session to its end: every pending effect is answered (in issue order), one at a time. */
export function walk(
  catalog: Catalog,
  root: string,
  respond: Responder,
  inputs: Record<string, string> = {},
  options: Partial<SessionOptions> = {},
): { state: SessionState; effects: Effect[]; states: SessionState[] } {
  let t = startSession(catalog, root, inputs, options);
  const all: Effect[] = [...t.effects];
  const states = [t.state];
  let guard = 0;
  while (t.state.status === 'running') {
    if (++guard > 100_000) throw new Error('walk did not end');
    const effect = t.state.pending[0];
    if (!effect || effect.type === 'done') throw new Error('running session with nothing pending');
    t = applyEvent(catalog, t.state, respond(effect, t.state));
    all.push(...t.effects);
    states.push(t.state);
  }
  return { state: t.state, effects: all, states };
}

export function jsonRoundTrip<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
