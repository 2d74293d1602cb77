// How the branches of a parallel step show on screen: each finished branch is its own line
// (marked ∥, with its parsed fact), and while they run the others are named.
import { describe, expect, it } from 'vitest';
import { applyEvent, startSession } from '../../src/engine/index.js';
import type { Catalog, Step } from '../../src/engine/model.js';
import { finishedSteps, moreRunningText } from '../../src/ui/view-model.js';

const reads: Step = {
  id: 'reads',
  title: 'Read pods and endpoints',
  why: 'w',
  kind: 'parallel',
  parallel: [
    { id: 'read-pods', title: 'Read the pods', why: 'w', as: 'pods', run: { argv: ['kubectl', 'get', 'pods', '-o', 'json'], target: { kind: 'workstation' }, timeoutMs: 1000, mutates: false, parse: 'kubectl-pods' }, transitions: [] },
    { id: 'read-endpoints', title: 'Read the endpoints', why: 'w', run: { argv: ['echo', 'ep'], target: { kind: 'workstation' }, timeoutMs: 1000, mutates: false }, transitions: [] },
  ],
  transitions: [],
};
const catalog: Catalog = {
  p: { id: 'p', title: 'P', summary: '', inputs: [], causes: [], file: '/tmp/p.yaml', steps: [reads, { id: 'end', title: 'End', why: 'w', kind: 'conclude', conclude: { cause: 'inconclusive', evidence: 'x' }, transitions: [] }] },
};
const PODS = JSON.stringify({ items: [{ metadata: { name: 'web-1', ownerReferences: [{ kind: 'ReplicaSet', name: 'web-5d9' }] }, status: { podIP: '10.0.0.5', phase: 'Running' }, spec: { nodeName: 'n1' } }] });

describe('parallel branches on screen', () => {
  it('each finished branch is a line of its own, marked ∥, titled and summarised from its own fact', () => {
    let t = startSession(catalog, 'p', {});
    const [pods, ep] = t.effects as Extract<(typeof t.effects)[number], { type: 'run' }>[];
    t = applyEvent(catalog, t.state, { type: 'command-finished', effectId: ep!.id, result: { exitCode: 0, stdout: 'ep\n', stderr: '', durationMs: 40, timedOut: false, cancelled: false } });
    let lines = finishedSteps(t.state, catalog);
    expect(lines.map((l) => [l.title, l.summary, l.mark])).toEqual([['∥ Read the endpoints', 'exit 0 in 40 ms', 'ok']]);
    t = applyEvent(catalog, t.state, { type: 'command-finished', effectId: pods!.id, result: { exitCode: 1, stdout: PODS, stderr: 'boom', durationMs: 60, timedOut: false, cancelled: false } });
    lines = finishedSteps(t.state, catalog);
    expect(lines.map((l) => [l.title, l.mark])).toEqual([
      ['∥ Read the endpoints', 'ok'],
      ['∥ Read the pods', 'failed'],
      ['Read pods and endpoints', 'info'],
      ['End', 'info'],
    ]);
    // the pods branch's fact is stored under its `as`: its parsed fields are shown
    expect(lines[1]!.facts).toContain('count=1');
    expect(lines[2]!.summary).toBe('2 reads at once: 1 ok, 1 failed (read-pods)');
  });

  it('names the other branches running at the same time; foreach items keep the count', () => {
    expect(moreRunningText(['Read the pods', 'Read the endpoints', 'Read the client pod'])).toBe('+ 2 more running at the same time: Read the endpoints · Read the client pod');
    expect(moreRunningText(['Ping every pod', 'Ping every pod', 'Ping every pod'])).toBe('+ 2 more running in parallel');
  });
});
