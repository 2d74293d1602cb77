import { describe, expect, it } from 'vitest';
import type { Key } from 'ink';
import { BINDINGS, helpRows, hintFor, resolveKey, type KeyContext } from '../../src/ui/keys.js';

const none: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false,
  home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false,
  backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false,
} as Key;
const k = (patch: Partial<Key> = {}): Key => ({ ...none, ...patch });

describe('key table', () => {
  it('Ctrl-C interrupts in every context, even while typing', () => {
    const contexts: KeyContext[] = ['pick', 'confirm', 'text', 'mutation', 'running', 'restore', 'quit', 'help', 'waiting', 'done'];
    for (const c of contexts) expect(resolveKey(c, 'c', k({ ctrl: true }))).toBe('interrupt');
  });

  it('letters are text while typing; skip and back need ctrl/esc there', () => {
    expect(resolveKey('text', 's', k())).toBeNull();
    expect(resolveKey('text', 'b', k())).toBeNull();
    expect(resolveKey('text', 'q', k())).toBeNull();
    expect(resolveKey('text', 's', k({ ctrl: true }))).toBe('skip');
    expect(resolveKey('text', '', k({ escape: true }))).toBe('back');
    expect(resolveKey('text', '\r', k({ return: true }))).toBe('submit');
  });

  it('c and Esc cancel a running command; s and b do nothing there', () => {
    expect(resolveKey('running', 'c', k())).toBe('cancel');
    expect(resolveKey('running', '', k({ escape: true }))).toBe('cancel');
    expect(resolveKey('running', 's', k())).toBeNull();
    expect(resolveKey('running', 'q', k())).toBe('quit');
  });

  it('a mutation is answered by y, n or s; enter alone never runs it', () => {
    expect(resolveKey('mutation', 'y', k())).toBe('yes');
    expect(resolveKey('mutation', 'n', k())).toBe('no');
    expect(resolveKey('mutation', 's', k())).toBe('skip');
    expect(resolveKey('mutation', '\r', k({ return: true }))).toBeNull();
  });

  it('an Enter typed before raw mode was on (a line feed) still submits', () => {
    expect(resolveKey('pick', '\n', k())).toBe('submit');
    expect(resolveKey('mutation', '\n', k())).toBeNull();
  });

  it('lists move with arrows and j/k, b goes back, ? opens help', () => {
    expect(resolveKey('pick', '', k({ upArrow: true }))).toBe('up');
    expect(resolveKey('pick', 'j', k())).toBe('down');
    expect(resolveKey('pick', 'b', k())).toBe('back');
    expect(resolveKey('pick', '?', k())).toBe('help');
    expect(resolveKey('help', '', k({ escape: true }))).toBe('close');
  });

  it('hint lines and help come from the same table', () => {
    expect(hintFor('mutation')).toBe('y yes · n no · s skip · ? help · q quit');
    expect(hintFor('running')).toBe('c/esc cancel · ? help · q quit');
    const labels = helpRows().map((r) => r.label);
    for (const b of BINDINGS) if (b.action !== 'down' && b.action !== 'up') expect(labels).toContain(b.label);
  });
});
