import { describe, expect, it } from 'vitest';
import { resupplyInputs } from '../../src/cli/commands/resume.js';
import type { SessionState } from '../../src/engine/types.js';
import { parseTranscript } from '../../src/transcript/reader.js';
import { ResumeError, planResume } from '../../src/transcript/resume.js';

const line = (seq: number, o: object) => JSON.stringify({ v: 1, seq, ts: `2026-11-24T07:00:0${seq % 10}Z`, ...o });
const start = { type: 'session-start', sessionId: 's1', netwizVersion: 't', playbook: 'p', inputs: { password: '[REDACTED]', ns: 'shop' }, options: { readOnly: false, dryRun: false, yes: true } };

function state(history: number, pending: string[], status: SessionState['status'] = 'running'): SessionState {
  return {
    version: 1, rootPlaybook: 'p', status,
    frames: [{ playbookId: 'p', stepId: 'x', facts: { password: '[REDACTED]', ns: 'shop' } }],
    hypotheses: {},
    history: Array.from({ length: history }, (_, i) => ({ seq: i + 1, playbookId: 'p', stepId: `s${i}`, kind: 'run', summary: 'ok', next: null })),
    pending: pending.map((id) => ({ type: 'run', id, playbookId: 'p', stepId: 'x', title: 't', why: 'w', argv: ['true'], target: { kind: 'workstation' }, timeoutMs: 1, mutates: false })),
    stepsTaken: history, nextEffectSeq: 9, options: { readOnly: false, dryRun: false, maxSteps: 500 },
    ...(status !== 'running' ? { outcome: { status, evidence: [] } } : {}),
  } as SessionState;
}

describe('planResume', () => {
  it('resumes from the last state; results recorded after it are dropped and their effects issued again', () => {
    const text = [
      line(1, start),
      line(2, { type: 'state', state: state(1, ['e2']) }),
      line(3, { type: 'engine-event', event: { type: 'command-finished', effectId: 'e2', result: {} } }),
      line(4, { type: 'state', state: state(2, ['e3', 'e4']) }),
      line(5, { type: 'engine-event', event: { type: 'command-finished', effectId: 'e3', result: {} } }),
      '{"v":1,"seq":6,"ty',
    ].join('\n');
    const plan = planResume(parseTranscript(text, 't.jsonl'));
    expect(plan.fromStateSeq).toBe(4);
    expect(plan.completedSteps).toBe(2);
    expect(plan.reissue.map((e) => e.id)).toEqual(['e3', 'e4']);
    expect(plan.discarded).toEqual(['e3']);
    expect(plan.finished).toBe(false);
    expect(plan.warnings).toEqual([expect.stringMatching(/t\.jsonl:6: last line is incomplete/)]);
  });

  it('with no state yet, starts over; a finished engine state only needs closing', () => {
    expect(planResume(parseTranscript(line(1, start), 't')).state).toBeUndefined();
    const done = planResume(parseTranscript([line(1, start), line(2, { type: 'state', state: state(3, [], 'concluded') })].join('\n'), 't'));
    expect(done.finished).toBe(true);
    expect(done.missingOutcome).toBe(true);
    expect(done.reissue).toEqual([]);
  });

  it('refuses an ended session or a file that is not a transcript, saying what to do', () => {
    const ended = parseTranscript([line(1, start), line(2, { type: 'session-end', status: 'concluded' })].join('\n'), 'e.jsonl');
    expect(() => planResume(ended)).toThrow(ResumeError);
    expect(() => planResume(ended)).toThrow('e.jsonl: this session already ended (concluded); nothing to resume. Review it with: netwiz replay e.jsonl  or  netwiz export e.jsonl --format md');
    expect(() => planResume(parseTranscript('{"x":1}\n', 'n.jsonl'))).toThrow(/no session-start line/);
  });
});

describe('resupplyInputs', () => {
  it('puts inputs the transcript redacted back into the inputs and the root facts', () => {
    const s = state(1, ['e2']);
    const r = resupplyInputs(start.inputs, s, { password: 'hunter2' }, '[REDACTED]');
    expect(r.inputs).toEqual({ password: 'hunter2', ns: 'shop' });
    expect(r.state!.frames[0]!.facts.password).toBe('hunter2');
    expect(r.stillRedacted).toEqual([]);
    // the loaded state is not modified
    expect(s.frames[0]!.facts.password).toBe('[REDACTED]');
    expect(resupplyInputs(start.inputs, s, {}, '[REDACTED]').stillRedacted).toEqual(['password']);
  });
});
