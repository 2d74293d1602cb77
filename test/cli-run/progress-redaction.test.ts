// The progress lines `netwiz run` prints on stderr show each command's argv: a password in
// `curl -u user:pass` or a `--token` must appear there redacted, as in the transcript.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { progressObserver } from '../../src/cli/commands/run.js';

const BIN = join(process.cwd(), 'bin', 'netwiz');
const PASSWORD = 'S3cr3t-progress-6614';
const TOKEN = 'tok-progress-ZX81-secret';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netwiz-progress-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PLAYBOOK = `id: secret-argv
title: A command with credentials on its command line
summary: progress redaction test
causes: []
steps:
  - id: login
    title: Run a command with a password and a token
    why: test
    run:
      argv: ["true", "-u", "test:${PASSWORD}", "--token", "${TOKEN}", "-utest:${PASSWORD}"]
`;

describe('netwiz run progress on stderr', () => {
  it('shows argv with the password and the token redacted (and the transcript too)', async () => {
    const pbDir = join(dir, 'playbooks');
    await mkdir(pbDir);
    await writeFile(join(pbDir, 'secret-argv.yaml'), PLAYBOOK);
    const transcript = join(dir, 't.jsonl');
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_STATE_HOME: join(dir, 'state') };
    delete env.NETWIZ_PLAYBOOKS;
    const child = spawn(process.execPath, [BIN, 'run', 'secret-argv', '--playbooks', pbDir, '--yes', '--json', '--transcript', transcript], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(code, stderr).toBe(3); // runs off its last step: inconclusive
    expect(stderr).toContain("$ true -u 'test:[REDACTED]' --token '[REDACTED]' '-utest:[REDACTED]'");
    for (const text of [stderr, stdout, await readFile(transcript, 'utf8')]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(TOKEN);
    }
  }, 60_000);

  it('redacts the argv and undo of changes and restores', () => {
    const lines: string[] = [];
    const o = progressObserver((l) => lines.push(l));
    o.onEvent({ type: 'mutation', effectId: 'e1', argv: ['curl', '-X', 'POST', '-u', `admin:${PASSWORD}`, 'http://x/'], undo: ['curl', '--token', TOKEN, 'http://x/undo'], journalId: 'j1' });
    o.onEvent({ type: 'restore', journalId: 'j1', argv: ['curl', `--password=${PASSWORD}`, 'http://x/undo'], ok: true });
    expect(lines.join('\n')).not.toContain(PASSWORD);
    expect(lines.join('\n')).not.toContain(TOKEN);
    expect(lines[0]).toBe("  ✎ changing: curl -X POST -u 'admin:[REDACTED]' http://x/  (undo: curl --token '[REDACTED]' http://x/undo)");
    expect(lines[1]).toBe("  ↺ restored: curl '--password=[REDACTED]' http://x/undo");
  });

  it('shows hostile arguments POSIX-quoted: pasting a progress line into a shell runs nothing', async () => {
    const lines: string[] = [];
    const o = progressObserver((l) => lines.push(l));
    const marker = join(dir, 'PWNED');
    const hostile = [`$(touch ${marker})`, `\`touch ${marker}\``, `a;touch ${marker}`, `it's`];
    o.onEvent({ type: 'command-start', effectId: 'e1', argv: ['echo', ...hostile], target: { kind: 'workstation' }, startedAt: '' });
    o.onEvent({ type: 'mutation', effectId: 'e2', argv: ['echo', ...hostile], undo: ['echo', hostile[0]!], journalId: 'j' });
    const shown = lines.find((l) => l.includes('$ echo'))!.replace(/^\s*\$ /, '');
    const { execFileSync } = await import('node:child_process');
    // the shown line, run by a shell, echoes the arguments back verbatim and creates nothing
    const echoed = execFileSync('sh', ['-c', shown], { encoding: 'utf8' });
    expect(echoed).toBe(`${hostile.join(' ')}\n`);
    const changing = lines.find((l) => l.includes('changing:'))!.replace(/^.*changing: /, '').replace(/  \(undo: .*$/, '');
    expect(execFileSync('sh', ['-c', changing], { encoding: 'utf8' })).toBe(`${hostile.join(' ')}\n`);
    const { existsSync } = await import('node:fs');
    expect(existsSync(marker)).toBe(false);
  });
});
