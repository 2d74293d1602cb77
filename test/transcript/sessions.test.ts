import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultTranscriptPath, sessionsDir } from '../../src/transcript/paths.js';
import { listSessions } from '../../src/transcript/sessions.js';
import { TranscriptWriter } from '../../src/transcript/writer.js';
import { recordDemoSession } from './helpers/record-session.js';

const ENTRY = resolve(import.meta.dirname, '../../src/cli/entry.ts');

describe('netwiz sessions', () => {
  it('lists past sessions newest first with time, context, playbook, outcome and path', async () => {
    const state = mkdtempSync(join(tmpdir(), 'nw-sess-'));
    const env = { ...process.env, XDG_STATE_HOME: state };
    const dir = sessionsDir(env);
    const older = defaultTranscriptPath('demo-a', new Date('2026-11-20T10:00:00Z'), env);
    await recordDemoSession({ transcript: older, sessionId: 'demo-a' });
    // make its start time the older one, as if recorded days ago
    writeFileSync(older, readFileSync(older, 'utf8').replace(/"ts":"[^"]+"/, '"ts":"2026-11-20T10:00:00.000Z"'));
    // an interrupted session, from a context with a hostile name, whose last line was cut
    const newer = defaultTranscriptPath('demo-b', new Date('2026-11-24T09:00:00Z'), env);
    const w = new TranscriptWriter({ path: newer, now: () => new Date('2026-11-24T09:00:00Z') });
    w.onEvent({ type: 'session-start', sessionId: 'demo-b', netwizVersion: 't', playbook: 'pod-to-service', inputs: {}, context: 'prod-\u001b[31meu', options: { readOnly: true, dryRun: false, yes: false } });
    w.close();
    appendFileSync(newer, '{"v":1,"seq":2,"ts":"2026-11-24T09:0');
    writeFileSync(join(dir, 'notes.txt'), 'not a transcript');

    const list = listSessions(dir);
    expect(list.map((s) => [s.sessionId, s.playbook, s.status, s.cause ?? null, s.path])).toEqual([
      ['demo-b', 'pod-to-service', 'interrupted', null, newer],
      ['demo-a', 'transcript-demo', 'concluded', 'label-collision', older],
    ]);
    expect(list[0]!.warnings).toBe(1);
    expect(list[1]!.steps).toBe(6);

    const r = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, 'sessions'], { env, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^STARTED\s+CONTEXT\s+PLAYBOOK\s+OUTCOME\s+TRANSCRIPT$/);
    expect(lines[1]).toMatch(/^2026-11-24 09:00:00Z {2}prod-eu {4}pod-to-service\s+interrupted\s+\S+demo-b\.jsonl$/);
    expect(lines[2]).toMatch(/^2026-11-20 10:00:00Z\s+lab-admin\s+transcript-demo\s+concluded: label-collision\s+\S+demo-a\.jsonl$/);
    expect(r.stdout).not.toContain('\u001b');

    const j = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, 'sessions', '--json'], { env, encoding: 'utf8' });
    const parsed = JSON.parse(j.stdout);
    expect(parsed.map((s: { sessionId: string }) => s.sessionId)).toEqual(['demo-b', 'demo-a']);
    expect(parsed[1]).toMatchObject({ context: 'lab-admin', namespace: 'shop', status: 'concluded', cause: 'label-collision' });
  }, 60_000);

  it('says where it looked when there is nothing to list', () => {
    const state = mkdtempSync(join(tmpdir(), 'nw-sess-'));
    const r = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, 'sessions'], { env: { ...process.env, XDG_STATE_HOME: state }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(`netwiz: no sessions in ${join(state, 'netwiz', 'sessions')}`);
  }, 30_000);
});
