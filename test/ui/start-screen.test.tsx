import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { WizardApp, type WizardController } from '../../src/ui/App.js';
import { WizardStore } from '../../src/ui/wizard-store.js';
import { initialStart, orderPlaybooks, startReducer, finalInputs, type PlaybookChoice } from '../../src/ui/start-flow.js';
import { KEYS, playbook, press, settle, waitForFrame, waitUntil } from './fixtures.js';

afterEach(() => cleanup());

const demo: PlaybookChoice = { id: 'demo-local', title: 'Demo: a flaky local service', summary: 'Needs no cluster.', inputs: [{ name: 'target', prompt: 'Host to probe', default: 'localhost', required: true }] };
const main: PlaybookChoice = { id: playbook.id, title: playbook.title, summary: playbook.summary, inputs: playbook.inputs };
const cluster = { context: 'prod-eu-1', namespace: 'shop', source: 'flag' as const };

function ctl(): WizardController & { calls: string[] } {
  const calls: string[] = [];
  return { calls, start: vi.fn((c) => calls.push(`start ${c.playbookId} ${JSON.stringify(c.inputs)}`)), cancel: vi.fn(), abort: vi.fn(), exit: vi.fn((c) => calls.push(`exit ${c}`)) };
}

describe('start flow (reducer)', () => {
  it('puts intermittent-connectivity first', () => {
    expect(orderPlaybooks([demo, main]).map((p) => p.id)).toEqual(['intermittent-connectivity', 'demo-local']);
  });

  it('walks playbook → context → inputs, validates patterns, and goes back', () => {
    let s = initialStart([demo, main], { namespace: 'shop' });
    s = startReducer(s, { type: 'submit' });
    expect(s.stage).toBe('context');
    s = startReducer(s, { type: 'yes' });
    expect(s).toMatchObject({ stage: 'input', text: 'shop' }); // namespace prefilled from the context
    s = startReducer(s, { type: 'erase' });
    s = startReducer(s, { type: 'erase' });
    s = startReducer(s, { type: 'erase' });
    s = startReducer(s, { type: 'erase' });
    s = startReducer(s, { type: 'type', text: 'Bad_NS' });
    s = startReducer(s, { type: 'submit' });
    expect(s.error).toBe('namespace must match ^[a-z0-9-]+$');
    s = startReducer({ ...s, text: 'web' }, { type: 'submit' });
    expect(s.inputIndex).toBe(1);
    s = startReducer(s, { type: 'back' });
    expect(s).toMatchObject({ inputIndex: 0, text: 'web' });
    s = startReducer(s, { type: 'submit' });
    s = startReducer(s, { type: 'choices', input: 'service', state: { status: 'ok', values: ['api', 'web'] } });
    s = startReducer(s, { type: 'down' });
    s = startReducer(s, { type: 'submit' });
    expect(s.stage).toBe('ready');
    expect(finalInputs(s)).toEqual({ namespace: 'web', service: 'web' });
  });

  it('does not ask inputs given on the command line', () => {
    let s = initialStart([main], { playbookId: main.id, preset: { namespace: 'a', service: 'b' } });
    expect(s.stage).toBe('context');
    s = startReducer(s, { type: 'submit' });
    expect(s.stage).toBe('ready');
    expect(finalInputs(s)).toEqual({ namespace: 'a', service: 'b' });
  });
});

describe('start screen', () => {
  it('lists playbooks, shows the cluster prominently, reads choices from the cluster and starts', async () => {
    const store = new WizardStore();
    const c = ctl();
    const loadChoices = vi.fn(async (_pb: string, input: string) => (input === 'service' ? ['api', 'web', 'db'] : []));
    const { stdin, lastFrame } = render(<WizardApp store={store} controller={c} cluster={cluster} playbooks={[demo, main]} loadChoices={loadChoices} size={{ columns: 100, rows: 30 }} />);
    let f = await waitForFrame(lastFrame, 'Pick a playbook');
    expect(f).toContain('› Service works sometimes, fails sometimes  (intermittent-connectivity)');
    expect(f).toContain('Reproduce, classify, then narrow down');
    stdin.write(KEYS.enter);
    f = await waitForFrame(lastFrame, 'Is that right? (y/n)');
    expect(f).toContain('Kube context:  prod-eu-1   (from --context)');
    expect(f).toContain('Namespace:     shop');
    stdin.write('y');
    f = await waitForFrame(lastFrame, '? Namespace of the service');
    expect(f).toContain('› shop');
    stdin.write(KEYS.enter);
    f = await waitForFrame(lastFrame, '› api');
    expect(loadChoices).toHaveBeenCalledWith('intermittent-connectivity', 'service', { namespace: 'shop' });
    stdin.write(KEYS.down);
    await waitForFrame(lastFrame, '› web');
    stdin.write(KEYS.down);
    await waitForFrame(lastFrame, '› db');
    stdin.write(KEYS.enter);
    await waitUntil(() => c.calls.length > 0, 'a controller call');
    expect(c.calls).toEqual(['start intermittent-connectivity {"namespace":"shop","service":"db"}']);
  });

  it('n at the cluster question runs nothing and says how to pick the right one', async () => {
    const c = ctl();
    const { stdin, lastFrame } = render(<WizardApp store={new WizardStore()} controller={c} cluster={cluster} playbooks={[main]} playbookId={main.id} size={{ columns: 100, rows: 30 }} />);
    await waitForFrame(lastFrame, 'Is that right?');
    stdin.write('n');
    await waitForFrame(lastFrame, 'Nothing was run');
    expect(lastFrame()).toContain('netwiz --context NAME --namespace NS');
    stdin.write('q');
    await waitUntil(() => c.calls.length > 0, 'a controller call');
    expect(c.calls).toEqual(['exit 4']);
  });

  it('a failed choices lookup falls back to typing', async () => {
    const c = ctl();
    const { stdin, lastFrame } = render(
      <WizardApp store={new WizardStore()} controller={c} cluster={cluster} playbooks={[main]} playbookId={main.id} preset={{ namespace: 'shop' }} loadChoices={async () => { throw new Error('forbidden: cannot list services'); }} size={{ columns: 100, rows: 30 }} />,
    );
    await waitForFrame(lastFrame, 'Is that right?');
    stdin.write('y');
    await waitForFrame(lastFrame, 'could not read choices (forbidden: cannot list services)');
    for (const ch of 'web') await press(stdin, lastFrame, ch);
    stdin.write(KEYS.enter);
    await waitUntil(() => c.calls.length > 0, 'a controller call');
    expect(c.calls).toEqual(['start intermittent-connectivity {"namespace":"shop","service":"web"}']);
  });
});
