// A command that prints nothing: the writer does not look for kept output files (the
// capture makes a file with the first byte, so there is none), and the line is the same as
// for any short output: no outputFile, nothing beside the transcript. A real runLocal feeds
// the writer, so the test fails if the capture starts making empty files or the writer
// starts keeping them.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLocal } from '../../src/exec/workstation.js';
import { outputDirFor, outputFileFor } from '../../src/transcript/paths.js';
import { TranscriptWriter } from '../../src/transcript/writer.js';

describe('the transcript of a silent command', () => {
  it('has no kept file and no outputFile in its line; a short output still drops its kept copy', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nw-silent-')), 's.jsonl');
    const w = new TranscriptWriter({ path });
    const quiet = await runLocal({ argv: ['true'], timeoutMs: 30_000, outputFile: outputFileFor(path, 'e1') });
    expect(quiet.exitCode).toBe(0);
    w.onEvent({ type: 'engine-event', event: { type: 'command-finished', effectId: 'e1', result: quiet } });
    const short = await runLocal({ argv: ['sh', '-c', 'echo out; echo err >&2'], timeoutMs: 30_000, outputFile: outputFileFor(path, 'e2') });
    // the capture kept both streams on disk while the command ran
    expect(existsSync(outputFileFor(path, 'e2'))).toBe(true);
    w.onEvent({ type: 'engine-event', event: { type: 'command-finished', effectId: 'e2', result: short } });
    w.close();
    await w.whenIdle();
    expect(readdirSync(outputDirFor(path))).toEqual([]);
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.event.result.outputFile)).toEqual([undefined, undefined]);
    expect(lines[0].event.result).toMatchObject({ exitCode: 0, stdout: '', stderr: '' });
    expect(lines[1].event.result).toMatchObject({ exitCode: 0, stdout: 'out\n', stderr: 'err\n' });
  });
});
