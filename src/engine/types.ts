// Session state, effects and events of the pure engine. Contract shared by engine/,
// session/ (the driver that runs effects), ui/ and transcript/. Everything here is
// plain JSON so a session can be saved, resumed and replayed.
import type { TargetSpec, QuestionSpec } from './model.js';

/** Facts are JSON values. Integers are stored as JS numbers; engine/expr converts them
 * to CEL ints (BigInt) on evaluation so `x + 1` and `x > 1300` both work. */
export type FactValue = null | boolean | number | string | FactValue[] | { [k: string]: FactValue };
export type Facts = Record<string, FactValue>;

export type HypothesisStatus = 'open' | 'supported' | 'ruled-out' | 'confirmed';

export interface EvidenceEntry {
  /** history sequence number of the step that produced it */
  seq: number;
  stepId: string;
  playbookId: string;
  effect: 'support' | 'rule_out' | 'confirm';
  text: string;
}

export interface Hypothesis {
  causeId: string;
  /** playbook that declared it */
  playbookId: string;
  status: HypothesisStatus;
  evidence: EvidenceEntry[];
}

/** What a finished command reports back (from session/ + exec/). */
export interface CommandResult {
  /** null when it never exited normally (spawn failure, killed) */
  exitCode: number | null;
  /** bounded: the executor keeps the head and tail; the full text is on disk */
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
  /** spawn failed: ENOENT, EACCES… */
  spawnError?: string;
  /** true when stdout/stderr above were cut to the in-memory window */
  truncated?: boolean;
  /** path of the full output on disk, when kept */
  outputFile?: string;
  /** how the target was reached, e.g. 'exec', 'debug-container', 'node-pod' */
  via?: string;
}

/** One outstanding request to the outside world. `id` is unique within a session. */
export type Effect =
  | {
      type: 'run';
      id: string;
      playbookId: string;
      stepId: string;
      title: string;
      why: string;
      argv: string[];
      target: TargetSpec;
      timeoutMs: number;
      mutates: boolean;
      undo?: string[];
      /** a branch of a parallel step: that step's id (`stepId` is then the branch id) */
      parentStepId?: string;
      /** foreach: the item this run is for */
      item?: FactValue;
      index?: number;
    }
  | {
      type: 'ask';
      id: string;
      playbookId: string;
      stepId: string;
      title: string;
      why: string;
      question: QuestionSpec;
    }
  | { type: 'done'; id: string; outcome: Outcome };

export type EngineEvent =
  | { type: 'command-finished'; effectId: string; result: CommandResult }
  | { type: 'answered'; effectId: string; value: string | boolean }
  /** operator skipped the step (key `s`), or the driver refused it (read-only, RBAC) */
  | { type: 'skipped'; effectId: string; reason: string }
  | { type: 'cancelled'; effectId: string }
  | { type: 'abort'; reason: string };

export type SessionStatus = 'running' | 'concluded' | 'inconclusive' | 'aborted';

export interface Outcome {
  status: Exclude<SessionStatus, 'running'>;
  /** cause id when concluded */
  cause?: string;
  evidence: string[];
  /** what to try next, for inconclusive */
  next?: string;
  reason?: string;
  /** hypothesis ids ruled out by the end of the session (mostly for inconclusive) */
  ruledOut?: string[];
}

export interface HistoryEntry {
  seq: number;
  playbookId: string;
  stepId: string;
  kind: string;
  /** short human summary of what happened: "exit 0 in 120 ms", "answered yes", "skipped: …" */
  summary: string;
  /** step id taken next, or null when the frame ended */
  next: string | null;
  /** CEL/template problems met while deciding (never fatal) */
  warnings?: string[];
  /** a branch of a parallel step: that step's id (`next` is then null: the parallel step decides) */
  parentStepId?: string;
}

export interface Frame {
  playbookId: string;
  /** current step id */
  stepId: string;
  facts: Facts;
  /** step id in the parent frame that called this one */
  callerStepId?: string;
  /** foreach bookkeeping for the current step */
  foreach?: {
    items: FactValue[];
    nextIndex: number;
    running: number;
    results: (FactValue | undefined)[];
    /** warnings met on items so far, reported when the step completes */
    warnings?: string[];
  };
}

export interface SessionOptions {
  readOnly: boolean;
  dryRun: boolean;
  maxSteps: number;
}

export interface SessionState {
  version: 1;
  rootPlaybook: string;
  status: SessionStatus;
  /** call stack; last is the active frame */
  frames: Frame[];
  hypotheses: Record<string, Hypothesis>;
  history: HistoryEntry[];
  /** effects issued and not yet answered */
  pending: Effect[];
  stepsTaken: number;
  nextEffectSeq: number;
  options: SessionOptions;
  outcome?: Outcome;
}

export interface Transitioned {
  state: SessionState;
  /** new effects to carry out (the driver runs all of them; several = may run in parallel) */
  effects: Effect[];
}
