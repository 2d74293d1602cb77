// Resuming an interrupted session: the engine state is the one after the last completed
// step — the last `state` snapshot with the engine events after it folded over it through
// the engine (reader.ts / fold.ts) — never from re-running commands. Effects that were
// pending in that snapshot — the step that was running when the session died — are
// issued again; whatever they printed before the crash does not count.
import type { Effect, SessionState } from '../engine/types.js';
import type { SessionObserver } from '../session/events.js';
import type { LineOf } from './format.js';
import type { LoadedTranscript } from './reader.js';

export interface ResumePlan {
  start: LineOf<'session-start'>;
  /** the state to hand to the driver (SessionConfig.resumeFrom); undefined = no step completed, start over */
  state?: SessionState;
  /** seq of the state used (a `state` line, or the last line of a rebuilt step) */
  fromStateSeq: number | null;
  /** effects the driver runs again (the unfinished step) */
  reissue: Effect[];
  /** steps completed before the interruption (history entries) */
  completedSteps: number;
  /** effect ids whose results were recorded after the snapshot and are dropped */
  discarded: string[];
  /**
   * the engine had already ended (concluded/inconclusive/aborted) when the process died,
   * before the end was recorded: nothing runs again, `closeFinished` writes the end lines
   */
  finished: boolean;
  /** finished, and the `outcome` line itself is missing */
  missingOutcome: boolean;
  warnings: string[];
}

export class ResumeError extends Error {}

/** Decide how to continue a transcript; throws ResumeError with what to do instead. */
export function planResume(t: LoadedTranscript): ResumePlan {
  const start = t.events.find((e): e is LineOf<'session-start'> => e.type === 'session-start');
  if (!start) {
    throw new ResumeError(
      `${t.path}: no session-start line, so there is no session to resume (is this a netwiz transcript?)`,
    );
  }
  const end = t.events.find((e) => e.type === 'session-end');
  if (end && end.type === 'session-end') {
    throw new ResumeError(
      `${t.path}: this session already ended (${end.status}); nothing to resume. ` +
        `Review it with: netwiz replay ${t.path}  or  netwiz export ${t.path} --format md`,
    );
  }
  const snap = t.states[t.states.length - 1];
  const finished = snap !== undefined && snap.state.status !== 'running';
  const discarded: string[] = [];
  if (snap) {
    for (const e of t.events) {
      if (e.seq > snap.seq && e.type === 'engine-event' && e.event.type !== 'abort') discarded.push(e.event.effectId);
    }
  }
  return {
    start,
    ...(snap ? { state: snap.state } : {}),
    fromStateSeq: snap ? snap.seq : null,
    reissue: snap ? snap.state.pending.filter((e) => e.type !== 'done') : [],
    completedSteps: snap ? snap.state.history.length : 0,
    discarded,
    finished,
    missingOutcome: finished && !t.events.some((e) => e.type === 'outcome'),
    warnings: [...t.warnings],
  };
}

/**
 * A session that ended in the engine but died before its end was written: record the
 * outcome (when missing) and the end, so the transcript reads as finished.
 */
export function closeFinished(plan: ResumePlan, observer: SessionObserver): void {
  const state = plan.state;
  if (!plan.finished || !state) return;
  if (plan.missingOutcome && state.outcome) observer.onEvent({ type: 'outcome', outcome: state.outcome });
  observer.onEvent({ type: 'session-end', status: state.status });
}
