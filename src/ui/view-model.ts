// Pure derivations from the engine's SessionState and the playbook catalog to what the
// screens show. No diagnosis here: statuses, evidence and outcomes are the engine's.
import type { Catalog, Cause, ParallelBranch, TargetSpec } from '../engine/model.js';
import type { FactValue, HistoryEntry, HypothesisStatus, SessionState } from '../engine/types.js';

export interface HypothesisRow {
  key: string;
  causeId: string;
  title: string;
  status: HypothesisStatus;
  /** the evidence line that last changed its status */
  evidence?: string;
}

const STATUS_ORDER: Record<HypothesisStatus, number> = { confirmed: 0, supported: 1, open: 2, 'ruled-out': 3 };

export function findCause(catalog: Catalog, playbookId: string, causeId: string): Cause | undefined {
  return catalog[playbookId]?.causes.find((c) => c.id === causeId);
}

/** Every hypothesis, in the playbook's declared order (root playbook first). */
export function hypothesisRows(state: SessionState, catalog: Catalog): HypothesisRow[] {
  const declared = (playbookId: string, causeId: string): number => {
    const pb = catalog[playbookId];
    const i = pb ? pb.causes.findIndex((c) => c.id === causeId) : -1;
    return (playbookId === state.rootPlaybook ? 0 : 1000) + (i < 0 ? 999 : i);
  };
  return Object.entries(state.hypotheses)
    .map(([key, h]) => {
      const row: HypothesisRow = {
        key,
        causeId: h.causeId,
        title: findCause(catalog, h.playbookId, h.causeId)?.title ?? h.causeId,
        status: h.status,
      };
      const last = h.evidence[h.evidence.length - 1];
      if (last) row.evidence = last.text;
      return { row, order: declared(h.playbookId, h.causeId) };
    })
    .sort((a, b) => a.order - b.order)
    .map((x) => x.row);
}

/** Rows that fit in `maxRows`: when too many, open ones collapse into one summary row. */
export function fitHypotheses(rows: HypothesisRow[], maxRows: number): { shown: HypothesisRow[]; collapsedOpen: string[] } {
  if (rows.length <= maxRows) return { shown: rows, collapsedOpen: [] };
  const notOpen = rows.filter((r) => r.status !== 'open');
  const open = rows.filter((r) => r.status === 'open');
  const room = Math.max(0, maxRows - 1);
  const shown = [...notOpen]
    .sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status])
    .slice(0, room);
  return { shown, collapsedOpen: open.map((r) => r.causeId) };
}

export function stepTitle(catalog: Catalog, playbookId: string, stepId: string): string {
  return catalog[playbookId]?.steps.find((s) => s.id === stepId)?.title ?? branchOf(catalog, playbookId, stepId)?.title ?? stepId;
}

/** A branch of a parallel step, by its id (branch ids are unique among a playbook's step ids). */
function branchOf(catalog: Catalog, playbookId: string, branchId: string): ParallelBranch | undefined {
  for (const s of catalog[playbookId]?.steps ?? []) {
    if (s.kind !== 'parallel') continue;
    const b = s.parallel.find((x) => x.id === branchId);
    if (b) return b;
  }
  return undefined;
}

export function targetLabel(target: TargetSpec, defaultNamespace?: string): string {
  switch (target.kind) {
    case 'workstation':
      return 'this workstation';
    case 'node':
      return `node ${target.node ?? '?'}`;
    case 'pod': {
      const ns = target.namespace ?? defaultNamespace;
      const c = target.container ? ` (container ${target.container})` : '';
      return `pod ${ns ? `${ns}/` : ''}${target.pod ?? '?'}${c}`;
    }
  }
}

// Fields every run fact has; the parser's own fields are what the operator wants to see.
const RUN_BOOKKEEPING = new Set(['stdout', 'stderr', 'duration_ms', 'timed_out', 'cancelled', 'skipped', 'via', 'ok', 'exit_code', 'hops', 'output_file', 'parse_error']);

function shortValue(v: FactValue): string | null {
  if (v === null) return 'null';
  if (typeof v === 'string') return v.length > 40 ? `${v.slice(0, 39)}…` : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.length}]`;
  return null;
}

/** "loss_pct=0 rtt_avg=0.4 items=[3]": the parsed fields of a step's fact, one line. */
export function factSummary(value: FactValue | undefined): string {
  if (value === undefined) return '';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return shortValue(value) ?? '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (RUN_BOOKKEEPING.has(k)) continue;
    const s = shortValue(v);
    if (s !== null) parts.push(`${k}=${s}`);
  }
  return parts.join(' ');
}

/** The fact a history entry produced, looked up in the frames still on the stack. */
export function factOf(state: SessionState, entry: HistoryEntry): FactValue | undefined {
  for (let i = state.frames.length - 1; i >= 0; i--) {
    const f = state.frames[i];
    if (f && f.playbookId === entry.playbookId && entry.stepId in f.facts) return f.facts[entry.stepId];
  }
  return undefined;
}

export interface FinishedStep {
  key: string;
  seq: number;
  title: string;
  summary: string;
  facts: string;
  mark: 'ok' | 'skipped' | 'failed' | 'info';
}

export function markOf(entry: HistoryEntry): FinishedStep['mark'] {
  const s = entry.summary.toLowerCase();
  if (s.startsWith('skipped')) return 'skipped';
  // only a command can fail; a conclusion "refused" is a finding, not a failure
  if (entry.kind !== 'run') return 'info';
  return /exit [1-9]|timed out|cancelled|could not start|spawn|not found/.test(s) ? 'failed' : 'ok';
}

export function finishedSteps(state: SessionState, catalog: Catalog): FinishedStep[] {
  return state.history.map((h) => ({
    key: `${h.seq}`,
    seq: h.seq,
    // a parallel branch reads "∥ title": it ran at the same time as its siblings
    title: h.parentStepId !== undefined ? `∥ ${stepTitle(catalog, h.playbookId, h.stepId)}` : stepTitle(catalog, h.playbookId, h.stepId),
    summary: h.summary,
    facts: h.kind === 'run' ? factSummary(h.parentStepId !== undefined ? branchFactOf(state, catalog, h) : factOf(state, h)) : '',
    mark: markOf(h),
  }));
}

/** A branch's fact is stored under its `as` (the reads of a parallel step mostly have one). */
function branchFactOf(state: SessionState, catalog: Catalog, h: HistoryEntry): FactValue | undefined {
  const b = branchOf(catalog, h.playbookId, h.stepId);
  const name = b?.as ?? h.stepId;
  for (let i = state.frames.length - 1; i >= 0; i--) {
    const f = state.frames[i];
    if (f && f.playbookId === h.playbookId && name in f.facts) return f.facts[name];
  }
  return undefined;
}

/** The line under the running command when others run too: foreach items share a title
 * ("+ 3 more running in parallel"); the branches of a parallel step are named. */
export function moreRunningText(titles: readonly string[]): string {
  const more = titles.length - 1;
  const others = [...new Set(titles.slice(1))].filter((t) => t !== titles[0]);
  if (others.length === 0) return `+ ${more} more running in parallel`;
  return `+ ${more} more running at the same time: ${others.join(' · ')}`;
}
