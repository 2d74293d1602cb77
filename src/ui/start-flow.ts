// The start screen as a pure reducer: pick a playbook, confirm the cluster, fill inputs.
import type { InputSpec } from '../engine/model.js';

export interface PlaybookChoice {
  id: string;
  title: string;
  summary: string;
  inputs: InputSpec[];
}

export type ChoicesState = { status: 'loading' } | { status: 'ok'; values: string[] } | { status: 'error'; message: string };

export interface StartState {
  stage: 'playbook' | 'context' | 'input' | 'ready' | 'wrong-context';
  playbooks: PlaybookChoice[];
  /** cursor in the current list */
  selected: number;
  playbookId: string | null;
  inputIndex: number;
  values: Record<string, string>;
  /** inputs given on the command line; not asked again */
  preset: Record<string, string>;
  text: string;
  error?: string;
  choices: Record<string, ChoicesState>;
}

export type StartAction =
  | { type: 'up' | 'down' | 'submit' | 'back' | 'yes' | 'no' | 'erase' | 'skip' }
  | { type: 'type'; text: string }
  | { type: 'choices'; input: string; state: ChoicesState };

/** The playbook an on-call engineer most likely wants goes first. */
export const FIRST_PLAYBOOK = 'intermittent-connectivity';

export function orderPlaybooks(list: PlaybookChoice[]): PlaybookChoice[] {
  return [...list].sort((a, b) => (a.id === FIRST_PLAYBOOK ? -1 : b.id === FIRST_PLAYBOOK ? 1 : a.id.localeCompare(b.id)));
}

export function initialStart(playbooks: PlaybookChoice[], opts: { playbookId?: string; preset?: Record<string, string>; namespace?: string } = {}): StartState {
  const ordered = orderPlaybooks(playbooks);
  const values: Record<string, string> = {};
  if (opts.namespace) values.namespace = opts.namespace;
  const preset = opts.preset ?? {};
  const chosen = opts.playbookId ? ordered.find((p) => p.id === opts.playbookId) : undefined;
  return {
    stage: chosen ? 'context' : 'playbook',
    playbooks: ordered,
    selected: 0,
    playbookId: chosen?.id ?? null,
    inputIndex: 0,
    values,
    preset,
    text: '',
    choices: {},
  };
}

export function currentPlaybook(s: StartState): PlaybookChoice | undefined {
  return s.playbooks.find((p) => p.id === s.playbookId);
}

/** Inputs still to ask: those not given on the command line. */
export function askedInputs(s: StartState): InputSpec[] {
  return (currentPlaybook(s)?.inputs ?? []).filter((i) => !(i.name in s.preset));
}

export function currentInput(s: StartState): InputSpec | undefined {
  return s.stage === 'input' ? askedInputs(s)[s.inputIndex] : undefined;
}

/** Values offered as a list for this input: the cluster's choices when they loaded. */
export function listFor(s: StartState, input: InputSpec): string[] | null {
  const c = s.choices[input.name];
  return c && c.status === 'ok' && c.values.length > 0 ? c.values : null;
}

function enterInput(s: StartState, index: number): StartState {
  const inputs = askedInputs(s);
  if (index >= inputs.length) return { ...s, stage: 'ready', error: undefined };
  const input = inputs[index] as InputSpec;
  const prior = s.values[input.name] ?? input.default ?? '';
  const list = listFor(s, input);
  const selected = list ? Math.max(0, list.indexOf(prior)) : 0;
  return { ...s, stage: 'input', inputIndex: index, text: list ? '' : prior, selected, error: undefined };
}

export function validateInput(input: InputSpec, value: string): string | null {
  if (value === '' && input.required) return `${input.name} is required`;
  if (value !== '' && input.pattern && !new RegExp(input.pattern).test(value)) return `${input.name} must match ${input.pattern}`;
  return null;
}

export function startReducer(s: StartState, a: StartAction): StartState {
  if (a.type === 'choices') {
    const next = { ...s, choices: { ...s.choices, [a.input]: a.state } };
    // the list arrived while the operator looks at that input: switch it to a list
    const cur = currentInput(s);
    return cur?.name === a.input && s.text === (s.values[a.input] ?? cur.default ?? '') ? enterInput(next, s.inputIndex) : next;
  }
  switch (s.stage) {
    case 'playbook': {
      const n = s.playbooks.length;
      if (a.type === 'up') return { ...s, selected: (s.selected - 1 + n) % n };
      if (a.type === 'down') return { ...s, selected: (s.selected + 1) % n };
      if (a.type === 'submit' && n > 0) return { ...s, stage: 'context', playbookId: s.playbooks[s.selected]?.id ?? null };
      return s;
    }
    case 'context':
      if (a.type === 'submit' || a.type === 'yes') return enterInput(s, 0);
      if (a.type === 'no') return { ...s, stage: 'wrong-context' };
      if (a.type === 'back') return { ...s, stage: 'playbook', selected: Math.max(0, s.playbooks.findIndex((p) => p.id === s.playbookId)) };
      return s;
    case 'input': {
      const input = currentInput(s);
      if (!input) return s;
      const list = listFor(s, input);
      // an optional input can be left empty
      if (a.type === 'skip') return input.required ? { ...s, error: `${input.name} is required` } : enterInput({ ...s, values: { ...s.values, [input.name]: '' } }, s.inputIndex + 1);
      if (a.type === 'back') return s.inputIndex === 0 ? { ...s, stage: 'context' } : enterInput(s, s.inputIndex - 1);
      if (list) {
        if (a.type === 'up') return { ...s, selected: (s.selected - 1 + list.length) % list.length };
        if (a.type === 'down') return { ...s, selected: (s.selected + 1) % list.length };
        if (a.type === 'submit') {
          const value = list[s.selected] ?? '';
          return enterInput({ ...s, values: { ...s.values, [input.name]: value } }, s.inputIndex + 1);
        }
        return s;
      }
      if (a.type === 'type') return { ...s, text: s.text + a.text, error: undefined };
      if (a.type === 'erase') return { ...s, text: s.text.slice(0, -1), error: undefined };
      if (a.type === 'submit') {
        const value = s.text === '' ? (input.default ?? '') : s.text;
        const err = validateInput(input, value);
        if (err) return { ...s, error: err };
        return enterInput({ ...s, values: { ...s.values, [input.name]: value } }, s.inputIndex + 1);
      }
      return s;
    }
    default:
      return s;
  }
}

/** Inputs to start the session with: typed values, then command-line presets. */
export function finalInputs(s: StartState): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of currentPlaybook(s)?.inputs ?? []) {
    const v = s.preset[i.name] ?? s.values[i.name] ?? i.default;
    if (v !== undefined && v !== '') out[i.name] = v;
  }
  return out;
}
