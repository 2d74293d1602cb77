// redactFileInPlace on outputs bigger than REDACT_WHOLE_MAX_BYTES goes slice by slice (to
// bound memory, bench/output-flood.mjs): a secret anywhere is still hidden, a multi-byte
// character cut at a slice edge stays whole, and a file with nothing to hide is left as is.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REDACT_WHOLE_MAX_BYTES, redactFileInPlace } from '../../src/transcript/writer.js';

const dir = mkdtempSync(path.join(tmpdir(), 'nw-redact-slices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// lines of "é" (2 bytes in UTF-8) and an odd-length prefix, so slice edges fall inside characters
const filler = (bytes: number) => {
  const line = `x${'é'.repeat(40)}\n`;
  return line.repeat(Math.ceil(bytes / Buffer.byteLength(line)));
};

describe('redactFileInPlace on big outputs', () => {
  it('hides a secret in the middle and at the end, and keeps every character whole', () => {
    const file = path.join(dir, 'big.out');
    const body = filler(REDACT_WHOLE_MAX_BYTES * 1.5) + 'password=hunter2\n' + filler(REDACT_WHOLE_MAX_BYTES * 1.5) + 'Authorization: Bearer abcdefghijklmnop';
    writeFileSync(file, body);
    expect(statSync(file).size).toBeGreaterThan(REDACT_WHOLE_MAX_BYTES * 3);
    redactFileInPlace(file);
    const after = readFileSync(file, 'utf8');
    expect(after).not.toContain('hunter2');
    expect(after).not.toContain('abcdefghijklmnop');
    expect(after).toContain('password=[REDACTED]');
    expect(after).not.toContain('\uFFFD');
    // only the secrets changed
    expect(after.replace('password=[REDACTED]', 'password=hunter2').replace('Bearer [REDACTED]', 'Bearer abcdefghijklmnop')).toBe(body);
    expect(existsSync(`${file}.redacting`)).toBe(false);
  });

  it('leaves a big file with nothing to hide untouched', () => {
    const file = path.join(dir, 'clean.out');
    const body = filler(REDACT_WHOLE_MAX_BYTES * 2.5);
    writeFileSync(file, body);
    const before = statSync(file);
    redactFileInPlace(file);
    expect(readFileSync(file, 'utf8')).toBe(body);
    expect(statSync(file).ino).toBe(before.ino);
    expect(existsSync(`${file}.redacting`)).toBe(false);
  });
});
