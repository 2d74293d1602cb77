import { describe, expect, it } from 'vitest';
import { TailBuffer, sanitizeLine } from '../../src/ui/output-tail.js';

describe('TailBuffer', () => {
  it('keeps the last N lines and counts every line and byte', () => {
    const t = new TailBuffer(3);
    t.append('a\nb\nc\n');
    t.append('d\ne');
    const s = t.snapshot();
    expect(s.lines).toEqual(['c', 'd', 'e']);
    expect(s.totalLines).toBe(4);
    expect(s.totalBytes).toBe(9);
  });

  it('joins a line split across chunks', () => {
    const t = new TailBuffer(5);
    t.append('PING 10.244');
    t.append('.1.5 56(84) bytes\n64 bytes from');
    t.append(' 10.244.1.5\n');
    expect(t.snapshot().lines).toEqual(['PING 10.244.1.5 56(84) bytes', '64 bytes from 10.244.1.5']);
  });

  it('stays bounded under a flood of 100 MB of output', () => {
    const t = new TailBuffer(50, 200);
    const chunk = 'x'.repeat(99) + '\n';
    const big = chunk.repeat(10_000); // 1 MB per append
    for (let i = 0; i < 100; i++) t.append(big);
    const s = t.snapshot();
    expect(s.totalLines).toBe(1_000_000);
    expect(s.totalBytes).toBe(100 * big.length);
    expect(s.lines.length).toBeLessThanOrEqual(50);
    // internal storage stays bounded too (amortised trim at 2×)
    expect((t as unknown as { lines: string[] }).lines.length).toBeLessThanOrEqual(100);
  });

  it('bounds a single line that never ends', () => {
    const t = new TailBuffer(5, 40);
    for (let i = 0; i < 1000; i++) t.append('y'.repeat(10_000));
    const s = t.snapshot();
    expect(s.lines).toHaveLength(1);
    expect(s.lines[0]!.length).toBeLessThanOrEqual(40);
    expect((t as unknown as { partial: string }).partial.length).toBeLessThanOrEqual(160);
  });

  it('removes terminal escape sequences and control characters from hostile output', () => {
    const t = new TailBuffer(5);
    t.append('\u001B]0;pwned\u0007title\n\u001B[2J\u001B[31mred\u001B[0m\n\u0000bell\u0007\n');
    expect(t.snapshot().lines).toEqual(['title', 'red', 'bell']);
  });
});

describe('sanitizeLine', () => {
  it('shows what a terminal would after carriage returns (progress bars)', () => {
    expect(sanitizeLine(' 10%\r 50%\r100% done', 80)).toBe('100% done');
  });
  it('cuts long lines with an ellipsis', () => {
    expect(sanitizeLine('abcdefghij', 5)).toBe('abcd…');
  });
  it('expands tabs', () => {
    expect(sanitizeLine('a\tb', 10)).toBe('a  b');
  });
});
