// Every key binding of the wizard, in one table. Components never test raw keys: the
// input hook resolves (context, key) to an action here, and the help overlay and the
// hint line are rendered from the same table, so what is shown is what works.
import type { Key } from 'ink';

/** What the wizard is waiting for; decides which bindings apply. */
export type KeyContext =
  | 'pick' // a list: playbook, choice question, input with cluster choices
  | 'confirm' // a yes/no question or the context confirmation
  | 'text' // free text being typed: letters are text, commands need ctrl/esc
  | 'mutation' // confirm a command that changes the cluster
  | 'running' // a command is running
  | 'restore' // offer to restore what was changed
  | 'quit' // "quit and restore?" dialog
  | 'help'
  | 'waiting' // the driver is between steps
  | 'done' // the session ended
  | 'replay'; // stepping through a finished transcript

export type KeyAction =
  | 'up'
  | 'down'
  | 'submit'
  | 'yes'
  | 'no'
  | 'skip'
  | 'cancel'
  | 'back'
  | 'help'
  | 'quit'
  | 'close'
  | 'interrupt'
  | 'prev'
  | 'next';

type NamedKey = 'return' | 'escape' | 'upArrow' | 'downArrow' | 'leftArrow' | 'rightArrow' | 'tab';

interface KeySpec {
  /** a printable key */
  input?: string;
  /** a named key from Ink's Key */
  named?: NamedKey;
  ctrl?: boolean;
}

export interface Binding {
  action: KeyAction;
  keys: KeySpec[];
  /** as shown in the hint line and in help */
  label: string;
  help: string;
  contexts: readonly KeyContext[];
  /** shown in the one-line hint under the live area */
  hint?: boolean;
}

const ALL: readonly KeyContext[] = ['pick', 'confirm', 'text', 'mutation', 'running', 'restore', 'quit', 'help', 'waiting', 'done', 'replay'];
const NOT_TEXT = ALL.filter((c) => c !== 'text');

export const BINDINGS: readonly Binding[] = [
  // Ctrl-C first: it must win in every context, including while typing
  { action: 'interrupt', keys: [{ input: 'c', ctrl: true }], label: 'ctrl+c', help: 'stop now: cancel, restore what was changed, exit', contexts: ALL },
  { action: 'up', keys: [{ named: 'upArrow' }, { input: 'k' }], label: '↑/↓', help: 'move in a list', contexts: ['pick'], hint: true },
  { action: 'down', keys: [{ named: 'downArrow' }, { input: 'j' }], label: '↓', help: 'move in a list', contexts: ['pick'] },
  { action: 'submit', keys: [{ named: 'return' }], label: 'enter', help: 'choose / accept the default / continue', contexts: ['pick', 'confirm', 'text', 'done', 'help'], hint: true },
  { action: 'yes', keys: [{ input: 'y' }, { input: 'Y' }], label: 'y', help: 'yes: run the command / restore', contexts: ['confirm', 'mutation', 'restore', 'quit'], hint: true },
  { action: 'no', keys: [{ input: 'n' }, { input: 'N' }], label: 'n', help: 'no: do not run it / keep the change', contexts: ['confirm', 'mutation', 'restore', 'quit'], hint: true },
  { action: 'skip', keys: [{ input: 's' }], label: 's', help: 'skip this step (recorded in the transcript)', contexts: ['pick', 'confirm', 'mutation'], hint: true },
  { action: 'skip', keys: [{ input: 's', ctrl: true }], label: 'ctrl+s', help: 'skip this question while typing', contexts: ['text'], hint: true },
  { action: 'cancel', keys: [{ input: 'c' }, { named: 'escape' }], label: 'c/esc', help: 'cancel the running command (the step takes its cancelled branch)', contexts: ['running'], hint: true },
  { action: 'back', keys: [{ input: 'b' }], label: 'b', help: 'back to the previous question', contexts: ['pick', 'confirm'], hint: true },
  { action: 'back', keys: [{ named: 'escape' }], label: 'esc', help: 'back to the previous question while typing', contexts: ['text'], hint: true },
  { action: 'prev', keys: [{ named: 'leftArrow' }, { input: 'p' }], label: '←/p', help: 'replay: the previous step', contexts: ['replay'], hint: true },
  { action: 'next', keys: [{ named: 'rightArrow' }, { input: 'n' }, { named: 'return' }], label: '→/n', help: 'replay: the next step', contexts: ['replay'], hint: true },
  { action: 'close', keys: [{ named: 'escape' }, { input: '?' }, { input: 'q' }], label: 'esc', help: 'close this help', contexts: ['help'] },
  { action: 'close', keys: [{ named: 'escape' }], label: 'esc', help: 'stay in the session', contexts: ['quit'] },
  { action: 'help', keys: [{ input: '?' }], label: '?', help: 'show all keys', contexts: NOT_TEXT.filter((c) => c !== 'help' && c !== 'quit'), hint: true },
  { action: 'quit', keys: [{ input: 'q' }], label: 'q', help: 'quit (asks first; restores what was changed)', contexts: ['pick', 'confirm', 'mutation', 'running', 'waiting', 'done', 'replay'], hint: true },
];

function matches(spec: KeySpec, input: string, key: Key): boolean {
  // Enter typed before raw mode was on arrives as "\n" (the tty turned CR into LF)
  if (spec.named === 'return' && input === '\n' && !key.ctrl) return true;
  if (spec.named) return key[spec.named] === true && !key.ctrl;
  if (spec.ctrl) return key.ctrl === true && input === spec.input;
  return !key.ctrl && !key.meta && input === spec.input;
}

export function resolveKey(context: KeyContext, input: string, key: Key): KeyAction | null {
  for (const binding of BINDINGS) {
    if (!binding.contexts.includes(context)) continue;
    if (binding.keys.some((spec) => matches(spec, input, key))) return binding.action;
  }
  return null;
}

/** The one-line hint for a context, e.g. "enter choose · s skip · b back · ? help · q quit". */
export function hintFor(context: KeyContext, omit: readonly KeyAction[] = []): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const b of BINDINGS) {
    if (!b.hint || !b.contexts.includes(context) || omit.includes(b.action)) continue;
    const text = `${b.label} ${HINT_WORD[b.action]}`;
    if (seen.has(text)) continue;
    seen.add(text);
    parts.push(text);
  }
  return parts.join(' · ');
}

const HINT_WORD: Record<KeyAction, string> = {
  up: 'move',
  down: 'move',
  submit: 'ok',
  yes: 'yes',
  no: 'no',
  skip: 'skip',
  cancel: 'cancel',
  back: 'back',
  help: 'help',
  quit: 'quit',
  close: 'close',
  interrupt: 'stop',
  prev: 'back',
  next: 'next',
};

/** Rows of the help overlay: one per distinct (label, help). */
export function helpRows(): { label: string; help: string }[] {
  const seen = new Set<string>();
  const rows: { label: string; help: string }[] = [];
  for (const b of BINDINGS) {
    const label = b.action === 'up' ? '↑/↓ j/k' : b.label;
    if (b.action === 'down') continue;
    const id = `${label}|${b.help}`;
    if (seen.has(id)) continue;
    seen.add(id);
    rows.push({ label, help: b.help });
  }
  return rows;
}
