// Sparse snapshots: the states between `state` lines are folded from the engine events with
// the session's playbooks, and a reader says when those playbooks changed or are gone.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTranscript, parseTranscript } from '../../src/transcript/reader.js';
import { planResume } from '../../src/transcript/resume.js';
import { playbooksHash } from '../../src/transcript/fold.js';
import { DEMO_PLAYBOOK, demoCatalog, recordDemoSession } from './helpers/record-session.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'nw-fold-'));

describe('sparse state snapshots', () => {
  it('session-start names the playbook files and their hash; with few snapshots every step is still rebuilt', async () => {
    const path = join(tmp(), 's.jsonl');
    await recordDemoSession({ transcript: path, writer: { snapshotEverySteps: 1000 } });
    const t = loadTranscript(path);
    expect(t.states.length).toBeGreaterThan(0);
    expect(t.warnings).toEqual([]);
    const start = t.events[0]!;
    expect(start.type === 'session-start' && start.playbookFiles).toEqual([DEMO_PLAYBOOK]);
    expect(start.type === 'session-start' && start.playbooksHash).toBe(playbooksHash(demoCatalog(), 'transcript-demo'));
    const written = t.events.filter((e) => e.type === 'state').length;
    expect(t.states.length).toBeGreaterThan(written);
    expect(t.states.at(-1)!.state.status).toBe('concluded');
  });

  it('cut after a rebuilt step, resume starts from the folded state and reissues only what was pending', async () => {
    const path = join(tmp(), 's.jsonl');
    await recordDemoSession({ transcript: path });
    const text = readFileSync(path, 'utf8');
    const full = parseTranscript(text, path, { catalog: demoCatalog() });
    const rebuilt = full.states.find((s) => s.rebuilt)!;
    expect(rebuilt).toBeDefined();
    const cut = text.split('\n').slice(0, rebuilt.seq).join('\n') + '\n';
    const plan = planResume(parseTranscript(cut, path, { catalog: demoCatalog() }));
    expect(plan.fromStateSeq).toBe(rebuilt.seq);
    expect(plan.state).toEqual(rebuilt.state);
    expect(plan.reissue.map((e) => e.id)).toEqual(rebuilt.state.pending.map((e) => e.id));
  });

  it('warns when the playbooks changed since, and when they cannot be loaded', async () => {
    const dir = tmp();
    const path = join(dir, 's.jsonl');
    await recordDemoSession({ transcript: path });
    const text = readFileSync(path, 'utf8');
    const changed = structuredClone(demoCatalog()) as Record<string, { title: string }>;
    changed['transcript-demo']!.title = 'edited since';
    const t = parseTranscript(text, path, { catalog: changed as never });
    // states are folded (and their warnings added) when first read
    expect(t.warnings).toEqual([]);
    expect(t.states.length).toBeGreaterThan(0);
    expect(t.warnings).toEqual([expect.stringMatching(/s\.jsonl: the playbooks changed since this session was recorded/)]);

    const moved = join(dir, 'moved.jsonl');
    writeFileSync(moved, text.replaceAll(JSON.stringify(DEMO_PLAYBOOK), JSON.stringify('/nonexistent/demo.yaml')));
    const m = loadTranscript(moved);
    expect(m.states.length).toBeGreaterThan(0);
    expect(m.warnings).toEqual([expect.stringMatching(/moved\.jsonl: the playbooks of this session could not be loaded/)]);
    expect(m.states.every((s) => !s.rebuilt)).toBe(true);
    expect(m.states.length).toBe(m.events.filter((e) => e.type === 'state').length);
  });
});
