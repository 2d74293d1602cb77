import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { ReplayApp } from '../../src/ui/Replay.js';
import { KEYS, catalog, hyp, playbook, settle, state, waitForFrame } from './fixtures.js';

afterEach(() => cleanup());

const s1 = state({
  history: [{ seq: 1, playbookId: playbook.id, stepId: 'classify', kind: 'run', summary: 'exit 0 in 2.1 s', next: 'scale' }],
  hypotheses: { 'overlay-mtu': hyp('overlay-mtu', 'supported', 'only cross-node requests fail'), 'tw-recycle-nat': hyp('tw-recycle-nat', 'open') },
});
const s2 = state({
  status: 'concluded',
  history: [...s1.history, { seq: 2, playbookId: playbook.id, stepId: 'scale', kind: 'run', summary: 'skipped: operator', next: 'done' }],
  hypotheses: { 'overlay-mtu': hyp('overlay-mtu', 'confirmed', 'DF ping 1413 lost'), 'tw-recycle-nat': hyp('tw-recycle-nat', 'ruled-out', 'tcp_tw_recycle = 0') },
});

describe('replay', () => {
  it('steps through recorded states with → and ←, read-only, and shows the conclusion at the end', async () => {
    const onExit = vi.fn();
    const { stdin, lastFrame } = render(
      <ReplayApp
        states={[{ ts: '2026-11-24T06:00:00Z', state: s1 }, { ts: '2026-11-24T06:00:05Z', state: s2 }]}
        catalog={catalog}
        cluster={{ context: 'prod-eu-1', namespace: 'shop', source: 'kubeconfig' }}
        outcome={{ status: 'concluded', cause: 'overlay-mtu', evidence: ['DF ping of 1412 bytes passes, 1413 is lost'] }}
        cause={playbook.causes[1]!}
        transcriptPath="/t.jsonl"
        onExit={onExit}
        size={{ columns: 100, rows: 40 }}
      />,
    );
    let f = await waitForFrame(lastFrame, 'step 1 of 2');
    expect(f).toContain('Replay (read-only)');
    expect(f).toMatch(/▲ supported Overlay MTU larger than the underlay allows — only cross-node requests fail/);
    expect(f).not.toContain('Root cause');
    stdin.write('\u001B[C');
    f = await waitForFrame(lastFrame, 'step 2 of 2');
    expect(f).toMatch(/✓ CONFIRMED Overlay MTU/);
    expect(f).toContain('↷ Scale the deployment to one replica — skipped: operator');
    expect(f).toContain('Root cause: Overlay MTU larger than the underlay allows');
    stdin.write('p');
    await waitForFrame(lastFrame, 'step 1 of 2');
    stdin.write('q');
    await settle();
    expect(onExit).toHaveBeenCalledWith(0);
  });

  it('says so when the transcript holds no completed step', async () => {
    const { lastFrame, stdin } = render(<ReplayApp states={[]} catalog={{}} cluster={{ context: null, namespace: 'default', source: 'none' }} transcriptPath="/x.jsonl" onExit={() => undefined} />);
    await waitForFrame(lastFrame, 'nothing to replay');
    stdin.write(KEYS.enter);
  });
});
