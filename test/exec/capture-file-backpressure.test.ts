// The capture's output file queues up to FILE_HIGH_WATER_MARK bytes before push() asks the
// source to pause: a fast command keeps streaming while earlier writes finish on the
// thread pool, and the queue (memory) stays bounded by that mark. Everything still reaches
// the file, redacted, in order.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BoundedCapture, FILE_HIGH_WATER_MARK } from '../../src/exec/capture.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'netwiz-capture-hwm-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const CHUNK = 64 * 1024;
const line = (i: number) => `${String(i).padStart(8, '0')} some ordinary output of a chatty command\n`;
function chunkOf(start: number): { buf: Buffer; next: number } {
  let s = '';
  let i = start;
  while (s.length + line(i).length <= CHUNK) s += line(i++);
  return { buf: Buffer.from(s), next: i };
}

describe('BoundedCapture output file back-pressure', () => {
  it('asks for a pause only once about FILE_HIGH_WATER_MARK bytes are queued, not at every chunk', () => {
    const file = join(dir, 'raw.out');
    const cap = new BoundedCapture(4096, file, undefined, { redact: false });
    let accepted = 0;
    let next = 0;
    let queued = 0;
    // synchronous pushes: no write can finish in between, so the queue only grows
    for (;;) {
      const c = chunkOf(next);
      next = c.next;
      queued += c.buf.length;
      if (!cap.push(c.buf)) break;
      accepted++;
      expect(queued).toBeLessThan(FILE_HIGH_WATER_MARK + CHUNK);
    }
    expect(accepted).toBeGreaterThanOrEqual(Math.floor(FILE_HIGH_WATER_MARK / CHUNK) - 1);
    expect(queued).toBeGreaterThanOrEqual(FILE_HIGH_WATER_MARK);
    return cap.close();
  });

  it('a paused stream resumes on drain and the redacted file holds every line in order', async () => {
    const file = join(dir, 'redacted.out');
    const cap = new BoundedCapture(4096, file);
    let next = 0;
    let pauses = 0;
    const secretAt = 20_000;
    await new Promise<void>((resolve) => {
      const pump = () => {
        while (next < 60_000) {
          let { buf, next: after } = chunkOf(next);
          if (next <= secretAt && secretAt < after) buf = Buffer.concat([buf, Buffer.from('password: hunter2-very-secret\n')]);
          next = after;
          if (!cap.push(buf)) {
            pauses++;
            cap.onDrain(pump);
            return;
          }
        }
        resolve();
      };
      pump();
    });
    await cap.close();
    const text = readFileSync(file, 'utf8');
    expect(pauses).toBeGreaterThan(0);
    expect(text).not.toContain('hunter2');
    expect(text).toContain('password: [REDACTED]');
    const numbers = text
      .split('\n')
      .filter((l) => /^\d{8} /.test(l))
      .map((l) => Number(l.slice(0, 8)));
    expect(numbers.length).toBe(next);
    expect(numbers.every((n, i) => n === i)).toBe(true);
  });
});
