// How the UI (or the non-interactive CLI) drives a session. Implemented by
// src/session/driver.ts; consumed by src/ui and src/cli/commands/run.ts.
import type { Catalog, TargetSpec } from '../engine/model.js';
import type { Effect, Outcome, SessionOptions, SessionState } from '../engine/types.js';
import type { ClusterOptions, Executor } from '../exec/types.js';
import type { SessionObserver } from './events.js';

export type RunEffect = Extract<Effect, { type: 'run' }>;
export type AskEffect = Extract<Effect, { type: 'ask' }>;

export type AskReply =
  | { type: 'answer'; value: string | boolean }
  | { type: 'skip'; reason: string }
  /** go back to the previous question (only offered while nothing was changed since) */
  | { type: 'back' }
  /** end the session (non-interactive mode with no answer for this question; UI quit) */
  | { type: 'abort'; reason: string };

export type MutationReply = 'yes' | 'no' | 'skip';

/** The operator, as the driver sees them. The non-interactive mode answers from
 * --answers / --yes; the TUI answers from key presses. */
export interface Interaction {
  ask(effect: AskEffect, state: SessionState): Promise<AskReply>;
  confirmMutation(effect: RunEffect, state: SessionState): Promise<MutationReply>;
  /** end of session with changes in the journal: restore them? */
  confirmRestore(changes: { argv: string[]; undo: string[] }[]): Promise<boolean>;
}

export interface DriverHooks {
  /** every new engine state (after each event) */
  onState?(state: SessionState): void;
  onCommandStart?(effect: RunEffect): void;
  /** streamed output; the UI coalesces it */
  onOutput?(effectId: string, chunk: string, stream: 'stdout' | 'stderr'): void;
  onCommandEnd?(effect: RunEffect): void;
}

/** The mutation journal as the driver uses it (src/exec/journal.ts createJournal()). */
export interface SessionJournal {
  record(e: {
    sessionId: string;
    argv: string[];
    undo: string[];
    target: TargetSpec;
    cluster: ClusterOptions;
  }): Promise<{ id: string }>;
  restoreSession(sessionId: string, executor: Executor): Promise<{ argv: string[]; ok: boolean; detail?: string }[]>;
  pending(sessionId: string): Promise<{ argv: string[]; undo: string[] }[]>;
}

/** RBAC preflight (src/exec/rbac.ts): `playbookId:stepId` → the permission that is missing. */
export type RbacPreflight = (catalog: Catalog, rootId: string) => Promise<Map<string, string>>;

export interface SessionConfig {
  sessionId: string;
  catalog: Catalog;
  rootPlaybook: string;
  inputs: Record<string, string>;
  options: SessionOptions & { yes: boolean };
  cluster: ClusterOptions;
  executor: Executor;
  interaction: Interaction;
  observers: SessionObserver[];
  hooks?: DriverHooks;
  /** resume from this state instead of starting fresh */
  resumeFrom?: SessionState;
  /** mutating commands are recorded here before they run; offered for restore at the end */
  journal?: SessionJournal;
  /** checked once before the first step; steps it marks are skipped with the reason */
  preflight?: RbacPreflight;
  /** where the full output of a command goes (transcript's outputFileFor); omitted = memory only */
  outputFile?: (effectId: string) => string;
}

export interface SessionHandle {
  readonly sessionId: string;
  /** current engine state */
  state(): SessionState;
  /** cancel one running command (UI key `c`/Esc, first SIGINT); the step takes its cancelled branch */
  cancel(effectId?: string): void;
  /** stop the session: cancel everything, offer restore, resolve `done` as aborted */
  abort(reason: string): void;
  readonly done: Promise<Outcome>;
}
