// BoundedCapture keeps the last windowBytes in a ring it copies into (no allocation per
// chunk): whatever the chunk sizes, the text is the exact head, the exact tail, and the
// number of bytes between them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedCapture } from '../../src/exec/capture.js';

describe('BoundedCapture tail ring', () => {
  it('keeps the exact head and tail for any sequence of chunk sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 40 }), (window, sizes) => {
        const cap = new BoundedCapture(window);
        const all: number[] = [];
        let n = 0;
        for (const size of sizes) {
          const chunk = Buffer.alloc(size);
          // letters only: every byte is one character, so the text can be compared bytewise
          for (let i = 0; i < size; i++) chunk[i] = 97 + ((n + i) % 26);
          n += size;
          all.push(...chunk);
          cap.push(chunk);
          expect(cap.heldBytes).toBeLessThanOrEqual(2 * window);
        }
        const whole = Buffer.from(all).toString('latin1');
        const text = cap.text();
        if (whole.length <= 2 * window) {
          expect(text).toBe(whole);
          expect(cap.truncated).toBe(false);
        } else {
          expect(cap.truncated).toBe(true);
          expect(text).toBe(`${whole.slice(0, window)}\n[… ${whole.length - 2 * window} bytes omitted …]\n${whole.slice(-window)}`);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('does not keep a reference to the pushed buffers in the tail (they may be reused)', () => {
    const cap = new BoundedCapture(8);
    cap.push(Buffer.from('abcdefgh'));
    const reused = Buffer.from('ijkl');
    cap.push(reused);
    reused.fill(120);
    expect(cap.text()).toBe('abcdefghijkl');
  });
});
