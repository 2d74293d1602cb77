// A resumed writer continues numbering after the last line on disk, read without the
// transcript reader (which would load the playbook validator into every session start).
import { describe, expect, it } from 'vitest';
import { highestSeq } from '../../src/transcript/writer.js';

describe('highestSeq', () => {
  it('is the largest seq of the whole lines, skipping a torn last line and foreign lines', () => {
    const text = ['{"seq":1,"type":"session-start"}', '{"seq":7,"type":"effect"}', 'not json {"seq":99', '{"type":"x"}', '{"seq":3}', '{"seq":12,"type":"eff'].join('\n');
    expect(highestSeq(text)).toBe(7);
  });
  it('is 0 for an empty transcript', () => {
    expect(highestSeq('')).toBe(0);
  });
});
