// The plain-text first frame printed before Ink loads (src/ui/first-frame.ts): when it is
// printed, what it looks like, and the sequence that erases it. The real terminal side
// (wrapping, scrolling, Ink taking over) is in test/terminal/first-frame.test.ts.
import { describe, expect, it } from 'vitest';
import { BOOT_STATUS, bootLine, eraseSequence, inCi, mayPrePrint, prePrintFirstFrame, rowsOf, wrapWords } from '../../src/ui/first-frame.js';

function fakeOut(isTTY: boolean, columns = 100) {
  const written: string[] = [];
  return { isTTY, columns, write: (s: string) => written.push(s), written };
}

describe('first frame before Ink', () => {
  it('is the wizard boot line with the version', () => {
    expect(bootLine('1.2.3')).toEqual({ head: 'netwiz 1.2.3 · ', tail: BOOT_STATUS });
  });

  it('prints nothing when stdout is not a terminal', () => {
    const out = fakeOut(false);
    expect(prePrintFirstFrame(out, {}, '1.2.3')).toBeNull();
    expect(out.written).toEqual([]);
  });

  it('prints nothing in CI (Ink then draws only the final frame) or on a dumb terminal', () => {
    for (const env of [{ CI: 'true' }, { CI: '1' }, { CI: '' }, { CONTINUOUS_INTEGRATION: 'yes' }, { TERM: 'dumb' }]) {
      const out = fakeOut(true);
      expect(prePrintFirstFrame(out, env, '1.2.3')).toBeNull();
      expect(out.written).toEqual([]);
    }
  });

  it('follows is-in-ci: CI=false and CI=0 are not CI', () => {
    expect(inCi({ CI: 'false' })).toBe(false);
    expect(inCi({ CI: '0' })).toBe(false);
    expect(inCi({})).toBe(false);
    expect(inCi({ CI: 'true' })).toBe(true);
    expect(mayPrePrint({ isTTY: true, write: () => 0 }, { CI: 'false' })).toBe(true);
  });

  it('prints one line with the tail dimmed, as Ink draws it, without a trailing newline', () => {
    const out = fakeOut(true, 100);
    expect(prePrintFirstFrame(out, { TERM: 'xterm-256color' }, '1.2.3')).toEqual({ rows: 1 });
    expect(out.written).toEqual([`netwiz 1.2.3 · \u001B[2m${BOOT_STATUS}\u001B[22m`]);
  });

  it('does not dim when chalk would not (CI set at all, FORCE_COLOR=0)', () => {
    for (const env of [{ CI: 'false' }, { FORCE_COLOR: '0' }]) {
      const out = fakeOut(true, 100);
      prePrintFirstFrame(out, env, '1.2.3');
      expect(out.written).toEqual([`netwiz 1.2.3 · ${BOOT_STATUS}`]);
    }
  });

  it('wraps at word boundaries on a narrow terminal and counts every row', () => {
    const out = fakeOut(true, 24);
    const p = prePrintFirstFrame(out, { FORCE_COLOR: '0' }, '1.2.3');
    const lines = out.written.join('').split('\n');
    expect(lines.every((l) => [...l].length <= 24)).toBe(true);
    expect(lines.join(' ')).toBe(`netwiz 1.2.3 · ${BOOT_STATUS}`);
    expect(p).toEqual({ rows: lines.length });
    expect(lines.length).toBeGreaterThan(2);
  });

  it('cuts words longer than a row', () => {
    expect(wrapWords('abcdefghij xy', 4)).toEqual(['abcd', 'efgh', 'ij', 'xy']);
    expect(wrapWords('ab cd', 5)).toEqual(['ab cd']);
  });

  it('counts rows of lines that wrap in the terminal, and empty lines', () => {
    expect(rowsOf(['x'.repeat(10)], 10)).toBe(1);
    expect(rowsOf(['x'.repeat(11)], 10)).toBe(2);
    expect(rowsOf(['', 'ab'], 10)).toBe(2);
    expect(rowsOf(['…·'], 1)).toBe(2);
  });

  it('erases from the start of the first row to the end of the screen', () => {
    expect(eraseSequence({ rows: 1 })).toBe('\r\u001B[J');
    expect(eraseSequence({ rows: 3 })).toBe('\r\u001B[2A\u001B[J');
  });
});
