// The session driver: runs the pure engine's effects in the real world and feeds the
// results back. Commands go through the executor (several at once when a foreach issues
// several), questions and mutation confirmations through the Interaction (one at a time:
// there is one operator), and every step of the way is told to the observers
// (transcript, UI). The engine decides; the driver only carries out and reports.
//
// Safety order for a mutating command: RBAC preflight answered (it runs in the background
// from the session's start; read-only steps do not wait for it, mutations and node targets
// do) and says no → not run; dry-run → not run; operator (or --yes) must agree; the journal
// must have recorded the undo first. A read-only step the preflight denies is reported
// skipped, as if it had not run, even when it ran before the answer came.
// At the end, whatever the journal still holds for this session is offered for restore.
// The driver closes the executor when the session ends (it deletes the pods it created).
import { applyEvent, checkAnswer, initialSessionState, startSession } from '../engine/index.js';
import type { CommandResult, Effect, EngineEvent, Hypothesis, Outcome, SessionState } from '../engine/types.js';
import { dryRunArgv, supportsServerDryRun } from '../exec/rbac.js';
import { NETWIZ_VERSION } from '../version.js';
import type { SessionEvent } from './events.js';
import type { AskEffect, RunEffect, SessionConfig, SessionHandle } from './types.js';

/** An answer the operator gives that does not fit the question is asked again, this often at most. */
const MAX_INVALID_ANSWERS = 20;

export function startDriver(config: SessionConfig): SessionHandle {
  const driver = new Driver(config);
  void driver.start();
  return driver.handle;
}

class Driver {
  private state!: SessionState;
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  /** asks and mutation confirmations, one after another */
  private operator: Promise<void> = Promise.resolve();
  /** questions answered since the last command ran, for `back` */
  private asked: { state: SessionState; effect: AskEffect }[] = [];
  private denied = new Map<string, string>();
  /** the RBAC preflight's answer; undefined once it came (or when there is none) */
  private preflightPending: Promise<void> | undefined;
  private finishing = false;
  private ended = false;
  private resolveDone!: (o: Outcome) => void;
  readonly handle: SessionHandle;

  constructor(private readonly cfg: SessionConfig) {
    const done = new Promise<Outcome>((resolve) => {
      this.resolveDone = resolve;
    });
    const self = this;
    this.handle = {
      sessionId: cfg.sessionId,
      state: () => self.state,
      cancel: (effectId?: string) => self.cancel(effectId),
      abort: (reason: string) => self.abort(reason),
      done,
    };
    // a state exists from the first moment, so state() never returns undefined
    this.state = cfg.resumeFrom ?? initialSessionState(cfg.rootPlaybook, cfg.options);
  }

  private emit(event: SessionEvent): void {
    for (const o of this.cfg.observers) {
      try {
        o.onEvent(event);
      } catch {
        // an observer that fails (disk full, closed UI) must not stop the diagnosis
      }
    }
  }

  async start(): Promise<void> {
    const { cfg } = this;
    this.emit({
      type: 'session-start',
      sessionId: cfg.sessionId,
      netwizVersion: NETWIZ_VERSION,
      playbook: cfg.rootPlaybook,
      inputs: cfg.inputs,
      ...(cfg.cluster.context !== undefined ? { context: cfg.cluster.context } : {}),
      ...(cfg.cluster.namespace !== undefined ? { namespace: cfg.cluster.namespace } : {}),
      ...(cfg.cluster.kubeconfig !== undefined ? { kubeconfig: cfg.cluster.kubeconfig } : {}),
      options: { readOnly: cfg.options.readOnly, dryRun: cfg.options.dryRun, yes: cfg.options.yes },
    });
    try {
      if (cfg.preflight) {
        // The preflight (one kubectl process, ~100 ms) runs beside the first steps instead of
        // before them: gate() holds back what must not run before its answer (mutations,
        // node targets) and runEffect() turns a step it denies into the same "RBAC
        // preflight: …" skip as before, even when the read-only command already ran.
        let settle!: () => void;
        this.preflightPending = new Promise<void>((r) => {
          settle = r;
        });
        let answer: Promise<Map<string, string>>;
        try {
          answer = Promise.resolve(cfg.preflight(cfg.catalog, cfg.rootPlaybook));
        } catch (e) {
          answer = Promise.reject(e);
        }
        answer
          .then(
            (denied) => {
              this.denied = denied;
            },
            () => {
              // without a preflight answer the commands themselves report what is forbidden
              this.denied = new Map();
            },
          )
          .finally(() => {
            this.preflightPending = undefined;
            settle();
          });
      }
      if (this.ended || this.finishing) return;
      if (cfg.resumeFrom) {
        // today's --read-only / --dry-run / --max-steps apply to the rest of the session
        const resumed: SessionState = {
          ...cfg.resumeFrom,
          options: { readOnly: cfg.options.readOnly, dryRun: cfg.options.dryRun, maxSteps: cfg.options.maxSteps },
        };
        this.setState(resumed, {});
        if (resumed.status !== 'running') {
          this.finish(resumed.outcome ?? { status: resumed.status, evidence: [] });
          return;
        }
        // what was outstanding when the session stopped is done again
        this.dispatch(resumed.pending);
        return;
      }
      const t = startSession(cfg.catalog, cfg.rootPlaybook, cfg.inputs, {
        readOnly: cfg.options.readOnly,
        dryRun: cfg.options.dryRun,
        maxSteps: cfg.options.maxSteps,
      });
      this.setState(t.state, {});
      this.dispatch(t.effects);
    } catch (e) {
      this.abort(`internal error: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  // ---- engine plumbing --------------------------------------------------------------

  private feed(event: EngineEvent): void {
    // told even after the end (a command killed by an abort), so the transcript has it
    this.emit({ type: 'engine-event', event });
    if (this.state.status !== 'running') return;
    const before = this.state;
    let t;
    try {
      t = applyEvent(this.cfg.catalog, before, event);
    } catch (e) {
      // the engine promises not to throw; if it does, end the session rather than hang
      t = applyEvent(this.cfg.catalog, before, { type: 'abort', reason: `internal error: ${e instanceof Error ? e.message : String(e)}` });
    }
    this.setState(t.state, before.hypotheses, before);
    this.dispatch(t.effects);
  }

  private setState(next: SessionState, prevHyp: Record<string, Hypothesis>, prev?: SessionState): void {
    this.state = next;
    this.cfg.hooks?.onState?.(next);
    for (const [key, h] of Object.entries(next.hypotheses)) {
      const old = prevHyp[key];
      if (!old || old.status !== h.status || old.evidence.length !== h.evidence.length) {
        this.emit({ type: 'hypothesis', hypothesis: h });
      }
    }
    if (!prev || next.history.length !== prev.history.length || next.status !== prev.status) {
      this.emit({ type: 'state', state: next });
    }
  }

  private dispatch(effects: Effect[]): void {
    for (const effect of effects) {
      this.emit({ type: 'effect', effect });
      if (effect.type === 'run') {
        this.asked = [];
        void this.runEffect(effect);
      } else if (effect.type === 'ask') {
        this.asked.push({ state: this.state, effect });
        this.onOperator(() => this.askEffect(effect, 0));
      } else {
        this.finish(effect.outcome);
      }
    }
  }

  private onOperator(task: () => Promise<void>): void {
    this.operator = this.operator.then(task).catch((e: unknown) => {
      this.abort(`the operator interaction failed: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  private isPending(effectId: string): boolean {
    return this.state.status === 'running' && this.state.pending.some((p) => p.id === effectId);
  }

  // ---- questions --------------------------------------------------------------------

  private async askEffect(effect: AskEffect, invalid: number): Promise<void> {
    if (!this.isPending(effect.id)) return;
    const reply = await this.cfg.interaction.ask(effect, this.state);
    if (!this.isPending(effect.id)) return;
    switch (reply.type) {
      case 'answer': {
        const checked = checkAnswer(effect.question, reply.value);
        if (!checked.ok) {
          if (invalid + 1 >= MAX_INVALID_ANSWERS) {
            this.abort(`no valid answer to step ${effect.stepId} (${effect.question.prompt}): ${checked.error}`);
            return;
          }
          await this.askEffect(effect, invalid + 1);
          return;
        }
        this.feed({ type: 'answered', effectId: effect.id, value: checked.value });
        return;
      }
      case 'skip':
        this.feed({ type: 'skipped', effectId: effect.id, reason: reply.reason });
        return;
      case 'abort':
        this.abort(reply.reason);
        return;
      case 'back': {
        // only questions answered since the last command can be undone: nothing ran since
        const current = this.asked.pop();
        const previous = this.asked.pop();
        if (!previous || current?.effect.id !== effect.id) {
          if (current) this.asked.push(current);
          await this.askEffect(effect, invalid);
          return;
        }
        this.asked.push(previous);
        const before = this.state;
        this.setState(previous.state, before.hypotheses, before);
        this.emit({ type: 'effect', effect: previous.effect });
        await this.askEffect(previous.effect, 0);
        return;
      }
    }
  }

  // ---- commands ---------------------------------------------------------------------

  private async runEffect(effect: RunEffect): Promise<void> {
    const controller = new AbortController();
    let settle!: () => void;
    const done = new Promise<void>((r) => {
      settle = r;
    });
    this.running.set(effect.id, { controller, done });
    try {
      // a read-only step may run before the preflight answered (gate); its answer still decides
      const ranAhead = this.preflightPending;
      const refusal = await this.gate(effect, controller.signal);
      if (refusal !== undefined) {
        this.running.delete(effect.id);
        if (controller.signal.aborted) this.feed({ type: 'cancelled', effectId: effect.id });
        else this.feed({ type: 'skipped', effectId: effect.id, reason: refusal });
        return;
      }
      const result = await this.execute(effect, controller.signal);
      if (ranAhead) {
        await ranAhead;
        const denied = this.rbacRefusal(effect);
        if (denied !== undefined) {
          // what the session decides is what it decided before the preflight ran in the
          // background: a step the preflight denies is skipped, whatever the command said
          this.running.delete(effect.id);
          this.feed({ type: 'skipped', effectId: effect.id, reason: denied });
          return;
        }
      }
      this.running.delete(effect.id);
      this.feed({ type: 'command-finished', effectId: effect.id, result });
    } catch (e) {
      this.running.delete(effect.id);
      this.feed({
        type: 'command-finished',
        effectId: effect.id,
        result: { exitCode: null, stdout: '', stderr: '', durationMs: 0, timedOut: false, cancelled: false, spawnError: errorText(e) },
      });
    } finally {
      settle();
    }
  }

  /** Why this command must not run (skipped with that reason), or undefined to run it. */
  private async gate(effect: RunEffect, signal: AbortSignal): Promise<string | undefined> {
    const { cfg } = this;
    // A change, and a node target (netwiz creates a privileged pod for it), wait for the
    // preflight's answer. A read-only command on the workstation or in an existing pod may
    // start at once: runEffect() applies the answer to its result.
    if (this.preflightPending && (effect.mutates || effect.target.kind === 'node')) {
      await this.preflightPending;
      if (signal.aborted) return 'cancelled';
      if (!this.isPending(effect.id)) return 'the session ended first';
    }
    const denied = this.rbacRefusal(effect);
    if (denied !== undefined) return denied;
    if (!effect.mutates) return undefined;
    // the engine never issues these under --read-only; a resumed session may still hold one
    if (cfg.options.readOnly) return `read-only: not running ${effect.argv.join(' ')}`;
    if (cfg.options.dryRun) return this.dryRun(effect, signal);
    if (!cfg.options.yes) {
      let reply: 'yes' | 'no' | 'skip' = 'no';
      await new Promise<void>((resolve) => {
        this.onOperator(async () => {
          try {
            if (this.isPending(effect.id) && !signal.aborted) reply = await cfg.interaction.confirmMutation(effect, this.state);
          } finally {
            resolve();
          }
        });
      });
      if (signal.aborted) return 'cancelled';
      if (reply === 'no') return 'the operator declined to run this change';
      if (reply === 'skip') return 'skipped by the operator';
    }
    if (!this.isPending(effect.id)) return 'the session ended first';
    let journalId = 'none';
    if (cfg.journal && effect.undo && effect.undo.length > 0) {
      try {
        journalId = (
          await cfg.journal.record({ sessionId: cfg.sessionId, argv: effect.argv, undo: effect.undo, target: effect.target, cluster: cfg.cluster })
        ).id;
      } catch (e) {
        // a change that cannot be put back automatically is not made
        return `could not record the undo in the journal (${errorText(e)}); not changing anything`;
      }
    }
    this.emit({ type: 'mutation', effectId: effect.id, argv: effect.argv, ...(effect.undo ? { undo: effect.undo } : {}), journalId });
    return undefined;
  }

  /** The preflight's refusal of this step, once it answered. */
  private rbacRefusal(effect: RunEffect): string | undefined {
    const denied = this.denied.get(`${effect.playbookId}:${effect.stepId}`);
    return denied === undefined ? undefined : `RBAC preflight: ${denied}`;
  }

  /** Dry-run: the change is not made; kubectl rehearses it server-side where it can (permissions, validation). */
  private async dryRun(effect: RunEffect, signal: AbortSignal): Promise<string> {
    const would = `dry-run: would run ${effect.argv.join(' ')}`;
    if (!supportsServerDryRun(effect.argv)) return would;
    const r = await this.execute({ ...effect, argv: dryRunArgv(effect.argv) }, signal);
    const verdict =
      r.exitCode === 0
        ? 'the server accepted it (--dry-run=server)'
        : `the server refused it (--dry-run=server): ${(r.spawnError ?? (r.stderr || r.stdout).trim().split('\n')[0]) || `exit ${r.exitCode}`}`;
    return `${would}; ${verdict}`;
  }

  private async execute(effect: RunEffect, signal: AbortSignal): Promise<CommandResult> {
    const { cfg } = this;
    cfg.hooks?.onCommandStart?.(effect);
    this.emit({ type: 'command-start', effectId: effect.id, argv: effect.argv, target: effect.target, startedAt: new Date().toISOString() });
    const onOutput = cfg.hooks?.onOutput;
    let result: CommandResult;
    try {
      result = await cfg.executor.run({
        argv: effect.argv,
        target: effect.target,
        timeoutMs: effect.timeoutMs,
        signal,
        ...(onOutput ? { onOutput: (chunk: string, stream: 'stdout' | 'stderr') => onOutput(effect.id, chunk, stream) } : {}),
        ...(cfg.outputFile ? { outputFile: cfg.outputFile(effect.id) } : {}),
      });
    } catch (e) {
      result = { exitCode: null, stdout: '', stderr: '', durationMs: 0, timedOut: false, cancelled: signal.aborted, spawnError: errorText(e) };
    }
    // whatever the executor says, a command we cancelled is a cancelled command
    if (signal.aborted && !result.cancelled) result = { ...result, cancelled: true };
    cfg.hooks?.onCommandEnd?.(effect);
    return result;
  }

  // ---- cancel, abort, end -----------------------------------------------------------

  private cancel(effectId?: string): void {
    for (const [id, r] of this.running) {
      if (effectId === undefined || id === effectId) r.controller.abort();
    }
  }

  private abort(reason: string): void {
    if (this.ended || this.state.status !== 'running') {
      // nothing left to decide; still stop whatever runs
      this.cancel();
      return;
    }
    this.cancel();
    if (this.state.frames.length === 0) {
      // aborted before the engine started (during preflight)
      const outcome: Outcome = { status: 'aborted', evidence: [], reason };
      this.state = { ...this.state, status: 'aborted', outcome };
      this.emit({ type: 'engine-event', event: { type: 'abort', reason } });
      this.finish(outcome);
      return;
    }
    this.feed({ type: 'abort', reason });
  }

  private finish(outcome: Outcome): void {
    if (this.finishing) return;
    this.finishing = true;
    this.emit({ type: 'outcome', outcome });
    void this.wrapUp(outcome);
  }

  private async wrapUp(outcome: Outcome): Promise<void> {
    const { cfg } = this;
    // commands still running (an abort) are cancelled; wait until they are gone
    this.cancel();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
    if (cfg.journal) {
      try {
        const changes = await cfg.journal.pending(cfg.sessionId);
        if (changes.length > 0 && (await cfg.interaction.confirmRestore(changes))) {
          const results = await cfg.journal.restoreSession(cfg.sessionId, cfg.executor);
          for (const r of results) {
            this.emit({ type: 'restore', journalId: cfg.sessionId, argv: r.argv, ok: r.ok, ...(r.detail !== undefined ? { detail: r.detail } : {}) });
          }
        }
      } catch (e) {
        this.emit({ type: 'restore', journalId: cfg.sessionId, argv: [], ok: false, detail: `restore failed: ${errorText(e)}; run netwiz undo` });
      }
    }
    try {
      await cfg.executor.close();
    } catch {
      // the next start sweeps what could not be deleted now
    }
    this.ended = true;
    this.emit({ type: 'session-end', status: outcome.status });
    this.resolveDone(outcome);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
