// The tail sanitises lines only when a snapshot shows them (not at append time). Whatever
// the chunking, a snapshot must equal sanitising the last lines of the whole text, and
// what the tail holds must stay bounded when lines are long.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TailBuffer, sanitizeLine } from '../../src/ui/output-tail.js';

/** The tail computed the slow, obvious way from the whole text. */
function reference(text: string, maxLines: number, maxChars: number): string[] {
  const parts = text.split('\n');
  const last = parts.pop()!;
  const lines = parts.map((l) => sanitizeLine(l, maxChars));
  if (last.length > 0) lines.push(sanitizeLine(last, maxChars));
  return lines.slice(-maxLines);
}

const piece = fc.oneof(
  fc.constantFrom('\n', '\r', '\t', '\x1b[31m', '\x1b[0m', '\x07', 'é', 'token: x', '\x1b]0;title\x07'),
  fc.string({ maxLength: 30 }),
  fc.integer({ min: 50, max: 300 }).map((n) => 'L'.repeat(n)),
);

describe('TailBuffer, lazily sanitised', () => {
  it('a snapshot equals sanitising the last lines of the whole text, however it was chunked', () => {
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 80 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }), (pieces, cuts) => {
        const text = pieces.join('');
        const t = new TailBuffer(7, 20);
        let at = 0;
        let i = 0;
        while (at < text.length) {
          const n = cuts[i++ % cuts.length]!;
          t.append(text.slice(at, at + n));
          at += n;
          // snapshots in the middle must not change what later ones show
          if (i % 3 === 0) t.snapshot();
        }
        // a line longer than 4 × maxChars that spans chunks is kept as its head only (by
        // design, before and after lazy sanitising): the reference agrees on shorter lines
        fc.pre(text.split('\n').every((l) => l.length <= 80));
        expect(t.snapshot().lines).toEqual(reference(text, 7, 20));
      }),
      { numRuns: 300 },
    );
  });

  it('long lines are held as their shown head, not whole', () => {
    const t = new TailBuffer(10, 40);
    const long = `${'z'.repeat(100_000)}\r${'w'.repeat(50_000)}`;
    for (let i = 0; i < 50; i++) t.append(`${long}\n`);
    const held = (t as unknown as { lines: { raw: string }[] }).lines;
    expect(held.length).toBeLessThanOrEqual(20);
    for (const l of held) expect(l.raw.length).toBeLessThanOrEqual(160);
    expect(t.snapshot().lines).toEqual(Array(10).fill(`${'w'.repeat(39)}…`));
  });
});
