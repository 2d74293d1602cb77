import { useCallback, useEffect, useRef, useState } from 'react';
import { useInput, type Key } from 'ink';
import { resolveKey, type KeyAction, type KeyContext } from '../keys.js';
import { keyTrace } from '../debug-keys.js';

export type KeyHandlers = Partial<Record<KeyAction, () => void>> & {
  /** printable text typed in a 'text' context */
  text?: (input: string) => void;
  erase?: () => void;
};

/** One input event as Ink's useInput hands it over. */
export interface KeyEvent {
  input: string;
  key: Key;
}

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

const NAMED: readonly (keyof Key)[] = ['upArrow', 'downArrow', 'leftArrow', 'rightArrow', 'pageDown', 'pageUp', 'home', 'end', 'return', 'escape', 'tab', 'backspace', 'delete'];

/**
 * Whether Ink handed over several key presses as one event. Ink reads the terminal in
 * chunks and passes a run of plain characters (everything between escape sequences) to
 * useInput as a single input string, meant for a paste. But when netwiz reads the
 * terminal late (a busy event loop, a loaded machine), keys pressed one after the other
 * land in one chunk too: two Enters arrive as "\r\r", "jj" as "jj", two Ctrl-C as
 * "\x03\x03". Ink's keypress parser recognises none of these, so without splitting them
 * every key of the run was dropped and the wizard looked deaf.
 */
export function isKeyRun(input: string, key: Key): boolean {
  if (key.ctrl || key.meta || NAMED.some((k) => key[k] === true)) return false;
  let n = 0;
  for (const _ of input) if (++n > 1) return true;
  return false;
}

/** The key event of one character, as Ink's parser would have made it had it come alone. */
export function keyOfChar(ch: string): KeyEvent {
  const key: Key = { ...NO_KEY };
  if (ch === '\r') return { input: ch, key: { ...key, return: true } };
  if (ch === '\n') return { input: ch, key }; // keys.ts takes a lone "\n" as Enter
  if (ch === '\t') return { input: '', key: { ...key, tab: true } };
  if (ch === '\b') return { input: '', key: { ...key, backspace: true } };
  if (ch === '\x7f') return { input: '', key: { ...key, delete: true } };
  if (ch.length === 1 && ch <= '\x1a') return { input: String.fromCharCode(ch.charCodeAt(0) + 96), key: { ...key, ctrl: true } };
  return { input: ch, key: { ...key, shift: /^[A-Z]$/.test(ch) } };
}

const CONTROL = /[\u0000-\u001f\u007f]/u;

/**
 * The next key to act on from a run of characters, and the rest. Typing (a 'text'
 * context) takes the printable characters up to the next control character as one piece of
 * text, so a paste stays one edit; everywhere else each character is its own key.
 */
export function nextOfRun(run: string, context: KeyContext): { event: KeyEvent; rest: string } {
  const first = [...run][0] ?? '';
  if (context === 'text' && !CONTROL.test(first)) {
    const stop = run.search(CONTROL);
    const text = stop < 0 ? run : run.slice(0, stop);
    return { event: { input: text, key: { ...NO_KEY } }, rest: run.slice(text.length) };
  }
  return { event: keyOfChar(first), rest: run.slice(first.length) };
}

/** The single place where key presses become actions (see keys.ts for the table).
 * Context and handlers are read through a ref set during render: Ink re-subscribes input
 * listeners in a passive effect, so a key typed right after a frame appears would
 * otherwise reach the previous screen's handler.
 * A run of keys read in one chunk (isKeyRun) is acted on one key per render, each in the
 * context the previous one left (Enter on a list, then Enter on the next input), exactly as
 * if they had been read one at a time. */
export function useWizardKeys(context: KeyContext, handlers: KeyHandlers, isActive = true): void {
  const latest = useRef({ context, handlers });
  latest.current = { context, handlers };
  /** keys read but not yet acted on: whole events, or runs of characters still to split */
  const queue = useRef<(KeyEvent | string)[]>([]);
  const [, setTurn] = useState(0);

  const act = useCallback((input: string, key: Key) => {
    const { context: ctx, handlers: h } = latest.current;
    const action = resolveKey(ctx, input, key);
    keyTrace()?.('key', { input, key: NAMED.concat('ctrl', 'meta', 'shift').filter((k) => key[k] === true), ctx, action });
    if (action) {
      h[action]?.();
      return;
    }
    if (ctx !== 'text') return;
    if (key.backspace || key.delete) h.erase?.();
    else if (input && !key.ctrl && !key.meta && !key.return && !key.tab && !key.escape && !key.upArrow && !key.downArrow) {
      // drop control characters a paste may carry
      const clean = input.replace(/[\u0000-\u001f\u007f]/g, '');
      if (clean) h.text?.(clean);
    }
  }, []);

  /** Act on the next queued key; when more wait, ask for a render so the next one sees its result. */
  const actOnNext = useCallback(() => {
    const head = queue.current[0];
    if (head === undefined) return;
    if (typeof head === 'string') {
      const { event, rest } = nextOfRun(head, latest.current.context);
      if (rest) queue.current[0] = rest;
      else queue.current.shift();
      act(event.input, event.key);
    } else {
      queue.current.shift();
      act(head.input, head.key);
    }
    if (queue.current.length > 0) setTurn((n) => n + 1);
  }, [act]);

  const onInput = useCallback(
    (input: string, key: Key) => {
      const idle = queue.current.length === 0;
      queue.current.push(isKeyRun(input, key) ? input : { input, key });
      // behind keys still queued: their turn comes first (the effect below)
      if (idle) actOnNext();
    },
    [actOnNext],
  );

  // after each commit: the previous key's result is on screen and in `latest`
  useEffect(() => {
    if (isActive && queue.current.length > 0) actOnNext();
  });

  useInput(onInput, { isActive });
}
