// Command output is redacted on its way to the kept file, not only when the command ends:
// netwiz killed -9 while `kubectl get secret -o yaml` or a `curl -v` with a token is still
// running leaves no raw secret on disk.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BoundedCapture } from '../../src/exec/capture.js';

const CHILD = join(import.meta.dirname, 'helpers', 'capture-child.ts');
const tmp = () => mkdtempSync(join(tmpdir(), 'netwiz-capture-'));

/** Run the child until the command has printed everything, then SIGKILL it; the file's text. */
async function killedMidCommand(what: 'secret' | 'bearer', raw = false, until?: string): Promise<string> {
  const file = join(tmp(), 'e1.out');
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file, what, ...(raw ? ['raw'] : [])], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_c, s) => r(s)));
  let err = '';
  await new Promise<void>((resolve) => {
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (err.includes('printed')) resolve();
    });
    child.on('exit', () => resolve());
  });
  // the capture writes through a stream: wait (polling, no timing) until `until` is on disk
  while (until && child.exitCode === null && !(existsSync(file) && readFileSync(file, 'utf8').includes(until))) {
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGKILL');
  expect(await exited, err).toBe('SIGKILL');
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

describe('output file redaction while the command runs', () => {
  it("a Secret's data printed before netwiz is killed -9 never reaches the file", async () => {
    const text = await killedMidCommand('secret');
    expect(text).not.toContain('c2VjcmV0LWtleS1kYXRhLTk5MTc=');
    expect(text).not.toContain('aHVudGVyMi1zM2NyM3Q=');
  }, 60_000);

  it('a bearer token printed after a MiB of output is written redacted', async () => {
    const text = await killedMidCommand('bearer', false, 'END-OF-SECRETS');
    // the output up to the token did reach the file (the redactor released it) …
    expect(text).toContain('> Authorization: Bearer [REDACTED]');
    expect(text.length).toBeGreaterThan(1024 * 1024);
    // … but not the token
    expect(text).not.toContain('tok-ABCDEFGH-0123456789-secret');
  }, 60_000);

  it('the control: without redaction the same kill leaves the secrets in the file', async () => {
    expect(await killedMidCommand('secret', true, 'kind: Secret')).toContain('aHVudGVyMi1zM2NyM3Q=');
    expect(await killedMidCommand('bearer', true, 'END-OF-SECRETS')).toContain('tok-ABCDEFGH-0123456789-secret');
  }, 60_000);

  it('counts the bytes the command printed, while the file holds the redacted text', async () => {
    const file = join(tmp(), 'o');
    const cap = new BoundedCapture(1024, file);
    const raw = 'GET / HTTP/1.1\nAuthorization: Bearer abcdefgh12345678\nline\n';
    cap.push(Buffer.from(raw));
    await cap.close();
    expect(cap.byteCount).toBe(Buffer.byteLength(raw));
    expect(readFileSync(file, 'utf8')).toBe('GET / HTTP/1.1\nAuthorization: Bearer [REDACTED]\nline\n');
  });
});

describe('the kept file', () => {
  it('is not created for a command that prints nothing', async () => {
    const { runLocal } = await import('../../src/exec/workstation.js');
    const file = join(tmp(), 'quiet.out');
    const r = await runLocal({ argv: ['true'], timeoutMs: 30_000, outputFile: file });
    expect(r.exitCode).toBe(0);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.stderr`)).toBe(false);
  });
});
