import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { WizardApp, type WizardController } from '../../src/ui/App.js';
import { WizardStore } from '../../src/ui/wizard-store.js';
import type { ClusterTarget } from '../../src/ui/components/Header.js';
import { KEYS, askEffect, catalog, hyp, playbook, runEffect, scaleEffect, press, settle, state, waitForFrame, waitUntil } from './fixtures.js';

const cluster: ClusterTarget = { context: 'prod-eu-1', namespace: 'shop', source: 'kubeconfig' };

function controller(): WizardController & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    start: vi.fn((c) => calls.push(`start ${c.playbookId} ${JSON.stringify(c.inputs)}`)),
    cancel: vi.fn((id) => calls.push(`cancel ${id}`)),
    abort: vi.fn((r) => calls.push(`abort ${r}`)),
    exit: vi.fn((code) => calls.push(`exit ${code}`)),
  };
}

function sessionStore(): WizardStore {
  const store = new WizardStore({ flushMs: 5 });
  store.beginSession(catalog, '/var/lib/netwiz/sessions/s1.jsonl');
  store.hooks.onState?.(state());
  return store;
}

afterEach(() => cleanup());

/** The part Ink redraws: from the header line down (above it is <Static> scrollback). */
function liveArea(frame: string): string[] {
  const lines = frame.split('\n');
  const at = lines.findIndex((l) => l.startsWith('netwiz '));
  return lines.slice(at);
}

describe('session screen', () => {
  it('shows the running step: title, why, exact command, target, spinner and the live tail', async () => {
    let t = 1_000;
    const store = new WizardStore({ flushMs: 5, now: () => t });
    store.beginSession(catalog, null);
    store.hooks.onState?.(state());
    const { lastFrame } = render(<WizardApp store={store} controller={controller()} cluster={cluster} size={{ columns: 100, rows: 30 }} now={() => t} />);
    store.hooks.onCommandStart?.(runEffect);
    t = 13_500;
    store.hooks.onOutput?.(runEffect.id, 'try 1: 200 OK\ntry 2: connection refused\n', 'stdout');
    const f = await waitForFrame(lastFrame, 'try 2: connection refused');
    expect(f).toContain('▶ Hit the service 20 times and classify each try');
    expect(f).toContain('why: The kind of failure steers everything after.');
    expect(f).toContain('$ curl -sS -m 2 http://web.shop');
    expect(f).toContain('on pod shop/client-7d9');
    expect(f).toMatch(/running \(timeout 30s\) 12s/);
    expect(f).toContain('context prod-eu-1');
    expect(f).toContain('c/esc cancel');
  });

  it('c and Esc cancel the running command', async () => {
    const store = sessionStore();
    const ctl = controller();
    const { stdin, lastFrame } = render(<WizardApp store={store} controller={ctl} cluster={cluster} size={{ columns: 100, rows: 30 }} />);
    store.hooks.onCommandStart?.(runEffect);
    await waitForFrame(lastFrame, 'c/esc cancel');
    stdin.write('c');
    await waitUntil(() => ctl.calls.length === 1, 'cancel by c');
    stdin.write(KEYS.escape);
    await waitUntil(() => ctl.calls.length === 2, 'cancel by Esc');
    expect(ctl.calls).toEqual(['cancel e1', 'cancel e1']);
  });

  it('a mutating step shows the exact command and its undo, and y runs it', async () => {
    const store = sessionStore();
    const { stdin, lastFrame } = render(<WizardApp store={store} controller={controller()} cluster={cluster} size={{ columns: 100, rows: 30 }} />);
    const reply = store.interaction.confirmMutation(scaleEffect, state());
    const f = await waitForFrame(lastFrame, 'This step changes the cluster');
    expect(f).toContain('run: kubectl scale deployment/web --replicas=1');
    expect(f).toContain('undo: kubectl scale deployment/web --replicas=3');
    stdin.write(KEYS.enter); // enter alone never confirms a change
    await settle();
    expect(store.getSnapshot().prompt?.kind).toBe('mutation');
    stdin.write('y');
    await expect(reply).resolves.toBe('yes');
  });

  it('s skips a mutating step and the skip is the reply the driver records', async () => {
    const store = sessionStore();
    const { stdin, lastFrame } = render(<WizardApp store={store} controller={controller()} cluster={cluster} size={{ columns: 100, rows: 30 }} />);
    const reply = store.interaction.confirmMutation(scaleEffect, state());
    await waitForFrame(lastFrame, 'Run it?');
    stdin.write('s');
    await expect(reply).resolves.toBe('skip');
  });

  it('a choice question moves with arrows and answers with enter; b goes back', async () => {
    const store = sessionStore();
    const { stdin, lastFrame } = render(<WizardApp store={store} controller={controller()} cluster={cluster} size={{ columns: 100, rows: 30 }} />);
    const first = store.interaction.ask(askEffect, state());
    await waitForFrame(lastFrame, '? What fails?');
    expect(lastFrame()).toContain('› timeout');
    expect(lastFrame()).not.toContain('b back'); // nothing to go back to yet
    stdin.write(KEYS.down);
    await waitForFrame(lastFrame, '› refused');
    stdin.write(KEYS.enter);
    await expect(first).resolves.toEqual({ type: 'answer', value: 'refused' });
    const second = store.interaction.ask({ ...askEffect, id: 'e4' }, state());
    await waitForFrame(lastFrame, 'b back');
    expect(lastFrame()).toContain('› timeout'); // cursor reset for the new question
    stdin.write('b');
    await expect(second).resolves.toEqual({ type: 'back' });
  });

  it('a text question takes typed letters (s and q are text there) and Ctrl-S skips', async () => {
    const store = sessionStore();
    const { stdin, lastFrame } = render(<WizardApp store={store} controller={controller()} cluster={cluster} size={{ columns: 100, rows: 30 }} />);
    const q = { ...askEffect, id: 'e5', question: { type: 'text' as const, prompt: 'URL the client uses', pattern: '^http' } };
    const first = store.interaction.ask(q, state());
    await waitForFrame(lastFrame, '? URL the client uses');
    for (const ch of 'sq') await press(stdin, lastFrame, ch);
    await waitForFrame(lastFrame, '› sq');
    stdin.write(KEYS.enter);
    await waitForFrame(lastFrame, 'must match ^http');
    for (let i = 0; i < 2; i++) await press(stdin, lastFrame, KEYS.backspace);
    for (const ch of 'http://web') await press(stdin, lastFrame, ch);
    stdin.write(KEYS.enter);
    await expect(first).resolves.toEqual({ type: 'answer', value: 'http://web' });
    const second = store.interaction.ask({ ...q, id: 'e6' }, state());
    await waitForFrame(lastFrame, 'ctrl+s skip');
    stdin.write('\u0013');
    await expect(second).resolves.toMatchObject({ type: 'skip' });
  });

  it('the hypotheses panel shows every cause and changes as evidence arrives', async () => {
    const store = sessionStore();
    const { lastFrame } = render(<WizardApp store={store} controller={controller()} cluster={cluster} size={{ columns: 120, rows: 30 }} />);
    let f = await waitForFrame(lastFrame, 'Hypotheses');
    expect(f).toContain('(3 open)');
    expect(f).toMatch(/○ open\s+Overlay MTU larger than the underlay allows/);
    store.hooks.onState?.(
      state({
        hypotheses: {
          'selector-overlap': hyp('selector-overlap', 'ruled-out', 'all 3 endpoints belong to deployment web'),
          'overlay-mtu': hyp('overlay-mtu', 'supported', 'tunl0 MTU 1440 > eth0 1450 - 20'),
          'tw-recycle-nat': hyp('tw-recycle-nat', 'open'),
        },
      }),
    );
    f = await waitForFrame(lastFrame, '▲ supported');
    expect(f).toContain('Overlay MTU larger than the underlay allows — tunl0 MTU 1440 > eth0 1450 - 20');
    expect(f).toContain('✗ ruled out Service selector matches two workloads — all 3 endpoints belong to deployment web');
    expect(f).toContain('(1 supported, 1 open, 1 ruled out)');
  });

  it('draws the path picture with the hop where the packet vanished', async () => {
    const store = sessionStore();
    const { lastFrame } = render(<WizardApp store={store} controller={controller()} cluster={cluster} size={{ columns: 100, rows: 30 }} />);
    store.hooks.onState?.(
      state({
        frames: [{ playbookId: playbook.id, stepId: 'x', facts: { capture: { hops: [
          { name: 'client', device: 'eth0', seen: true },
          { name: 'tunl0', node: 'node-a', seen: true, mtu: 1440 },
          { name: 'eth0', node: 'node-a', seen: false, mtu: 1450 },
          { name: 'eth0', node: 'node-b', seen: false },
          { name: 'server', seen: false },
        ] } } }],
      }),
    );
    const f = await waitForFrame(lastFrame, 'Path');
    expect(f).toContain('client:eth0 ✓ → tunl0 ✓ 1440 → eth0 ✗ 1450 → eth0 ✗ → server ✗');
    expect(f).toContain('packet last seen at tunl0 (node-a), lost before eth0 (node-a); smallest MTU 1440 at tunl0 (node-a)');
    expect(f).toContain('(node-a → node-b)');
  });

  it('finished steps go to scrollback and the conclusion shows cause, evidence, fix and transcript', async () => {
    const store = sessionStore();
    const ctl = controller();
    const { stdin, lastFrame } = render(<WizardApp store={store} controller={ctl} cluster={cluster} size={{ columns: 100, rows: 40 }} />);
    const done = state({
      status: 'concluded',
      history: [{ seq: 1, playbookId: playbook.id, stepId: 'classify', kind: 'run', summary: 'exit 0 in 2.1 s', next: null }],
      frames: [{ playbookId: playbook.id, stepId: 'done', facts: { classify: { exit_code: 0, ok: true, fail_rate: 0.35 } } }],
      hypotheses: { 'overlay-mtu': hyp('overlay-mtu', 'confirmed', 'big replies seen on tunl0, never on eth0') },
      outcome: { status: 'concluded', cause: 'overlay-mtu', evidence: ['DF ping of 1412 bytes passes, 1413 is lost'] },
    });
    store.hooks.onState?.(done);
    const restore = store.interaction.confirmRestore([{ argv: ['kubectl', 'scale', 'deployment/web', '--replicas=1'], undo: ['kubectl', 'scale', 'deployment/web', '--replicas=3'] }]);
    let f = await waitForFrame(lastFrame, 'Restore them now?');
    expect(f).toContain('✓ Hit the service 20 times and classify each try — exit 0 in 2.1 s');
    expect(f).toContain('fail_rate=0.35');
    expect(f).toContain('Root cause: Overlay MTU larger than the underlay allows');
    expect(f).toContain('• DF ping of 1412 bytes passes, 1413 is lost');
    expect(f).toContain('Fix (shown, not run)');
    expect(f).toContain('$ kubectl -n kube-system set env daemonset/calico-node FELIX_IPINIPMTU=1430');
    stdin.write('y');
    await expect(restore).resolves.toBe(true);
    store.end(done.outcome!);
    f = await waitForFrame(lastFrame, 'Transcript: /var/lib/netwiz/sessions/s1.jsonl');
    expect(f).toContain('Changes made by this session were restored.');
    stdin.write('q');
    await waitUntil(() => ctl.calls.length > 0, 'a controller call');
    expect(ctl.calls).toEqual(['exit 0']);
  });

  it('q asks before quitting; y aborts the session and restores without asking again', async () => {
    const store = sessionStore();
    const ctl = controller();
    const { stdin, lastFrame } = render(<WizardApp store={store} controller={ctl} cluster={cluster} size={{ columns: 100, rows: 30 }} />);
    store.hooks.onCommandStart?.(runEffect);
    await waitForFrame(lastFrame, 'c/esc cancel');
    stdin.write('q');
    await waitForFrame(lastFrame, 'Quit netwiz?');
    stdin.write('n');
    await settle();
    expect(lastFrame()).not.toContain('Quit netwiz?');
    expect(ctl.calls).toEqual([]);
    stdin.write('q');
    await waitForFrame(lastFrame, 'Quit netwiz?');
    stdin.write('y');
    await waitUntil(() => ctl.calls.length > 0, 'a controller call');
    expect(ctl.calls).toEqual(['abort operator quit']);
    await expect(store.interaction.confirmRestore([{ argv: ['a'], undo: ['b'] }])).resolves.toBe(true);
  });

  it('Ctrl-C while a mutation is being confirmed answers no and aborts', async () => {
    const store = sessionStore();
    const ctl = controller();
    const { stdin, lastFrame } = render(<WizardApp store={store} controller={ctl} cluster={cluster} size={{ columns: 100, rows: 30 }} />);
    const reply = store.interaction.confirmMutation(scaleEffect, state());
    await waitForFrame(lastFrame, 'Run it?');
    stdin.write(KEYS.ctrlC);
    await expect(reply).resolves.toBe('no');
    expect(ctl.calls).toEqual(['abort operator pressed Ctrl-C']);
  });

  it('? shows every key from the key table', async () => {
    const store = sessionStore();
    const { stdin, lastFrame } = render(<WizardApp store={store} controller={controller()} cluster={cluster} size={{ columns: 100, rows: 40 }} />);
    store.hooks.onCommandStart?.(runEffect);
    await waitForFrame(lastFrame, 'c/esc cancel');
    stdin.write('?');
    const f = await waitForFrame(lastFrame, 'Keys');
    expect(f).toContain('cancel the running command');
    expect(f).toContain('skip this step (recorded in the transcript)');
    stdin.write(KEYS.escape);
    await waitForFrame(lastFrame, 'c/esc cancel');
    expect(lastFrame()).not.toContain('show all keys');
  });

  it('fits 80×24: the live area stays shorter than the terminal even with a long tail and many causes', async () => {
    const store = sessionStore();
    const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`c${i}`, hyp(`cause-${i}`, i === 0 ? 'supported' : 'open', 'x'.repeat(200))]));
    store.hooks.onState?.(state({ hypotheses: many }));
    const { lastFrame } = render(<WizardApp store={store} controller={controller()} cluster={cluster} size={{ columns: 80, rows: 24 }} />);
    store.hooks.onCommandStart?.({ ...runEffect, why: 'word '.repeat(100), argv: ['curl', ...Array.from({ length: 40 }, (_, i) => `--header=X-${i}: y`)] });
    store.hooks.onOutput?.(runEffect.id, Array.from({ length: 500 }, (_, i) => `line ${i} ${'z'.repeat(150)}`).join('\n'), 'stdout');
    const f = await waitForFrame(lastFrame, /line 499/);
    const lines = liveArea(f);
    expect(lines.length).toBeLessThan(24);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
    expect(f).toMatch(/… \d+ earlier lines/);
    expect(f).toContain('○ open      cause-1, cause-2');
  });

  it('adapts to a resize: a narrower terminal re-wraps the same screen', async () => {
    const store = sessionStore();
    const { lastFrame, rerender } = render(<WizardApp store={store} controller={controller()} cluster={cluster} size={{ columns: 120, rows: 30 }} />);
    store.hooks.onCommandStart?.({ ...runEffect, why: 'word '.repeat(30) });
    const wide = await waitForFrame(lastFrame, 'why:');
    rerender(<WizardApp store={store} controller={controller()} cluster={cluster} size={{ columns: 60, rows: 30 }} />);
    await settle();
    const narrow = lastFrame() ?? '';
    expect(Math.max(...liveArea(wide).map((l) => l.length))).toBeGreaterThan(60);
    expect(Math.max(...liveArea(narrow).map((l) => l.length))).toBeLessThanOrEqual(60);
  });
});
