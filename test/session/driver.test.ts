// The driver against real commands on this machine (H3's workstation executor), a real
// journal in a temporary state dir, and a scripted operator.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Catalog, Step } from '../../src/engine/model.js';
import type { SessionState } from '../../src/engine/types.js';
import { createExecutor } from '../../src/exec/index.js';
import { createJournal } from '../../src/exec/journal.js';
import { startDriver } from '../../src/session/driver.js';
import type { SessionEvent } from '../../src/session/events.js';
import type { AskReply, Interaction, MutationReply, SessionConfig } from '../../src/session/types.js';
import { ask, catalogOf, cause, conclude, foreach, playbook, run, runSpec } from '../engine/helpers.js';
import { fileChangeCatalog, node, WRITE } from './file-change.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netwiz-driver-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

interface Script {
  answers?: AskReply[];
  mutation?: MutationReply;
  restore?: boolean;
}

function operator(script: Script, log: string[]): Interaction {
  const answers = [...(script.answers ?? [])];
  return {
    async ask(effect) {
      log.push(`ask ${effect.stepId}`);
      return answers.shift() ?? { type: 'abort', reason: `no answer for ${effect.stepId}` };
    },
    async confirmMutation(effect) {
      log.push(`confirm ${effect.argv.slice(3).join(' ')}`);
      return script.mutation ?? 'no';
    },
    async confirmRestore(changes) {
      log.push(`restore? ${changes.length}`);
      return script.restore ?? true;
    },
  };
}

function drive(catalog: Catalog, root: string, over: Partial<SessionConfig> & { script?: Script } = {}) {
  const events: SessionEvent[] = [];
  const log: string[] = [];
  const { script, ...rest } = over;
  const handle = startDriver({
    sessionId: `test-${Math.random().toString(36).slice(2, 8)}`,
    catalog,
    rootPlaybook: root,
    inputs: {},
    options: { readOnly: false, dryRun: false, maxSteps: 100, yes: false },
    cluster: {},
    executor: createExecutor({}),
    interaction: operator(script ?? {}, log),
    observers: [{ onEvent: (e) => events.push(e) }],
    ...rest,
  });
  return { handle, events, log };
}

function factsOf(state: SessionState): Record<string, unknown> {
  return state.frames[0]!.facts as Record<string, unknown>;
}

describe('session driver', () => {
  it('runs real commands, parses their output, emits events in order and resolves the outcome', async () => {
    const cat = catalogOf(
      playbook(
        'p',
        [
          run('count', node('console.log(JSON.stringify({n: 5, who: process.argv[1]}))', '{{who}}'), { parse: 'json' }, {
            as: 'count',
            transitions: [{ when: 'count.n == 5 && count.who == "a b;c"', support: { c: 'n={{count.n}}' }, next: 'end' }],
          }),
          conclude('no', 'inconclusive', 'wrong'),
          conclude('end', 'c', 'counted {{count.n}}'),
        ],
        { causes: [cause('c')], inputs: [{ name: 'who', prompt: 'who', required: true }] },
      ),
    );
    const { handle, events } = drive(cat, 'p', { inputs: { who: 'a b;c' } });
    const outcome = await handle.done;
    expect(outcome).toMatchObject({ status: 'concluded', cause: 'c', evidence: ['counted 5', 'n=5'] });
    const types = events.map((e) => e.type);
    expect(types[0]).toBe('session-start');
    expect(types.at(-1)).toBe('session-end');
    expect(types.indexOf('command-start')).toBeLessThan(types.indexOf('engine-event'));
    expect(types).toContain('hypothesis');
    expect(types).toContain('outcome');
    const snapshots = events.filter((e): e is Extract<SessionEvent, { type: 'state' }> => e.type === 'state');
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    for (const s of snapshots) expect(JSON.parse(JSON.stringify(s.state))).toEqual(s.state);
    expect(factsOf(handle.state()).count).toMatchObject({ n: 5, ok: true, exit_code: 0 });
  });

  it('runs foreach items in parallel up to the concurrency bound', async () => {
    // each item creates its marker and then waits for all three: run one at a time, they
    // would time out; run together, all three finish
    const wait = `
      const fs = require("fs"); const [d, me] = process.argv.slice(1);
      fs.writeFileSync(d + "/" + me, "");
      const t = setInterval(() => { if (fs.readdirSync(d).length >= 3) { clearInterval(t); console.log(me); } }, 20);`;
    await writeFile(join(dir, 'items.json'), JSON.stringify(['x', 'y', 'z']));
    const markers = await mkdtemp(join(dir, 'm-'));
    const cat = catalogOf(
      playbook('p', [
        run('items', ['cat', join(dir, 'items.json')], { parse: 'json' }, { as: 'items' }),
        foreach('all', 'items.value', 'it', 3, { run: runSpec(node(wait, markers, '{{it}}'), { parse: 'lines', timeoutMs: 20_000 }) }, {
          transitions: [{ when: 'all.all(r, r.ok)', next: 'ok' }],
          otherwise: { next: 'bad' },
        }),
        conclude('bad', 'inconclusive', 'some item failed'),
        conclude('ok', 'inconclusive', 'all three ran together'),
      ]),
    );
    const { handle, events } = drive(cat, 'p');
    const outcome = await handle.done;
    expect(outcome.evidence[0]).toBe('all three ran together');
    const all = factsOf(handle.state()).all as { first: string; item: string }[];
    expect(all.map((r) => [r.item, r.first])).toEqual([
      ['x', 'x'],
      ['y', 'y'],
      ['z', 'z'],
    ]);
    expect(events.filter((e) => e.type === 'command-start')).toHaveLength(4);
  });

  it('cancel() stops a running command and the step takes its cancelled branch', async () => {
    const cat = catalogOf(
      playbook('p', [
        run('long', ['sleep', '600'], { timeoutMs: 700_000 }, { transitions: [{ when: 'long.cancelled', next: 'was-cancelled' }] }),
        conclude('ran', 'inconclusive', 'ran to the end'),
        conclude('was-cancelled', 'inconclusive', 'cancelled after {{long.duration_ms}} ms'),
      ]),
    );
    const { handle } = drive(cat, 'p', {
      hooks: { onCommandStart: (e) => setTimeout(() => handle.cancel(e.id), 50) },
    });
    const outcome = await handle.done;
    expect(outcome.evidence[0]).toMatch(/^cancelled after \d+ ms$/);
    expect(factsOf(handle.state()).long).toMatchObject({ cancelled: true, ok: false });
  });

  it('abort() during a command ends the session aborted', async () => {
    const cat = catalogOf(playbook('p', [run('long', ['sleep', '600'], { timeoutMs: 700_000 }), conclude('x', 'inconclusive', 'x')]));
    const { handle, events } = drive(cat, 'p', { hooks: { onCommandStart: () => setTimeout(() => handle.abort('operator quit'), 50) } });
    const outcome = await handle.done;
    expect(outcome).toMatchObject({ status: 'aborted', reason: 'operator quit' });
    expect(events.at(-1)).toEqual({ type: 'session-end', status: 'aborted' });
  });

  const mutating = (file: string): Catalog => fileChangeCatalog(file, 'before');

  it('a mutating step needs the operator: declined → skipped, nothing changes', async () => {
    const file = join(dir, 'replicas');
    await writeFile(file, '3');
    const { handle, log } = drive(mutating(file), 'p', { script: { mutation: 'no' } });
    const outcome = await handle.done;
    expect(log).toEqual([`confirm ${file} changed`]);
    expect(outcome.evidence[0]).toBe('not changed: the operator declined to run this change');
    expect(await readFile(file, 'utf8')).toBe('3');
  });

  it('an accepted change is journalled first and restored at the end', async () => {
    const file = join(dir, 'replicas');
    await writeFile(file, '3');
    const env = { ...process.env, XDG_STATE_HOME: join(dir, 'state') };
    const journal = createJournal({ env });
    const { handle, events, log } = drive(mutating(file), 'p', { journal, script: { mutation: 'yes', restore: true } });
    const outcome = await handle.done;
    expect(outcome.evidence[0]).toBe('file now changed');
    expect(log).toEqual([`confirm ${file} changed`, 'restore? 1']);
    const mutation = events.find((e) => e.type === 'mutation');
    expect(mutation).toMatchObject({ argv: node(WRITE, file, 'changed'), undo: node(WRITE, file, '3') });
    expect(events.filter((e) => e.type === 'restore')).toEqual([{ type: 'restore', journalId: handle.sessionId, argv: node(WRITE, file, '3'), ok: true }]);
    expect(await readFile(file, 'utf8')).toBe('3');
    expect(await journal.pending(handle.sessionId)).toEqual([]);
  });

  it('--yes runs the change without asking; declining the restore leaves it in the journal', async () => {
    const file = join(dir, 'replicas');
    await writeFile(file, '3');
    const journal = createJournal({ env: { ...process.env, XDG_STATE_HOME: join(dir, 'state') } });
    const { handle, log } = drive(mutating(file), 'p', {
      journal,
      options: { readOnly: false, dryRun: false, maxSteps: 100, yes: true },
      script: { restore: false },
    });
    await handle.done;
    expect(log).toEqual(['restore? 1']);
    expect(await readFile(file, 'utf8')).toBe('changed');
    expect(await journal.pending(handle.sessionId)).toHaveLength(1);
  });

  it('dry-run runs nothing mutating and says what would have run', async () => {
    const file = join(dir, 'replicas');
    await writeFile(file, '3');
    const { handle, log, events } = drive(mutating(file), 'p', { options: { readOnly: false, dryRun: true, maxSteps: 100, yes: true } });
    const outcome = await handle.done;
    expect(outcome.evidence[0]).toBe(`not changed: dry-run: would run ${node(WRITE, file, 'changed').join(' ')}`);
    expect(log).toEqual([]);
    expect(await readFile(file, 'utf8')).toBe('3');
    // the read-only command before it did run
    expect(events.filter((e) => e.type === 'command-start')).toHaveLength(1);
  });

  it('steps the RBAC preflight marks are skipped with the missing permission', async () => {
    const file = join(dir, 'replicas');
    await writeFile(file, '3');
    const { handle } = drive(mutating(file), 'p', {
      options: { readOnly: false, dryRun: false, maxSteps: 100, yes: true },
      // the shape src/exec/rbac.ts preflight produces
      preflight: async () => new Map([['p:change', 'missing: patch deployments/scale in ns shop']]),
    });
    const outcome = await handle.done;
    expect(outcome.evidence[0]).toBe('not changed: RBAC preflight: missing: patch deployments/scale in ns shop');
  });

  const questions = catalogOf(
    playbook('q', [
      ask('first', 'choice', { choices: ['a', 'b'] }),
      ask('second', 'text'),
      conclude('end', 'inconclusive', '{{first}} then {{second}}'),
    ]),
  );

  it('asks through the interaction; `back` returns to the previous question', async () => {
    const { handle, log } = drive(questions, 'q', {
      script: {
        answers: [
          { type: 'answer', value: 'a' },
          { type: 'back' },
          { type: 'answer', value: 'c' },
          { type: 'answer', value: 'b' },
          { type: 'answer', value: 'hello' },
        ],
      },
    });
    const outcome = await handle.done;
    // 'c' is not a choice: asked again
    expect(log).toEqual(['ask first', 'ask second', 'ask first', 'ask first', 'ask second']);
    expect(outcome.evidence[0]).toBe('b then hello');
    expect(handle.state().history.map((h) => h.stepId)).toEqual(['first', 'second', 'end']);
  });

  it('an abort reply ends the session aborted with its reason', async () => {
    const { handle } = drive(questions, 'q', { script: { answers: [{ type: 'answer', value: 'a' }] } });
    expect(await handle.done).toMatchObject({ status: 'aborted', reason: 'no answer for second' });
  });

  it('resumes from a saved state and finishes the session', async () => {
    const first = drive(questions, 'q', { script: { answers: [{ type: 'answer', value: 'b' }] } });
    await first.handle.done;
    const saved = first.events
      .filter((e): e is Extract<SessionEvent, { type: 'state' }> => e.type === 'state')
      .map((e) => e.state)
      .find((s) => s.status === 'running' && s.history.length === 1)!;
    const again = drive(questions, 'q', {
      resumeFrom: JSON.parse(JSON.stringify(saved)) as SessionState,
      script: { answers: [{ type: 'answer', value: 'later' }] },
    });
    expect(await again.handle.done).toMatchObject({ status: 'inconclusive', evidence: ['b then later'] });
    expect(again.log).toEqual(['ask second']);
  });

  it('a command that cannot start is a fact, not a crash', async () => {
    const steps: Step[] = [
      run('missing', ['/nonexistent/netwiz-tool'], {}, { transitions: [{ when: 'has(missing.spawn_error)', next: 'end' }] }),
      conclude('other', 'inconclusive', 'other'),
      conclude('end', 'inconclusive', 'could not start: {{missing.spawn_error}}'),
    ];
    const { handle } = drive(catalogOf(playbook('p', steps)), 'p');
    expect((await handle.done).evidence[0]).toMatch(/^could not start: .*ENOENT|not found/);
  });
});
