// Hypotheses (one per cause) and how support / rule_out / confirm change them. Pure.
//
// Status rules, in one place:
//   - `confirm` wins for good: once confirmed, later support/rule_out only add evidence lines.
//   - Between `support` and `rule_out` the last writer sets the status (the newest
//     observation is the one the operator just saw); every evidence line is kept.
//   - Within one transition the effects apply in the order support, rule_out, confirm.
// Keys: the root playbook's causes are keyed by their id. A sub-playbook's cause with the
// same id as a root cause is the same hypothesis (compare-mtu's `overlay-mtu` feeds the
// root's `overlay-mtu`); its other causes are keyed `subPlaybookId:causeId`.
import type { Catalog } from './model.js';
import type { EvidenceEntry, Hypothesis, HypothesisStatus, SessionState } from './types.js';

export type HypothesisEffect = EvidenceEntry['effect'];

export function hypothesisKey(catalog: Catalog, rootId: string, playbookId: string, causeId: string): string {
  if (playbookId === rootId) return causeId;
  const root = catalog[rootId];
  if (root?.causes.some((c) => c.id === causeId)) return causeId;
  return `${playbookId}:${causeId}`;
}

/** Adds the hypotheses of a playbook entering the session (root at start, subs on call). */
export function registerCauses(catalog: Catalog, state: SessionState, playbookId: string): void {
  const pb = catalog[playbookId];
  if (!pb) return;
  for (const cause of pb.causes) {
    const key = hypothesisKey(catalog, state.rootPlaybook, playbookId, cause.id);
    if (!state.hypotheses[key]) {
      state.hypotheses[key] = { causeId: cause.id, playbookId, status: 'open', evidence: [] };
    }
  }
}

export function nextStatus(current: HypothesisStatus, effect: HypothesisEffect): HypothesisStatus {
  if (current === 'confirmed') return 'confirmed';
  if (effect === 'confirm') return 'confirmed';
  return effect === 'support' ? 'supported' : 'ruled-out';
}

/** Applies one effect with its evidence line; mutates `h` (callers work on a copy of state). */
export function applyHypothesisEffect(h: Hypothesis, entry: EvidenceEntry): void {
  h.status = nextStatus(h.status, entry.effect);
  h.evidence.push(entry);
}
