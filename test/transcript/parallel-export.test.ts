// The exports of a session with a parallel step, folded from lines the way the driver writes
// them (engine events from the real engine): each branch is its own step with its command,
// output and evidence; a failing branch shows as failed; the parallel step's decision and
// its evidence follow the last branch.
import { describe, expect, it } from 'vitest';
import { applyEvent, startSession } from '../../src/engine/index.js';
import type { Catalog, Step } from '../../src/engine/model.js';
import type { CommandResult, Effect, EngineEvent, SessionState } from '../../src/engine/types.js';
import type { SessionEvent } from '../../src/session/events.js';
import { exportMarkdown } from '../../src/transcript/export-md.js';
import { exportShell } from '../../src/transcript/export-sh.js';
import { parseTranscript } from '../../src/transcript/reader.js';
import { buildSessionRecord } from '../../src/transcript/session-record.js';

const run = (argv: string[]) => ({ argv, target: { kind: 'workstation' as const }, timeoutMs: 1000, mutates: false });
const reads: Step = {
  id: 'read-around',
  title: 'Read pods and endpoints',
  why: 'both need only the Service',
  kind: 'parallel',
  parallel: [
    {
      id: 'read-pods', title: 'Read the pods', why: 'two workloads mix', as: 'pods', run: run(['kubectl', 'get', 'pods']),
      transitions: [{ when: 'pods.stdout.contains("two")', support: { overlap: 'the selector matches two workloads' } }],
    },
    { id: 'read-endpoints', title: 'Read the endpoints', why: 'where kube-proxy sends', as: 'ep', run: run(['kubectl', 'get', 'endpoints']), transitions: [] },
  ],
  transitions: [{ when: '!ep.ok', rule_out: { replica: 'no endpoints to single out' }, next: 'end' }],
};
const catalog: Catalog = {
  p: {
    id: 'p', title: 'P', summary: 'S', inputs: [], file: '/tmp/p.yaml',
    causes: ['overlap', 'replica'].map((id) => ({ id, title: id, explanation: '', fix: { text: '', commands: [] }, references: [] })),
    steps: [reads, { id: 'end', title: 'End', why: 'w', kind: 'conclude', conclude: { cause: 'inconclusive', evidence: 'done' }, transitions: [] }],
  },
};

function record(): string {
  const lines: string[] = [];
  let seq = 0;
  const emit = (e: SessionEvent) => lines.push(JSON.stringify({ v: 1, seq: ++seq, ts: `2026-11-24T10:00:0${Math.min(9, seq)}.000Z`, ...e }));
  emit({ type: 'session-start', sessionId: 's1', netwizVersion: 't', playbook: 'p', inputs: {}, options: { readOnly: false, dryRun: false, yes: true } });
  let t = startSession(catalog, 'p', {});
  const runs = t.effects.filter((e): e is Extract<Effect, { type: 'run' }> => e.type === 'run');
  for (const e of runs) emit({ type: 'effect', effect: e });
  for (const e of runs) emit({ type: 'command-start', effectId: e.id, argv: e.argv, target: e.target, startedAt: '2026-11-24T10:00:02.000Z' });
  const feed = (ev: EngineEvent) => {
    emit({ type: 'engine-event', event: ev });
    const before: SessionState = t.state;
    t = applyEvent(catalog, before, ev);
    if (t.state.history.length !== before.history.length) emit({ type: 'state', state: t.state });
    for (const e of t.effects) if (e.type === 'done') emit({ type: 'outcome', outcome: e.outcome });
  };
  const res = (p: Partial<CommandResult>): CommandResult => ({ exitCode: 0, stdout: '', stderr: '', durationMs: 30, timedOut: false, cancelled: false, ...p });
  // the endpoints fail first, then the pods answer
  feed({ type: 'command-finished', effectId: runs[1]!.id, result: res({ exitCode: 1, stderr: 'Error from server (Forbidden)' }) });
  feed({ type: 'command-finished', effectId: runs[0]!.id, result: res({ stdout: 'pods of two workloads\n' }) });
  emit({ type: 'session-end', status: t.state.status });
  return `${lines.join('\n')}\n`;
}

describe('exports of a parallel step', () => {
  const rec = buildSessionRecord(parseTranscript(record(), '/tmp/p.jsonl'));

  it('one step record per branch, in the order they were issued, each with its own decision', () => {
    expect(rec.steps.map((s) => [s.index, s.stepId, s.parallelOf, s.commands[0]!.status])).toEqual([
      [1, 'read-pods', 'read-around', 'ok'],
      [2, 'read-endpoints', 'read-around', 'failed'],
    ]);
    expect(rec.steps[0]!.decision).toMatchObject({ stepId: 'read-pods', parentStepId: 'read-around' });
    expect(rec.steps[1]!.parallelDecision).toMatchObject({ stepId: 'read-around', next: 'end', summary: '2 reads at once: 1 ok, 1 failed (read-endpoints)' });
  });

  it('Markdown: the group note, each command with its output, branch evidence, then the decision with its evidence', () => {
    const md = exportMarkdown(rec);
    expect(md).toContain('| 1 | 10:00:02 | ∥ Read the pods | `kubectl get pods` | exit 0 in 30 ms |');
    expect(md).toContain('| 2 | 10:00:03 | ∥ Read the endpoints | `kubectl get endpoints` | exit 1 in 30 ms |');
    const steps = md.slice(md.indexOf('## Steps'));
    expect(steps).toContain('*Steps 1–2 ran at the same time (parallel step `read-around`): independent reads, each with its own command, output and evidence.*');
    const pods = steps.slice(steps.indexOf('### 1.'), steps.indexOf('### 2.'));
    expect(pods).toContain('```sh\nkubectl get pods\n```');
    expect(pods).toContain('```text\npods of two workloads\n```');
    expect(pods).toContain('**Evidence:** support `overlap`: the selector matches two workloads');
    const ep = steps.slice(steps.indexOf('### 2.'), steps.indexOf('## Hypotheses'));
    expect(ep).toContain('Stderr:\n\n```text\nError from server (Forbidden)\n```');
    expect(ep).toContain('→ evidence only; parallel step `read-around` decides');
    expect(ep).toMatch(/\*\*Decision of `read-around` once every read finished:\*\* 2 reads at once: 1 ok, 1 failed \(read-endpoints\) → next: `end`\n\n\*\*Evidence:\*\* rule\\_out `replica`: no endpoints to single out/);
  });

  it('runbook: each branch a command of its own, marked as one of the parallel reads', () => {
    const sh = exportShell(rec);
    expect(sh.match(/# one of the independent reads of parallel step read-around: netwiz ran them at the same time/g)).toHaveLength(2);
    expect(sh).toContain('# decision of read-around once every read finished: 2 reads at once: 1 ok, 1 failed (read-endpoints) -> end');
  });
});
