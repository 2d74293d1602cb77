// What the session driver tells observers (transcript writer, UI) as it happens.
// Transcript lines are these events, one JSON object per line, plus `ts` and `seq`.
import type { TargetSpec } from '../engine/model.js';
import type { Effect, EngineEvent, Hypothesis, Outcome, SessionState } from '../engine/types.js';

export type SessionEvent =
  | {
      type: 'session-start';
      sessionId: string;
      netwizVersion: string;
      playbook: string;
      inputs: Record<string, string>;
      context?: string;
      namespace?: string;
      kubeconfig?: string;
      options: { readOnly: boolean; dryRun: boolean; yes: boolean };
    }
  /** the engine issued an effect (a step shown to the operator / a command about to run) */
  | { type: 'effect'; effect: Effect }
  | { type: 'command-start'; effectId: string; argv: string[]; target: TargetSpec; startedAt: string }
  /** an event fed back to the engine (command finished, answer, skip, cancel, abort) */
  | { type: 'engine-event'; event: EngineEvent }
  | { type: 'hypothesis'; hypothesis: Hypothesis }
  | { type: 'mutation'; effectId: string; argv: string[]; undo?: string[]; journalId: string }
  | { type: 'restore'; journalId: string; argv: string[]; ok: boolean; detail?: string }
  | { type: 'outcome'; outcome: Outcome }
  /** a full engine state snapshot, written after each completed step so resume needs no re-run */
  | { type: 'state'; state: SessionState }
  | { type: 'session-end'; status: string };

export interface SessionObserver {
  onEvent(event: SessionEvent): void;
}
