// kill -9 in the middle of a session: the transcript parses, holds every completed step,
// and resume continues from there without re-running what was already done.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportTranscript } from '../../src/transcript/export.js';
import { loadTranscript } from '../../src/transcript/reader.js';
import { planResume } from '../../src/transcript/resume.js';
import { buildSessionRecord } from '../../src/transcript/session-record.js';
import { recordDemoSession } from './helpers/record-session.js';

const CHILD = resolve(import.meta.dirname, 'helpers/record-child.ts');
const tmp = () => mkdtempSync(join(tmpdir(), 'nw-crash-'));

function runChild(path: string, mode?: 'resume'): ReturnType<typeof spawn> {
  return spawn(process.execPath, ['--import', 'tsx', CHILD, path, ...(mode ? [mode] : [])], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

function exited(child: ReturnType<typeof spawn>): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res) => child.on('exit', (code, signal) => res({ code, signal, stderr })));
}

function lineCount(path: string): number {
  if (!existsSync(path)) return 0;
  return readFileSync(path, 'utf8').split('\n').length - 1;
}

/** Wait (by polling the file, not by time) until at least `n` lines are written, or the child ends. */
async function waitForLines(path: string, n: number, child: ReturnType<typeof spawn>): Promise<void> {
  while (child.exitCode === null && child.signalCode === null && lineCount(path) < n) {
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('kill -9 during a session', () => {
  it('loses at most the line being written; resume finishes the session without re-running completed steps', async () => {
    // the reference: the same session, never interrupted
    const ref = join(tmp(), 'ref.jsonl');
    await recordDemoSession({ transcript: ref });
    const refT = loadTranscript(ref);
    const refTypes = refT.events.map((e) => e.type);
    const refSteps = refT.states.at(-1)!.state.history.map((h) => h.stepId);
    const total = refT.events.length;
    // the line at which each reference state is known: its snapshot, or the engine event it folds from
    const refStates = refT.states.map((s) =>
      s.rebuilt ? Math.max(...refT.events.filter((e) => e.seq <= s.seq && e.type === 'engine-event').map((e) => e.seq)) : s.seq,
    );

    // NETWIZ_TRANSCRIPT_KILLS=50 for a longer soak (the figure in the reliability notes)
    const kills = Number(process.env.NETWIZ_TRANSCRIPT_KILLS ?? 10);
    let killedMidSession = 0;
    for (let i = 0; i < kills; i++) {
      const path = join(tmp(), 's.jsonl');
      const child = runChild(path);
      const done = exited(child);
      // a random point: after 1…total-1 lines, plus a random few ms into the next line
      const after = 1 + Math.floor(Math.random() * (total - 1));
      await waitForLines(path, after, child);
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 20)));
      child.kill('SIGKILL');
      const { signal, stderr } = await done;
      if (signal !== 'SIGKILL') {
        // the session finished before the kill landed: still a valid, whole transcript
        expect(stderr).toBe('');
        expect(loadTranscript(path).events.at(-1)!.type).toBe('session-end');
        continue;
      }
      if (!existsSync(path)) continue; // killed before the first line: nothing to check
      killedMidSession++;

      // 1. parses; at most the last line is damaged
      const t = loadTranscript(path);
      expect(t.warnings.length).toBeLessThanOrEqual(1);
      if (t.warnings.length) expect(t.truncatedTail).toBe(true);
      // 2. what is there is exactly the start of the reference session: nothing lost in between
      expect(t.events.map((e) => e.type)).toEqual(refTypes.slice(0, t.events.length));
      expect(t.events.map((e) => e.seq)).toEqual(t.events.map((_, j) => j + 1));
      // 3. every completed step is there: each fed-back event has its state snapshot after it,
      //    except possibly the very last one (killed between the two lines)
      //    (written as a snapshot or rebuilt from the engine events since the last one)
      const lastSeen = t.events.at(-1)?.seq ?? 0;
      const required = refStates.filter((at) => at <= lastSeen).length;
      // (one more when killed between a step's engine event and its snapshot line: folded)
      expect([required, required + 1]).toContain(t.states.length);
      const steps = (x: { state: { history: { stepId: string }[]; status: string } }) => [x.state.status, x.state.history.map((h) => h.stepId)];
      expect(t.states.map(steps)).toEqual(refT.states.slice(0, t.states.length).map(steps));
      const doneBefore = t.states.at(-1)?.state.history.map((h) => h.stepId) ?? [];
      expect(doneBefore).toEqual(refSteps.slice(0, doneBefore.length));

      if (t.events.some((e) => e.type === 'session-end')) continue; // killed after the end line
      // an interrupted session still exports, and says it was interrupted
      for (const f of ['md', 'json', 'sh'] as const) expect(() => exportTranscript(t, f)).not.toThrow();
      if (!t.events.some((e) => e.type === 'outcome')) {
        expect(exportTranscript(t, 'md')).toContain('**Outcome:** interrupted (no conclusion recorded; `netwiz resume` can continue it)');
      }
      // 4. resume (itself in a child) finishes the session
      const plan = planResume(t);
      const resumed = runChild(path, 'resume');
      const r = await exited(resumed);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const after2 = loadTranscript(path);
      expect(after2.warnings.length).toBeLessThanOrEqual(1); // the old damaged line, if any
      const rec = buildSessionRecord(after2);
      expect(rec.status).toBe('concluded');
      expect(rec.resumes).toBe(1);
      expect(after2.states.at(-1)!.state.history.map((h) => h.stepId)).toEqual(refSteps);
      // commands completed before the snapshot ran exactly once; the interrupted ones again
      const finished = new Map<string, number>();
      for (const e of after2.events) {
        if (e.type === 'engine-event' && e.event.type === 'command-finished') {
          finished.set(e.event.effectId, (finished.get(e.event.effectId) ?? 0) + 1);
        }
      }
      const completedBefore = new Set<string>();
      for (const e of t.events) {
        if (e.type === 'engine-event' && e.event.type === 'command-finished' && plan.fromStateSeq !== null && e.seq < plan.fromStateSeq) {
          completedBefore.add(e.event.effectId);
        }
      }
      for (const id of completedBefore) expect(finished.get(id), `effect ${id} re-run`).toBe(1);
      for (const e of plan.reissue) {
        if (e.type === 'run') expect(finished.get(e.id), `reissued ${e.id}`).toBeGreaterThanOrEqual(1);
      }
    }
    // the loop must have exercised real mid-session kills, not only finished sessions
    expect(killedMidSession).toBeGreaterThan(0);
    if (process.env.NETWIZ_TRANSCRIPT_KILLS) process.stderr.write(`transcript soak (writer): ${kills} runs, ${killedMidSession} killed mid-session\n`);
  }, 900_000);
});
