// The bridge between the session driver and the Ink screens. The driver talks to an
// Interaction (promises) and DriverHooks (callbacks); the screens read one immutable
// snapshot through useSyncExternalStore. Output chunks are appended to bounded tails at
// once but published at most every `flushMs`, so a flood of output costs one render per
// tick rather than one per chunk.
import type { AskReply, DriverHooks, Interaction, MutationReply, AskEffect, RunEffect } from '../session/types.js';
import type { Catalog } from '../engine/model.js';
import type { Outcome, SessionState } from '../engine/types.js';
import { TailBuffer, type TailSnapshot } from './output-tail.js';

export type Prompt =
  | { kind: 'ask'; effect: AskEffect; resolve: (reply: AskReply) => void }
  | { kind: 'mutation'; effect: RunEffect; resolve: (reply: MutationReply) => void }
  | { kind: 'restore'; changes: { argv: string[]; undo: string[] }[]; resolve: (yes: boolean) => void };

export interface RunningCommand {
  effect: RunEffect;
  startedAt: number;
  tail: TailSnapshot;
}

export interface EndedCommand {
  effect: RunEffect;
  tail: TailSnapshot;
  durationMs: number;
}

export interface WizardSnapshot {
  phase: 'start' | 'session' | 'ended';
  catalog: Catalog | null;
  /** where the transcript is written, shown at the end */
  transcriptPath: string | null;
  session: SessionState | null;
  running: RunningCommand[];
  /** the last command that finished, shown until the next step starts */
  lastEnded: EndedCommand | null;
  prompt: Prompt | null;
  outcome: Outcome | null;
  /** the operator's answer to the restore offer, once given */
  restoreAnswer: boolean | null;
  /** set when the session could not run at all */
  error: string | null;
  /** questions answered so far; `b` is offered only when there is one to go back to */
  answeredQuestions: number;
}

export interface WizardStoreOptions {
  flushMs?: number;
  tailLines?: number;
  now?: () => number;
}

export class WizardStore {
  private snap: WizardSnapshot = {
    phase: 'start',
    catalog: null,
    transcriptPath: null,
    session: null,
    running: [],
    lastEnded: null,
    prompt: null,
    outcome: null,
    restoreAnswer: null,
    error: null,
    answeredQuestions: 0,
  };
  private listeners = new Set<() => void>();
  private tails = new Map<string, { effect: RunEffect; startedAt: number; buffer: TailBuffer }>();
  private flushTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly flushMs: number;
  private readonly tailLines: number;
  private readonly now: () => number;

  constructor(opts: WizardStoreOptions = {}) {
    this.flushMs = opts.flushMs ?? 70;
    this.tailLines = opts.tailLines ?? 200;
    this.now = opts.now ?? Date.now;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): WizardSnapshot => this.snap;

  private set(patch: Partial<WizardSnapshot>): void {
    this.snap = { ...this.snap, ...patch };
    for (const l of this.listeners) l();
  }

  private runningSnapshot(): RunningCommand[] {
    return [...this.tails.values()].map((t) => ({ effect: t.effect, startedAt: t.startedAt, tail: t.buffer.snapshot() }));
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = null;
      this.set({ running: this.runningSnapshot() });
    }, this.flushMs);
    this.flushTimer.unref?.();
  }

  private flushNow(): void {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
  }

  /** When set (quit, Ctrl-C), the end-of-session restore offer is answered yes at once. */
  private autoRestore = false;

  beginSession(catalog: Catalog, transcriptPath: string | null): void {
    this.set({ phase: 'session', error: null, catalog, transcriptPath });
  }

  restoreWithoutAsking(): void {
    this.autoRestore = true;
  }

  fail(message: string): void {
    this.set({ phase: 'ended', error: message });
  }

  end(outcome: Outcome | null): void {
    this.flushNow();
    this.tails.clear();
    this.set({ phase: 'ended', running: [], prompt: null, outcome: outcome ?? this.snap.outcome });
  }

  /** Answer the open prompt (from a key press). */
  reply(reply: AskReply | MutationReply | boolean): void {
    const p = this.snap.prompt;
    if (!p) return;
    if (p.kind === 'ask' && typeof reply === 'object') {
      const answered = reply.type === 'answer' ? this.snap.answeredQuestions + 1 : reply.type === 'back' ? Math.max(0, this.snap.answeredQuestions - 1) : this.snap.answeredQuestions;
      this.set({ prompt: null, answeredQuestions: answered });
      p.resolve(reply);
    } else if (p.kind === 'mutation' && typeof reply === 'string') {
      this.set({ prompt: null });
      p.resolve(reply);
    } else if (p.kind === 'restore' && typeof reply === 'boolean') {
      this.set({ prompt: null, restoreAnswer: reply });
      p.resolve(reply);
    }
  }

  /** Before aborting: settle an open question so the driver is not left waiting.
   * Nothing new may run, and a restore offer is answered yes (never leave changes behind). */
  settleForAbort(): void {
    const p = this.snap.prompt;
    if (!p) return;
    if (p.kind === 'ask') this.reply({ type: 'skip', reason: 'operator quit' });
    else if (p.kind === 'mutation') this.reply('no');
    else this.reply(true);
  }

  readonly interaction: Interaction = {
    ask: (effect, state) =>
      new Promise<AskReply>((resolve) => {
        this.set({ session: state, prompt: { kind: 'ask', effect, resolve }, lastEnded: null });
      }),
    confirmMutation: (effect, state) =>
      new Promise<MutationReply>((resolve) => {
        this.set({ session: state, prompt: { kind: 'mutation', effect, resolve }, lastEnded: null });
      }),
    confirmRestore: (changes) =>
      new Promise<boolean>((resolve) => {
        if (this.autoRestore) {
          this.set({ restoreAnswer: true });
          resolve(true);
          return;
        }
        this.set({ prompt: { kind: 'restore', changes, resolve } });
      }),
  };

  readonly hooks: DriverHooks = {
    onState: (state) => {
      this.set({ session: state, outcome: state.outcome ?? this.snap.outcome });
    },
    onCommandStart: (effect) => {
      this.tails.set(effect.id, { effect, startedAt: this.now(), buffer: new TailBuffer(this.tailLines) });
      this.set({ running: this.runningSnapshot(), lastEnded: null });
    },
    onOutput: (effectId, chunk) => {
      const t = this.tails.get(effectId);
      if (!t) return;
      t.buffer.append(chunk);
      this.scheduleFlush();
    },
    onCommandEnd: (effect) => {
      const t = this.tails.get(effect.id);
      this.tails.delete(effect.id);
      if (this.tails.size === 0) this.flushNow();
      const ended: EndedCommand | null = t ? { effect, tail: t.buffer.snapshot(), durationMs: this.now() - t.startedAt } : null;
      this.set({ running: this.runningSnapshot(), lastEnded: ended ?? this.snap.lastEnded });
    },
  };
}
