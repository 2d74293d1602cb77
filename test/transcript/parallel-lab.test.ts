// A real lab diagnosis whose playbook reads in parallel (intermittent-connectivity's
// read-around-service and read-external-owners), recorded by `netwiz run`: every branch is
// its own step in the transcript record, the Markdown and the runbook; both branches were
// under way at once; folding the engine events over the snapshots gives the recorded states.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/playbook/index.js';
import { exportTranscript } from '../../src/transcript/export.js';
import { foldStates } from '../../src/transcript/fold.js';
import { loadTranscript, parseTranscript } from '../../src/transcript/reader.js';
import { planResume } from '../../src/transcript/resume.js';
import { buildSessionRecord } from '../../src/transcript/session-record.js';
import type { TestLab } from '../helpers/lab.js';
import { CLI_ENTRY as ENTRY, recordLabRun, type RecordedLabRun } from '../helpers/lab-run.js';

let lab: TestLab;
let dir: string;
let transcript: string;
let run: RecordedLabRun['run'];

beforeAll(async () => {
  // externalip-conflict goes through both parallel steps of the root playbook and arp-owners'
  ({ lab, dir, transcript, run } = await recordLabRun('externalip-conflict', 'nw-parexp-'));
}, 300_000);

afterAll(async () => {
  await lab?.stop();
});

describe('a lab session with parallel reads, recorded and exported', () => {
  it('concluded the scenario cause', () => {
    expect(run.stderr).toContain(`concluded: ${lab.expectedCause}`);
    expect(run.exitCode).toBe(0);
  });

  it('issued every branch before any of them finished, and records each as its own step', () => {
    const t = loadTranscript(transcript);
    expect(t.warnings).toEqual([]);
    // in the transcript: the effects of all three branches come before the first result
    const lines = t.events;
    const effectAt = (id: string) => lines.findIndex((l) => l.type === 'effect' && l.effect.type === 'run' && l.effect.stepId === id);
    const ids = ['read-kubeconfig', 'read-nodes', 'read-all-services'];
    const issued = ids.map(effectAt);
    expect(issued.every((i) => i >= 0)).toBe(true);
    const effectIds = new Set(ids.map((id) => (lines[effectAt(id)] as { effect: { id: string } }).effect.id));
    const firstDone = lines.findIndex((l) => l.type === 'engine-event' && l.event.type === 'command-finished' && effectIds.has(l.event.effectId));
    expect(Math.max(...issued)).toBeLessThan(firstDone);

    const rec = buildSessionRecord(t);
    const branches = rec.steps.filter((s) => s.parallelOf === 'read-external-owners');
    expect(branches.map((s) => s.stepId).sort()).toEqual([...ids].sort());
    for (const b of branches) {
      expect(b.commands).toHaveLength(1);
      expect(b.commands[0]!.status).toBe('ok');
      expect(b.decision).toMatchObject({ stepId: b.stepId, parentStepId: 'read-external-owners', next: null });
    }
    // the parallel step's own decision sits on its last branch record
    const last = rec.steps[rec.steps.indexOf(branches[branches.length - 1]!)]!;
    expect(last.parallelDecision).toMatchObject({ stepId: 'read-external-owners', kind: 'parallel', next: 'check-external-address' });
    expect(rec.steps.filter((s) => s.parallelOf === 'read-around-service').map((s) => s.stepId).sort()).toEqual(['read-endpoints', 'read-given-client', 'read-pods']);
    // the client pod was given: read beside the pods, so the sequential read-client never ran
    expect(rec.steps.some((s) => s.stepId === 'read-client')).toBe(false);
    // the sub-playbook's parallel step: ARP and the node's addresses, read at once on the node
    const arp = rec.steps.filter((s) => s.parallelOf === 'ask-arp-and-addresses');
    expect(arp.map((s) => [s.playbookId, s.stepId, s.commands[0]!.target.kind])).toEqual([
      ['arp-owners', 'arping', 'node'],
      ['arp-owners', 'node-addresses', 'node'],
    ]);
    // its decision (with both facts) gave the evidence that concluded the session
    const h = rec.hypotheses.find((x) => x.causeId === 'externalip-conflict')!;
    expect(h.status).toBe('confirmed');
    expect(h.evidence.map((e) => e.stepId)).toContain('ask-arp-and-addresses');
  });

  it('Markdown shows each branch with its command and output, and what the parallel step decided', () => {
    const md = exportTranscript(loadTranscript(transcript), 'md');
    expect(md).toMatch(/\*Steps \d+–\d+ ran at the same time \(parallel step `read-external-owners`\): independent reads/);
    expect(md).toMatch(/\| ∥ Compare the external addresses with the nodes' own \| `kubectl get nodes -o json`/);
    expect(md).toContain('### ');
    expect(md).toMatch(/Compare the external addresses with the nodes' own\n\n<sub>`intermittent-connectivity\/read-nodes`<\/sub>/);
    expect(md).toMatch(/```sh\nkubectl get nodes -o json\n```/);
    expect(md).toContain('→ evidence only; parallel step `read-external-owners` decides');
    expect(md).toMatch(/\*\*Decision of `read-external-owners` once every read finished:\*\* 3 reads at once: 3 ok → next: `check-external-address`/);
  });

  it('the runbook names the parallel reads and passes sh -n', () => {
    const f = join(dir, 'runbook.sh');
    const r = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, 'export', transcript, '--format', 'sh', '-o', f], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(spawnSync('sh', ['-n', f]).status).toBe(0);
    const sh = readFileSync(f, 'utf8');
    expect(sh).toContain('# one of the independent reads of parallel step read-external-owners: netwiz ran them at the same time');
    expect(sh).toContain('# decision of read-external-owners once every read finished: 3 reads at once: 3 ok -> check-external-address');
  });

  it('a session cut after the first branch finished resumes with only the other branches to run', () => {
    const text = readFileSync(transcript, 'utf8');
    const lines = text.split('\n').filter(Boolean);
    const parsed = lines.map((l) => JSON.parse(l) as { type: string; effect?: { id: string; stepId: string; parentStepId?: string }; event?: { type: string; effectId?: string } });
    const branchIds = new Set(parsed.filter((l) => l.type === 'effect' && l.effect?.parentStepId === 'read-external-owners').map((l) => l.effect!.id));
    const firstDone = parsed.findIndex((l) => l.type === 'engine-event' && l.event?.type === 'command-finished' && branchIds.has(l.event.effectId!));
    expect(firstDone).toBeGreaterThan(0);
    // keep the finished branch's line and the hypothesis/state lines written right after it
    let cut = firstDone + 1;
    while (cut < parsed.length && (parsed[cut]!.type === 'hypothesis' || parsed[cut]!.type === 'state')) cut++;
    const { catalog } = loadCatalog();
    const plan = planResume(parseTranscript(`${lines.slice(0, cut).join('\n')}\n`, transcript, { catalog }));
    const doneId = parsed[firstDone]!.event!.effectId!;
    expect(plan.state!.frames.at(-1)!.stepId).toBe('read-external-owners');
    expect(plan.reissue.map((e) => e.id).sort()).toEqual([...branchIds].filter((id) => id !== doneId).sort());
    expect(plan.reissue.every((e) => e.type === 'run' && e.parentStepId === 'read-external-owners')).toBe(true);
  });

  it('folding the recorded engine events reproduces every recorded state (replay, resume)', () => {
    const t = loadTranscript(transcript);
    const { catalog } = loadCatalog();
    const folded = foldStates(t.events, catalog);
    const snapshots = t.events.filter((l) => l.type === 'state');
    expect(folded.length).toBeGreaterThan(snapshots.length);
    const end = snapshots[snapshots.length - 1]!;
    const lastFolded = folded[folded.length - 1]!;
    expect(lastFolded.state.status).toBe('concluded');
    expect(lastFolded.state.history.map((x) => x.stepId)).toEqual((end as { state: { history: { stepId: string }[] } }).state.history.map((x) => x.stepId));
    // a state rebuilt in the middle of a parallel step: the frame waits on it with branches pending
    const mid = folded.find((f) => f.state.frames.at(-1)?.stepId === 'read-external-owners' && f.state.pending.length > 0);
    expect(mid).toBeDefined();
    expect(mid!.state.pending.every((e) => e.type === 'run' && e.parentStepId === 'read-external-owners')).toBe(true);
  });
});
