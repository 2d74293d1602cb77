// Rebuilding engine states from a transcript. The writer keeps full `state` snapshots
// sparse (they hold every fact and the whole history, so writing one per step made a
// session's transcript cost grow with the square of its length); every engine event is on
// a line of its own, and the engine is pure, so the state after any step is the nearest
// snapshot before it with the recorded events folded over it through `applyEvent`.
import { createHash } from 'node:crypto';
import { applyEvent } from '../engine/index.js';
import { reachableCatalog } from '../engine/reachable.js';
import type { Catalog, Playbook } from '../engine/model.js';
import type { SessionState } from '../engine/types.js';
import type { TranscriptLine } from './format.js';

/** One state to step through: after a completed step (or as written in a snapshot line). */
export interface FoldedState {
  /** seq of the last line of the step: the `state` line, or the engine event and the hypothesis lines after it */
  seq: number;
  ts: string;
  state: SessionState;
  /** true when folded from events (no `state` line at this point) */
  rebuilt: boolean;
}

/** Playbooks a session can reach from its root, sorted by id (what the transcript hashes). */
export function reachablePlaybooks(catalog: Catalog, rootId: string): Playbook[] {
  return Object.values(reachableCatalog(catalog, rootId)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * A hash of the playbooks reachable from the root, as the engine sees them (normalised,
 * without the path they were loaded from): equal hashes mean folding events gives the
 * states the session had.
 */
export function playbooksHash(catalog: Catalog, rootId: string): string {
  const h = createHash('sha256');
  for (const pb of reachablePlaybooks(catalog, rootId)) {
    const { file: _file, ...rest } = pb as Playbook & { file?: string };
    h.update(JSON.stringify(rest));
    h.update('\n');
  }
  return `sha256:${h.digest('hex')}`;
}

/**
 * The states of a session: one per `state` line, and — with a catalog — one per completed
 * step between them, folded from the engine events (exactly where the driver emitted a
 * `state` event: a step completed or the session ended). Without a catalog only the
 * snapshot lines are returned.
 */
export function foldStates(events: readonly TranscriptLine[], catalog: Catalog | undefined): FoldedState[] {
  const out: FoldedState[] = [];
  let cur: SessionState | undefined;
  // index in `out` of a rebuilt state still taking the hypothesis lines that follow its event
  let open = -1;
  for (const e of events) {
    if (e.type === 'state') {
      const last = open >= 0 ? out[open] : undefined;
      if (last && last.state.history.length === e.state.history.length && last.state.status === e.state.status) {
        // the snapshot of the step just folded: the recorded state wins
        out[open] = { seq: e.seq, ts: e.ts, state: e.state, rebuilt: false };
      } else {
        out.push({ seq: e.seq, ts: e.ts, state: e.state, rebuilt: false });
      }
      open = -1;
      cur = e.state;
      continue;
    }
    if (e.type === 'hypothesis' && open >= 0) {
      // the hypothesis lines the driver writes after a step belong to it
      out[open] = { ...out[open]!, seq: e.seq, ts: e.ts };
      continue;
    }
    open = -1;
    if (e.type !== 'engine-event' || !cur || !catalog || cur.status !== 'running') continue;
    if (e.event.type === 'command-finished' && trimmedByWriter(e.event.result)) {
      // the line holds only the head and tail of this output: folding it could decide
      // otherwise than the session did. The writer snapshots the state right after such a
      // step; until that line, nothing more is rebuilt (a resume runs the step again).
      cur = undefined;
      continue;
    }
    const before = cur;
    let next: SessionState;
    try {
      next = applyEvent(catalog, before, e.event).state;
    } catch (err) {
      // what the driver does when the engine throws
      next = applyEvent(catalog, before, { type: 'abort', reason: `internal error: ${err instanceof Error ? err.message : String(err)}` }).state;
    }
    cur = next;
    if (next.history.length !== before.history.length || next.status !== before.status) {
      out.push({ seq: e.seq, ts: e.ts, state: next, rebuilt: true });
      open = out.length - 1;
    }
  }
  return out;
}

const WRITER_TRIM_MARK = /\n\[… \d+ characters omitted; whole output in /;

function trimmedByWriter(r: { stdout?: unknown; stderr?: unknown }): boolean {
  return (typeof r.stdout === 'string' && WRITER_TRIM_MARK.test(r.stdout)) || (typeof r.stderr === 'string' && WRITER_TRIM_MARK.test(r.stderr));
}

/** Whether folding is needed at all: engine events after the first snapshot. */
export function needsFold(events: readonly TranscriptLine[]): boolean {
  let seenState = false;
  for (const e of events) {
    if (e.type === 'state') seenState = true;
    else if (seenState && e.type === 'engine-event') return true;
  }
  return false;
}
