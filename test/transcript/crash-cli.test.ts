// The same crash test through the real CLI: `netwiz run` (the session driver, the executor,
// the journal and the transcript writer together) is killed with SIGKILL at random points,
// then `netwiz resume` finishes the session from the transcript.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTranscript } from '../../src/transcript/reader.js';
import { planResume } from '../../src/transcript/resume.js';
import { buildSessionRecord } from '../../src/transcript/session-record.js';
import { CURL_PASSWORD, DEMO_PLAYBOOK, FIXTURES, demoInputs } from './helpers/record-session.js';

const ENTRY = resolve(import.meta.dirname, '../../src/cli/entry.ts');

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'nw-cli-crash-'));
  const answers = join(dir, 'answers.yaml');
  writeFileSync(answers, 'confirm: true\n');
  const env = {
    ...process.env,
    PATH: `${resolve(FIXTURES, 'bin')}:${process.env.PATH ?? ''}`,
    XDG_STATE_HOME: join(dir, 'state'),
    CI: 'true',
  };
  const vars = Object.entries(demoInputs()).flatMap(([k, v]) => ['--var', `${k}=${v}`]);
  return { dir, answers, env, vars };
}

function runArgs(s: ReturnType<typeof setup>, transcript: string): string[] {
  return ['--import', 'tsx', ENTRY, 'run', DEMO_PLAYBOOK, ...s.vars, '--answers', s.answers, '--yes', '--transcript', transcript];
}

function lineCount(path: string): number {
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0;
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

describe('kill -9 of netwiz run, then netwiz resume', () => {
  it('every completed step survives; resume concludes without re-running them; no secret on disk', async () => {
    const s = setup();
    const ref = join(s.dir, 'ref.jsonl');
    const r0 = spawnSync(process.execPath, runArgs(s, ref), { env: s.env, encoding: 'utf8' });
    expect(r0.stderr).toContain('concluded: label-collision');
    expect(r0.status).toBe(0);
    const refT = loadTranscript(ref);
    const refSteps = refT.states.at(-1)!.state.history.map((h) => h.stepId);
    const total = refT.events.length;

    let killed = 0;
    let resumed = 0;
    // NETWIZ_TRANSCRIPT_KILLS=50 for a longer soak (the figure in the reliability notes)
    const kills = Number(process.env.NETWIZ_TRANSCRIPT_KILLS ?? 8);
    for (let i = 0; i < kills; i++) {
      const path = join(s.dir, `s${i}.jsonl`);
      const child = spawn(process.execPath, runArgs(s, path), { env: s.env, stdio: 'ignore' });
      const exit = new Promise<NodeJS.Signals | null>((res) => child.on('exit', (_c, sig) => res(sig)));
      const after = 1 + Math.floor(Math.random() * (total - 2));
      while (child.exitCode === null && child.signalCode === null && lineCount(path) < after) {
        await new Promise((r) => setTimeout(r, 2));
      }
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 15)));
      child.kill('SIGKILL');
      if ((await exit) !== 'SIGKILL' || !existsSync(path)) continue;
      killed++;

      const t = loadTranscript(path);
      expect(t.warnings.length).toBeLessThanOrEqual(1);
      expect(t.events.map((e) => e.seq)).toEqual(t.events.map((_, j) => j + 1));
      const done = t.states.at(-1)?.state.history.map((h) => h.stepId) ?? [];
      expect(done).toEqual(refSteps.slice(0, done.length));
      if (t.events.some((e) => e.type === 'session-end')) continue;

      const plan = planResume(t);
      const r = spawnSync(
        process.execPath,
        ['--import', 'tsx', ENTRY, 'resume', path, '--answers', s.answers, '--yes', '--var', `password=${CURL_PASSWORD}`],
        { env: s.env, encoding: 'utf8' },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain(`netwiz resume transcript-demo`);
      resumed++;
      const t2 = loadTranscript(path);
      const rec = buildSessionRecord(t2);
      expect(rec.status).toBe('concluded');
      expect(rec.resumes).toBe(1);
      expect(t2.states.at(-1)!.state.history.map((h) => h.stepId)).toEqual(refSteps);
      const runs = new Map<string, number>();
      for (const e of t2.events) {
        if (e.type === 'engine-event' && e.event.type === 'command-finished') runs.set(e.event.effectId, (runs.get(e.event.effectId) ?? 0) + 1);
      }
      for (const e of t.events) {
        if (plan.fromStateSeq !== null && e.seq < plan.fromStateSeq && e.type === 'engine-event' && e.event.type === 'command-finished') {
          expect(runs.get(e.event.effectId), `${e.event.effectId} ran again`).toBe(1);
        }
      }
      // the step that was running when the kill came ran to its end after the resume
      for (const e of plan.reissue) if (e.type === 'run') expect(runs.get(e.id) ?? 0).toBeGreaterThanOrEqual(1);
    }
    expect(killed).toBeGreaterThan(0);
    expect(resumed).toBeGreaterThan(0);
    if (process.env.NETWIZ_TRANSCRIPT_KILLS) process.stderr.write(`transcript soak: ${kills} runs, ${killed} killed mid-session, ${resumed} resumed to the end\n`);

    // nothing under the test's directory (transcripts, outputs, journal) holds the password
    // or the kubeconfig's client key
    const key = /client-key-data: (\S+)/.exec(readFileSync(join(FIXTURES, 'kubeconfig-with-secrets.yaml'), 'utf8'))![1]!;
    for (const f of allFiles(s.dir)) {
      if (f.endsWith('answers.yaml')) continue;
      const text = readFileSync(f, 'utf8');
      expect(text.includes(CURL_PASSWORD), f).toBe(false);
      expect(text.includes(key.slice(100, 140)), f).toBe(false);
    }
  }, 1_800_000);

  it('refuses to resume a finished session and says what to do instead', () => {
    const s = setup();
    const path = join(s.dir, 'done.jsonl');
    expect(spawnSync(process.execPath, runArgs(s, path), { env: s.env }).status).toBe(0);
    const r = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, 'resume', path], { env: s.env, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('this session already ended (concluded); nothing to resume. Review it with: netwiz replay');
  }, 60_000);
});
