// The benchmarks' own inputs must be what they claim: the generated playbooks load without
// errors through the real catalog loader, the fan-out scenario has 8 pods on 4 nodes, and
// the floor replay of time-to-cause groups commands the way they overlapped. No timings here.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPlaybookFiles } from '../../src/playbook/catalog.js';
import { derivePods, loadScenarioFile } from '../../src/lab/scenario/load.js';
// @ts-expect-error: plain .mjs benchmark module (no types)
import { generatePlaybook } from '../../bench/engine-overhead.mjs';
import { planFromTranscript } from '../../bench/time-to-cause.js';

const dir = mkdtempSync(path.join(tmpdir(), 'nwbench-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const root = path.resolve(import.meta.dirname, '../..');

describe('engine-overhead playbook', () => {
  it('has N run steps of true and a conclusion, and loads without errors', () => {
    const file = path.join(dir, 'bench-25-true.yaml');
    writeFileSync(file, generatePlaybook(25));
    const { catalog, errors } = loadPlaybookFiles([file]);
    expect(errors).toEqual([]);
    const pb = catalog['bench-25-true']!;
    const runs = pb.steps.filter((s) => s.kind === 'run');
    expect(runs).toHaveLength(25);
    expect(runs.every((s) => s.kind === 'run' && s.run.argv.join(' ') === 'true')).toBe(true);
    expect(pb.steps.at(-1)!.kind).toBe('conclude');
  });
});

describe('fan-out inputs', () => {
  it('the playbook loads without errors and pings with concurrency 56', () => {
    const { catalog, errors } = loadPlaybookFiles([path.join(root, 'bench/playbooks/bench-fanout-ping.yaml')]);
    expect(errors).toEqual([]);
    const step = catalog['bench-fanout-ping']!.steps.find((s) => s.id === 'ping-pairs')!;
    expect(step.kind).toBe('foreach');
    if (step.kind === 'foreach') expect(step.foreach.concurrency).toBe(56);
  });

  it('the scenario has 8 pods on 4 nodes, two per node, and no fault', () => {
    const sc = loadScenarioFile(path.join(root, 'bench/lab/fanout-8pods.yaml'));
    expect(sc.nodes).toHaveLength(4);
    const pods = derivePods(sc);
    expect(pods).toHaveLength(8);
    const perNode = new Map<string, number>();
    for (const p of pods) perNode.set(p.node, (perNode.get(p.node) ?? 0) + 1);
    expect([...perNode.values()]).toEqual([2, 2, 2, 2]);
    expect(sc.expectedCause).toBe('healthy');
    expect(sc.faults).toEqual([]);
  });
});

describe('time-to-cause floor plan', () => {
  const line = (o: object) => JSON.stringify({ v: 1, ts: '2026-01-01T00:00:00.000Z', ...o });
  const start = (id: string, ms: number, argv: string[]) =>
    line({ type: 'command-start', effectId: id, argv, target: { kind: 'workstation' }, startedAt: new Date(Date.UTC(2026, 0, 1) + ms).toISOString() });
  const done = (id: string, durationMs: number) => line({ type: 'engine-event', event: { type: 'command-finished', effectId: id, result: { durationMs } } });

  it('commands that overlapped form one group with their peak overlap; others run alone; restores are kept', () => {
    const file = path.join(dir, 'transcript.jsonl');
    writeFileSync(
      file,
      [
        line({ type: 'session-start', ts: '2025-12-31T23:59:59.000Z' }),
        start('e1', 0, ['kubectl', 'get', 'pods']),
        done('e1', 100),
        // a foreach: three at once, then a fourth when the first of them ends
        start('e2', 200, ['ping', 'a']),
        start('e3', 201, ['ping', 'b']),
        start('e4', 202, ['ping', 'c']),
        done('e2', 50),
        start('e5', 251, ['ping', 'd']),
        done('e3', 300),
        done('e4', 300),
        done('e5', 100),
        start('e6', 600, ['kubectl', 'scale']),
        done('e6', 10),
        line({ type: 'restore', journalId: 'x', argv: ['kubectl', 'scale', '--replicas=3'], ok: true }),
        line({ type: 'session-end', ts: '2026-01-01T00:00:01.000Z' }),
      ].join('\n'),
    );
    const plan = planFromTranscript(file);
    expect(plan.commands).toBe(6);
    expect(plan.groups.map((g) => [g.cmds.length, g.concurrency])).toEqual([
      [1, 1],
      [4, 3],
      [1, 1],
    ]);
    expect(plan.groups[1]!.cmds.map((c) => c.argv[1])).toEqual(['a', 'b', 'c', 'd']);
    expect(plan.restores).toEqual([['kubectl', 'scale', '--replicas=3']]);
    // busy 0–100, 200–502, 600–610: 1000 ms before the first, 610 - 412 = 198 between, 390 after the last
    expect(plan.phases).toEqual({ beforeFirstCommand: 1000, betweenCommands: 198, afterLastCommand: 390, session: 2000 });
  });
});
