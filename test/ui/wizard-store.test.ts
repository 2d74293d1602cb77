import { afterEach, describe, expect, it, vi } from 'vitest';
import { WizardStore } from '../../src/ui/wizard-store.js';
import { askEffect, catalog, runEffect, scaleEffect, state } from './fixtures.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('WizardStore', () => {
  it('turns a question into a prompt and resolves it with the key-press reply', async () => {
    const store = new WizardStore();
    const reply = store.interaction.ask(askEffect, state());
    expect(store.getSnapshot().prompt?.kind).toBe('ask');
    store.reply({ type: 'answer', value: 'refused' });
    await expect(reply).resolves.toEqual({ type: 'answer', value: 'refused' });
    expect(store.getSnapshot().prompt).toBeNull();
    expect(store.getSnapshot().answeredQuestions).toBe(1);
  });

  it('ignores a reply of the wrong kind (a stray y cannot answer a text question)', async () => {
    const store = new WizardStore();
    const reply = store.interaction.confirmMutation(scaleEffect, state());
    store.reply({ type: 'answer', value: 'x' });
    expect(store.getSnapshot().prompt?.kind).toBe('mutation');
    store.reply('no');
    await expect(reply).resolves.toBe('no');
  });

  it('coalesces output chunks into one published snapshot per tick', () => {
    vi.useFakeTimers();
    const store = new WizardStore({ flushMs: 70 });
    let publishes = 0;
    store.subscribe(() => publishes++);
    store.hooks.onCommandStart?.(runEffect);
    const afterStart = publishes;
    for (let i = 0; i < 5000; i++) store.hooks.onOutput?.(runEffect.id, `line ${i}\n`, 'stdout');
    expect(publishes).toBe(afterStart);
    vi.advanceTimersByTime(70);
    expect(publishes).toBe(afterStart + 1);
    const tail = store.getSnapshot().running[0]!.tail;
    expect(tail.totalLines).toBe(5000);
    expect(tail.lines.at(-1)).toBe('line 4999');
    store.hooks.onCommandEnd?.(runEffect);
    expect(store.getSnapshot().running).toHaveLength(0);
    expect(store.getSnapshot().lastEnded?.tail.totalLines).toBe(5000);
  });

  it('settles an open question before an abort so nothing new runs, and restores without asking', async () => {
    const store = new WizardStore();
    const mutation = store.interaction.confirmMutation(scaleEffect, state());
    store.restoreWithoutAsking();
    store.settleForAbort();
    await expect(mutation).resolves.toBe('no');
    await expect(store.interaction.confirmRestore([{ argv: ['a'], undo: ['b'] }])).resolves.toBe(true);
    expect(store.getSnapshot().restoreAnswer).toBe(true);
  });

  it('keeps the session catalog and transcript path for the screens', () => {
    const store = new WizardStore();
    store.beginSession(catalog, '/tmp/t.jsonl');
    expect(store.getSnapshot()).toMatchObject({ phase: 'session', transcriptPath: '/tmp/t.jsonl' });
    store.hooks.onState?.(state({ status: 'concluded', outcome: { status: 'concluded', cause: 'overlay-mtu', evidence: ['e'] } }));
    store.end(null);
    expect(store.getSnapshot().outcome?.cause).toBe('overlay-mtu');
  });
});
