// NETWIZ_STARTUP_MARKS=1 makes `netwiz run` say where its start-up went (bench/time-to-cause
// reads it); without it nothing extra is printed.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const BIN = join(process.cwd(), 'bin', 'netwiz');
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netwiz-marks-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const PLAYBOOK = [
  'id: marks-probe',
  'title: One local command',
  'summary: Start-up marks test.',
  'causes: []',
  'steps:',
  '  - id: probe',
  '    title: Run true',
  '    why: test',
  '    run:',
  '      argv: [true]',
  '  - id: done',
  '    title: Done',
  '    why: test',
  '    conclude:',
  '      cause: inconclusive',
  "      evidence: 'exit {{probe.exit_code}}'",
  '',
].join('\n');

function run(extraEnv: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const file = join(dir, 'marks-probe.yaml');
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_STATE_HOME: join(dir, 'state'), ...extraEnv };
    delete env.NETWIZ_PLAYBOOKS;
    delete env.NETWIZ_STARTUP_MARKS;
    Object.assign(env, extraEnv);
    void writeFile(file, PLAYBOOK).then(() => {
      const child = spawn(process.execPath, [BIN, 'run', file, '--json'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    }, reject);
  });
}

describe('netwiz run start-up marks', () => {
  it('NETWIZ_STARTUP_MARKS=1 prints each phase once, in order, in ms since the process started', async () => {
    const r = await run({ NETWIZ_STARTUP_MARKS: '1' });
    expect(r.code).toBe(3);
    const m = /netwiz startup marks: (.*)\n/.exec(r.stderr);
    expect(m).not.toBeNull();
    const marks = m![1]!.split(' ').map((kv) => {
      const [name, ms] = kv.split('=');
      return { name: name!, ms: Number(ms) };
    });
    expect(marks.map((k) => k.name)).toEqual(['run', 'catalog', 'driver-module', 'services-modules', 'sweep', 'services', 'driver-started']);
    for (let i = 1; i < marks.length; i++) expect(marks[i]!.ms).toBeGreaterThanOrEqual(marks[i - 1]!.ms);
    expect(marks[0]!.ms).toBeGreaterThan(0);
  });

  it('prints nothing of the kind without it', async () => {
    const r = await run({});
    expect(r.code).toBe(3);
    expect(r.stderr).not.toContain('startup marks');
  });
});
