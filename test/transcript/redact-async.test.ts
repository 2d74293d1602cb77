// Kept outputs are redacted off the UI's back (redactFileAsync): a cheap keyword prefilter,
// cuts where no rule's match can span them, async slices with a turn of the event loop
// between them, and a transcript that only says "complete" (session-end) once every output
// is redacted. bench/output-flood.mjs measures the latency; these tests check behaviour.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { CommandResult } from '../../src/engine/types.js';
import { BoundedCapture } from '../../src/exec/capture.js';
import { outputFileFor } from '../../src/transcript/paths.js';
import { loadTranscript } from '../../src/transcript/reader.js';
import { createOutputRedactor, mayHoldSecret, redactText, redactTextFull, safeCut } from '../../src/transcript/redact.js';
import { takeRedactedOnWrite } from '../../src/transcript/redacted-files.js';
import { TranscriptWriter, redactFileAsync, redactFileInPlace } from '../../src/transcript/writer.js';

const dir = mkdtempSync(path.join(tmpdir(), 'nw-redact-async-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const FIX = path.resolve(import.meta.dirname, '../fixtures/transcript');
const fixture = (n: string) => readFileSync(path.join(FIX, n), 'utf8');

// pieces of output: ordinary text, separators, line ends, and one piece of every rule
const FRAGMENTS = [
  'lorem ipsum ', 'x', '0012 ', ' ', '  ', '\n', '\n', '\n', ':', '=', '"', "'", '\\', '{', ',', '-', '/', '@',
  'password', 'passwd', 'pwd', 'token', 'Token', 'accessToken', 'api_key', 'apiKey', 'client-key-data', 'client-certificate-data',
  'secret', 'credentials', 'auth', 'Authorization', 'Proxy-Authorization', 'Bearer', 'Basic', 'NTLM', 'hunter2', 'abcdefghijkl0123',
  'eyJhbGciOiJIUzI1NiJ9', '.eyJzdWIiOiIxIn0', '.c2lnbmF0dXJl', 'https://', 'user', 'u:p', '-u', '--user', '--token', '--password=',
  'ghp_abcdefghijklmnopqrstuvwx', 'xoxb-1234567890ab', 'AKIAABCDEFGHIJKLMNOP', 'sk-abcdefghijklmnopqrstuv', 'é', '€', '😀',
];
const textArb = (max: number) => fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: max }).map((a) => a.join(''));

describe('the keyword prefilter', () => {
  it('never lets through a text that any rule would change', () => {
    fc.assert(
      fc.property(textArb(40), (t) => {
        if (!mayHoldSecret(t)) expect(redactTextFull(t)).toBe(t);
        expect(redactText(t)).toBe(redactTextFull(t));
      }),
      { numRuns: 3000 },
    );
  });

  it('lets every fixture with a credential through, and a log line without one not', () => {
    for (const f of ['curl-verbose-auth.txt', 'kubeconfig-with-secrets.yaml', 'private-key.pem', 'secret-get-json.txt', 'secret-get-yaml.txt']) {
      const t = fixture(f);
      expect(redactTextFull(t), f).not.toBe(t);
      expect(mayHoldSecret(t), f).toBe(true);
      expect(redactText(t), f).toBe(redactTextFull(t));
    }
    expect(mayHoldSecret('0000000001 lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusm\n')).toBe(false);
  });
});

describe('cuts of the stream redactor', () => {
  it('never cut a match that spans lines', () => {
    const cases = ['password:\n  hunter2\n', 'token\n= abcdef\n', 'Authorization: Basic\nZm9vOmJhcg==\n', 'Authorization:\n Bearer xyz12345\n', 'curl --token\nabcdef123\n', 'curl -u\nops:hunter2\n', 'Bearer\nabcdefghijkl\n'];
    for (const c of cases) {
      const lines = c.split('\n');
      // a cut right inside the case (after its first line) must not be chosen
      const text = `filler\n${c}next\nlast\n`;
      const cut = safeCut(text);
      expect(cut === -1 || cut < text.indexOf(lines[0]!) || cut >= text.indexOf('next') - 1, c).toBe(true);
      expect(redactText(c), c).not.toBe(c);
    }
  });

  it('give the same result chunked as whole, whatever the chunks (line-local and cross-line rules)', () => {
    fc.assert(
      fc.property(textArb(300), fc.array(fc.integer({ min: 1, max: 120 }), { minLength: 1, maxLength: 20 }), (t, sizes) => {
        const r = createOutputRedactor(64);
        let out = '';
        let i = 0;
        for (let k = 0; i < t.length; k++) {
          const n = sizes[k % sizes.length]!;
          out += r.push(t.slice(i, i + n));
          i += n;
        }
        out += r.end();
        expect(out).toBe(redactText(t));
        expect(r.changed).toBe(out !== t);
      }),
      { numRuns: 400 },
    );
  });
});

/** a file of `lines` numbered log lines, with `insert` placed so it straddles byte `at` */
function writeWithStraddle(file: string, totalBytes: number, at: number, insert: string): string {
  const line = (i: number) => `${String(i).padStart(8, '0')} lorem ipsum dolor sit amet\n`;
  let head = '';
  for (let i = 0; Buffer.byteLength(head) < at - Buffer.byteLength(insert) / 2; i++) head += line(i);
  // trim so the insert starts at `at - half`: cut the last line short (its own line end is kept)
  const want = at - Math.floor(Buffer.byteLength(insert) / 2);
  while (Buffer.byteLength(head) > want) head = head.slice(0, -1);
  head += '\n';
  let tail = '';
  for (let i = 0; Buffer.byteLength(head + insert + tail) < totalBytes; i++) tail += line(i);
  const body = head + insert + tail;
  writeFileSync(file, body);
  return body;
}

describe('redactFileAsync', () => {
  const SLICE = 4096;

  it('hides secrets that straddle a slice edge, in a line and across lines', async () => {
    for (const secret of ['Authorization: Bearer straddling-token-0123456789\n', 'password:\n  straddling-pass-0123456789\n', 'curl -u ops:straddling-pw-0123456789 http://h/\n']) {
      for (const edge of [SLICE, 3 * SLICE]) {
        const file = path.join(dir, 'straddle.out');
        const body = writeWithStraddle(file, 6 * SLICE, edge, secret);
        expect(await redactFileAsync(file, { sliceBytes: SLICE })).toBe(true);
        const after = readFileSync(file, 'utf8');
        expect(after, secret).not.toMatch(/straddling-(token|pass|pw)/);
        expect(after).toBe(redactText(body));
        expect(existsSync(`${file}.redacting`)).toBe(false);
      }
    }
  });

  it('keeps a multi-byte character whole when a slice edge falls inside it', async () => {
    for (const ch of ['é', '€', '😀']) {
      const bytes = Buffer.byteLength(ch);
      for (let shift = 1; shift < bytes; shift++) {
        const file = path.join(dir, 'mb.out');
        // the character starts `shift` bytes before the edge: the edge cuts it
        const prefix = 'a'.repeat(SLICE - shift);
        const body = `${prefix}${ch} token: abcdefgh\n${'b'.repeat(SLICE)}\n${ch}${ch}\n`;
        writeFileSync(file, body);
        expect(await redactFileAsync(file, { sliceBytes: SLICE })).toBe(true);
        const after = readFileSync(file, 'utf8');
        expect(after).not.toContain('\uFFFD');
        expect(after).toBe(`${prefix}${ch} token: [REDACTED]\n${'b'.repeat(SLICE)}\n${ch}${ch}\n`);
      }
    }
  });

  it('lets the event loop run between slices, in the scan and in the redaction', async () => {
    const file = path.join(dir, 'loop.out');
    writeWithStraddle(file, 40 * SLICE, 20 * SLICE, 'password=hunter2-in-the-middle\n');
    // a chain of setImmediate callbacks: each turn of the event loop runs one
    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns++;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const seen: { pass: string; turns: number }[] = [];
    const p = redactFileAsync(file, { sliceBytes: SLICE, onSlice: (pass) => seen.push({ pass, turns }) });
    await p;
    ticking = false;
    expect(seen.filter((s) => s.pass === 'scan').length).toBeGreaterThan(3);
    expect(seen.filter((s) => s.pass === 'redact').length).toBeGreaterThan(30);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.turns, `between slice ${i - 1} and ${i}`).toBeGreaterThan(seen[i - 1]!.turns);
    expect(readFileSync(file, 'utf8')).toContain('password=[REDACTED]');
  });

  it('only scans a big file with nothing to hide: same inode, no redaction pass', async () => {
    const file = path.join(dir, 'clean.out');
    const body = 'ordinary log line 12345 lorem ipsum\n'.repeat(2000);
    writeFileSync(file, body);
    const ino = statSync(file).ino;
    const passes: string[] = [];
    expect(await redactFileAsync(file, { sliceBytes: SLICE, onSlice: (p) => passes.push(p) })).toBe(false);
    expect(passes.every((p) => p === 'scan')).toBe(true);
    expect(statSync(file).ino).toBe(ino);
    expect(readFileSync(file, 'utf8')).toBe(body);
  });

  it('sees a keyword cut by a slice edge in the scan', async () => {
    const file = path.join(dir, 'kw-edge.out');
    const body = `${'a'.repeat(SLICE - 4)}password=hunter2\n${'b'.repeat(SLICE)}\n`;
    writeFileSync(file, body);
    expect(await redactFileAsync(file, { sliceBytes: SLICE })).toBe(true);
    expect(readFileSync(file, 'utf8')).toContain('password=[REDACTED]');
  });

  it('works beside, so until the rename the original is whole under its name (a crash leaves it raw, never half-done)', async () => {
    const file = path.join(dir, 'beside.out');
    const body = writeWithStraddle(file, 20 * SLICE, 2 * SLICE, 'token: abcdefgh-beside\n');
    let checked = 0;
    await redactFileAsync(file, {
      sliceBytes: SLICE,
      onSlice: (pass) => {
        if (pass !== 'redact') return;
        expect(readFileSync(file, 'utf8')).toBe(body);
        expect(existsSync(`${file}.redacting`)).toBe(true);
        checked++;
      },
    });
    expect(checked).toBeGreaterThan(5);
    expect(readFileSync(file, 'utf8')).toBe(redactText(body));
  });

  it('gives the same file as the synchronous sweep', async () => {
    const a = path.join(dir, 'same-a.out');
    const b = path.join(dir, 'same-b.out');
    const body = `${fixture('kubeconfig-with-secrets.yaml')}${'line\n'.repeat(3000)}${fixture('curl-verbose-auth.txt')}${fixture('private-key.pem')}`;
    writeFileSync(a, body);
    writeFileSync(b, body);
    await redactFileAsync(a, { sliceBytes: SLICE });
    redactFileInPlace(b, SLICE);
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
    expect(readFileSync(a, 'utf8')).not.toContain('Hunter2-netwiz-basic');
  });
});

function result(partial: Partial<CommandResult>): CommandResult {
  return { exitCode: 0, stdout: '', stderr: '', durationMs: 5, timedOut: false, cancelled: false, ...partial };
}

describe('TranscriptWriter with background redaction', () => {
  it('holds the session-end line (and closes) until the kept outputs are redacted', async () => {
    const tpath = path.join(mkdtempSync(path.join(dir, 'w-')), 's.jsonl');
    const w = new TranscriptWriter({ path: tpath, inlineLimit: 100 });
    const out = outputFileFor(tpath, 'e1');
    // big enough for several slices, a secret near the end
    writeFileSync(out, `${'harmless 1234 line of output\n'.repeat(200_000)}password=late-secret-9876\n`);
    w.onEvent({ type: 'engine-event', event: { type: 'command-finished', effectId: 'e1', result: result({ stdout: 'x'.repeat(200), outputFile: out, truncated: true }) } });
    w.onEvent({ type: 'outcome', outcome: { status: 'concluded', cause: 'x' } as never });
    w.onEvent({ type: 'session-end', status: 'concluded' });
    w.close();
    expect(w.pendingRedactions).toBe(1);
    // the transcript does not claim to be complete yet: readers treat it as interrupted and sweep
    const early = loadTranscript(tpath);
    expect(early.events.some((e) => e.type === 'session-end')).toBe(false);
    expect(early.events.some((e) => e.type === 'outcome')).toBe(true);
    await w.whenIdle();
    expect(w.pendingRedactions).toBe(0);
    const done = loadTranscript(tpath);
    expect(done.events.at(-1)?.type).toBe('session-end');
    expect(readFileSync(out, 'utf8')).toContain('password=[REDACTED]');
    expect(readFileSync(out, 'utf8')).not.toContain('late-secret-9876');
    // closed once idle: a later event is an error, not a line
    w.onEvent({ type: 'session-end', status: 'concluded' });
    expect(w.errors.length).toBe(1);
    expect(loadTranscript(tpath).events.filter((e) => e.type === 'session-end')).toHaveLength(1);
  });

  it('does not read again an output its capture wrote through the redactor, unless it changed since', async () => {
    const tpath = path.join(mkdtempSync(path.join(dir, 'w-')), 's.jsonl');
    const out = outputFileFor(tpath, 'e2');
    const cap = new BoundedCapture(1024, out);
    cap.push(Buffer.from(`${'plain line\n'.repeat(500)}token: abcdefgh-cap\n`));
    await cap.close();
    expect(readFileSync(out, 'utf8')).toContain('token: [REDACTED]');
    // the mark is there and matches the file…
    expect(takeRedactedOnWrite(out)).toBe(true);
    // …and is forgotten once taken; a file changed after its capture closed it is redacted again
    const cap2 = new BoundedCapture(1024, out);
    cap2.push(Buffer.from('plain\n'.repeat(500)));
    await cap2.close();
    writeFileSync(out, `${'plain\n'.repeat(500)}password=written-later\n`);
    const w = new TranscriptWriter({ path: tpath, inlineLimit: 100 });
    w.onEvent({ type: 'engine-event', event: { type: 'command-finished', effectId: 'e2', result: result({ stdout: 'x'.repeat(200), outputFile: out, truncated: true }) } });
    w.close();
    await w.whenIdle();
    expect(readFileSync(out, 'utf8')).toContain('password=[REDACTED]');
  });
});
