import type { Catalog, Playbook } from './model.js';

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
