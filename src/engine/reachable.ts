import type { Catalog, Playbook, RunSpec, Step } from './model.js';

/** The playbooks a session can reach from its root, through `call` steps and `foreach … do: call`. */
export function reachableCatalog(catalog: Catalog, rootId: string): Catalog {
  const out: Record<string, Playbook> = {};
  const todo = [rootId];
  while (todo.length > 0) {
    const id = todo.pop()!;
    const pb = catalog[id];
    if (!pb || out[id]) continue;
    out[id] = pb;
    for (const s of pb.steps) {
      if (s.kind === 'call') todo.push(s.call.playbook);
      if (s.kind === 'foreach' && 'call' in s.foreach.do) todo.push(s.foreach.do.call.playbook);
    }
  }
  return out;
}

/**
 * Every command a step may run, with the step id it runs under (what effects, the RBAC
 * preflight's `playbook:step` keys and the transcript name it by): a run step's own, a
 * foreach's `do: run`, and each branch of a parallel step under the branch's id.
 */
export function stepRuns(step: Step): { stepId: string; run: RunSpec }[] {
  if (step.kind === 'run') return [{ stepId: step.id, run: step.run }];
  if (step.kind === 'foreach' && 'run' in step.foreach.do) return [{ stepId: step.id, run: step.foreach.do.run }];
  if (step.kind === 'parallel') return step.parallel.map((b) => ({ stepId: b.id, run: b.run }));
  return [];
}
