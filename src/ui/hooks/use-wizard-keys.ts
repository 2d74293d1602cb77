import { useCallback, useRef } from 'react';
import { useInput, type Key } from 'ink';
import { resolveKey, type KeyAction, type KeyContext } from '../keys.js';

export type KeyHandlers = Partial<Record<KeyAction, () => void>> & {
  /** printable text typed in a 'text' context */
  text?: (input: string) => void;
  erase?: () => void;
};

/** The single place where key presses become actions (see keys.ts for the table).
 * Context and handlers are read through a ref set during render: Ink re-subscribes input
 * listeners in a passive effect, so a key typed right after a frame appears would
 * otherwise reach the previous screen's handler. */
export function useWizardKeys(context: KeyContext, handlers: KeyHandlers, isActive = true): void {
  const latest = useRef({ context, handlers });
  latest.current = { context, handlers };
  const onInput = useCallback((input: string, key: Key) => {
    const { context: ctx, handlers: h } = latest.current;
    const action = resolveKey(ctx, input, key);
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
  useInput(onInput, { isActive });
}
