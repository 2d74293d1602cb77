// A session as a reviewer sees it, folded from the transcript's events: the header, one
// record per step (its commands, answers, decision), hypotheses, the outcome. Every
// exporter (md, json, sh) and `netwiz sessions` read this, never the raw lines, so they
// agree on what happened.
import type { QuestionSpec, TargetSpec } from '../engine/model.js';
import type {
  CommandResult,
  FactValue,
  HistoryEntry,
  Hypothesis,
  Outcome,
  SessionState,
} from '../engine/types.js';
import type { TranscriptExtras, TranscriptLine } from './format.js';
import type { LoadedTranscript } from './reader.js';

export type CommandStatus =
  | 'ok'
  | 'failed'
  | 'timed-out'
  | 'cancelled'
  | 'skipped'
  | 'spawn-failed'
  | 'not-finished';

export interface CommandRecord {
  effectId: string;
  argv: string[];
  target: TargetSpec;
  mutates: boolean;
  undo?: string[];
  item?: FactValue;
  startedAt?: string;
  finishedAt?: string;
  status: CommandStatus;
  result?: CommandResult;
  skipReason?: string;
  /** set when the driver recorded the change in the undo journal */
  journalId?: string;
  restored?: { ok: boolean; detail?: string; argv: string[] };
}

export interface StepRecord {
  /** 1-based, in the order steps were first shown */
  index: number;
  playbookId: string;
  stepId: string;
  title: string;
  why: string;
  kind: 'run' | 'ask';
  /** first line of this step */
  ts: string;
  commands: CommandRecord[];
  question?: QuestionSpec;
  answer?: string | boolean;
  /** an ask that was skipped / a step refused */
  skipped?: string;
  /** what the engine decided after the step (from the recorded state) */
  decision?: HistoryEntry;
  /** a branch of a parallel step: that step's id (its branches are consecutive records) */
  parallelOf?: string;
  /** on the last branch record of a parallel step: what the parallel step decided once all finished */
  parallelDecision?: HistoryEntry;
}

export type SessionRecordStatus = SessionState['status'] | 'interrupted';

export interface SessionRecord {
  transcript: string;
  sessionId: string;
  netwizVersion: string;
  playbook: string;
  playbookTitle?: string;
  /** the playbook's summary: the symptom it diagnoses */
  symptom?: string;
  inputs: Record<string, string>;
  context?: string;
  namespace?: string;
  kubeconfig?: string;
  options?: { readOnly: boolean; dryRun: boolean; yes: boolean };
  startedAt?: string;
  endedAt?: string;
  /** first to last line */
  durationMs?: number;
  /** outcome status, or `interrupted` when the transcript has no end (crash, kill) */
  status: SessionRecordStatus;
  outcome?: Outcome;
  cause?: TranscriptExtras['cause'];
  steps: StepRecord[];
  hypotheses: Hypothesis[];
  /** how many times `netwiz resume` continued it */
  resumes: number;
  warnings: string[];
}

function commandStatus(r: CommandResult): CommandStatus {
  if (r.spawnError) return 'spawn-failed';
  if (r.timedOut) return 'timed-out';
  if (r.cancelled) return 'cancelled';
  return r.exitCode === 0 ? 'ok' : 'failed';
}

/** Fold loaded transcript lines into a SessionRecord. Pure. */
export function buildSessionRecord(t: LoadedTranscript): SessionRecord {
  const rec: SessionRecord = {
    transcript: t.path,
    sessionId: '',
    netwizVersion: '',
    playbook: '',
    inputs: {},
    status: 'interrupted',
    steps: [],
    hypotheses: [],
    resumes: 0,
    warnings: [...t.warnings],
  };
  const byEffect = new Map<string, { step: StepRecord; cmd?: CommandRecord }>();
  const byJournal = new Map<string, CommandRecord>();
  const hyps = new Map<string, Hypothesis>();
  let lastState: SessionState | undefined;
  let ended = false;
  let endStatus: string | undefined;

  const stepFor = (line: TranscriptLine, playbookId: string, stepId: string, title: string, why: string, kind: 'run' | 'ask'): StepRecord => {
    // foreach items of one step arrive as consecutive effects of the same step id
    const last = rec.steps[rec.steps.length - 1];
    if (last && last.playbookId === playbookId && last.stepId === stepId && kind === 'run' && last.kind === 'run') {
      return last;
    }
    const s: StepRecord = { index: rec.steps.length + 1, playbookId, stepId, title, why, kind, ts: line.ts, commands: [] };
    rec.steps.push(s);
    return s;
  };

  for (const line of t.events) {
    switch (line.type) {
      case 'session-start':
        rec.sessionId = line.sessionId;
        rec.netwizVersion = line.netwizVersion;
        rec.playbook = line.playbook;
        rec.playbookTitle = line.playbookTitle;
        rec.symptom = line.playbookSummary;
        rec.inputs = line.inputs ?? {};
        rec.context = line.context;
        rec.namespace = line.namespace;
        rec.kubeconfig = line.kubeconfig;
        rec.options = line.options;
        // a resume that found no completed step starts the session again: keep the first time
        rec.startedAt ??= line.ts;
        break;
      case 'transcript-resume':
        rec.resumes++;
        break;
      case 'effect': {
        const e = line.effect;
        if (e.type === 'done') break;
        const known = byEffect.get(e.id);
        if (known) {
          // re-issued after a resume: the earlier attempt never finished
          if (known.cmd) known.cmd.status = 'not-finished';
          break;
        }
        if (e.type === 'run') {
          const step = stepFor(line, e.playbookId, e.stepId, e.title, e.why, 'run');
          if (e.parentStepId !== undefined) step.parallelOf = e.parentStepId;
          const cmd: CommandRecord = {
            effectId: e.id,
            argv: e.argv,
            target: e.target,
            mutates: e.mutates,
            status: 'not-finished',
          };
          if (e.undo) cmd.undo = e.undo;
          if (e.item !== undefined) cmd.item = e.item;
          step.commands.push(cmd);
          byEffect.set(e.id, { step, cmd });
        } else {
          const step = stepFor(line, e.playbookId, e.stepId, e.title, e.why, 'ask');
          step.question = e.question;
          byEffect.set(e.id, { step });
        }
        break;
      }
      case 'command-start': {
        const k = byEffect.get(line.effectId);
        if (k?.cmd) {
          k.cmd.startedAt = line.startedAt;
          // the argv that actually ran (rendered) wins over the effect's
          k.cmd.argv = line.argv;
          k.cmd.target = line.target;
        }
        break;
      }
      case 'engine-event': {
        const ev = line.event;
        if (ev.type === 'abort') break;
        const k = byEffect.get(ev.effectId);
        if (!k) break;
        if (ev.type === 'command-finished' && k.cmd) {
          k.cmd.result = ev.result;
          k.cmd.status = commandStatus(ev.result);
          k.cmd.finishedAt = line.ts;
        } else if (ev.type === 'answered') {
          k.step.answer = ev.value;
        } else if (ev.type === 'skipped') {
          if (k.cmd) {
            k.cmd.status = 'skipped';
            k.cmd.skipReason = ev.reason;
          } else k.step.skipped = ev.reason;
        } else if (ev.type === 'cancelled') {
          if (k.cmd) k.cmd.status = 'cancelled';
          else k.step.skipped = 'cancelled';
        }
        break;
      }
      case 'mutation': {
        const k = byEffect.get(line.effectId);
        if (k?.cmd) {
          k.cmd.journalId = line.journalId;
          if (line.undo) k.cmd.undo = line.undo;
          byJournal.set(line.journalId, k.cmd);
        }
        break;
      }
      case 'restore': {
        // the driver may name the session's journal rather than the entry: match the undo argv
        const same = (a: readonly string[] | undefined) => !!a && a.length === line.argv.length && a.every((x, i) => x === line.argv[i]);
        const c =
          byJournal.get(line.journalId) ??
          [...byJournal.values()].find((x) => !x.restored && same(x.undo)) ??
          rec.steps.flatMap((s) => s.commands).find((x) => x.mutates && !x.restored && same(x.undo));
        if (c) c.restored = { ok: line.ok, argv: line.argv, ...(line.detail ? { detail: line.detail } : {}) };
        break;
      }
      case 'hypothesis':
        hyps.set(line.hypothesis.causeId, line.hypothesis);
        break;
      case 'outcome':
        rec.outcome = line.outcome;
        if (line.cause) rec.cause = line.cause;
        break;
      case 'state':
        lastState = line.state;
        break;
      case 'session-end':
        ended = true;
        endStatus = line.status;
        rec.endedAt = line.ts;
        break;
    }
  }

  // decisions: the recorded history says what each step led to
  if (lastState) {
    const used = new Set<number>();
    for (const step of rec.steps) {
      let found: HistoryEntry | undefined;
      for (let i = 0; i < lastState.history.length; i++) {
        const h = lastState.history[i]!;
        if (used.has(i) || h.playbookId !== step.playbookId || h.stepId !== step.stepId) continue;
        used.add(i);
        found = h;
        break;
      }
      if (found) step.decision = found;
    }
    // a parallel step has no command of its own: its decision goes to its last branch record
    rec.steps.forEach((step, k) => {
      const after = rec.steps[k + 1];
      if (step.parallelOf === undefined || (after && after.parallelOf === step.parallelOf && after.playbookId === step.playbookId)) return;
      for (let i = 0; i < lastState!.history.length; i++) {
        const h = lastState!.history[i]!;
        if (used.has(i) || h.playbookId !== step.playbookId || h.stepId !== step.parallelOf) continue;
        used.add(i);
        step.parallelDecision = h;
        break;
      }
    });
    for (const h of Object.values(lastState.hypotheses)) hyps.set(h.causeId, h);
  }
  rec.hypotheses = [...hyps.values()];

  if (ended) {
    rec.status = (rec.outcome?.status ?? endStatus ?? 'aborted') as SessionRecordStatus;
  } else if (rec.outcome) {
    rec.status = rec.outcome.status;
  }
  const first = t.events[0];
  const last = t.events[t.events.length - 1];
  if (!rec.endedAt && last) rec.endedAt = last.ts;
  if (first && last) {
    const d = Date.parse(last.ts) - Date.parse(first.ts);
    if (Number.isFinite(d)) rec.durationMs = d;
  }
  if (!rec.sessionId) rec.warnings.push(`${t.path}: no session-start line (not a netwiz transcript, or its first line was lost)`);
  return rec;
}

/** Human duration: 850 ms, 12.3 s, 4 min 05 s, 1 h 02 min. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return 'unknown';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Where a command ran, in words: "workstation", "pod web-1 (ns shop)", "node node-2". */
export function describeTarget(t: TargetSpec, sessionNamespace?: string): string {
  if (t.kind === 'pod') {
    const ns = t.namespace ?? sessionNamespace;
    return `pod ${t.pod ?? '?'}${t.container ? `/${t.container}` : ''}${ns ? ` (ns ${ns})` : ''}`;
  }
  if (t.kind === 'node') return `node ${t.node ?? '?'}`;
  return 'workstation';
}
