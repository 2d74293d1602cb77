import { describe, expect, it } from 'vitest';
import { factSummary, finishedSteps, fitHypotheses, hypothesisRows, targetLabel } from '../../src/ui/view-model.js';
import { formatArgv, wrapLines } from '../../src/ui/text.js';
import { catalog, hyp, state } from './fixtures.js';

describe('view model', () => {
  it('lists hypotheses in the playbook order with the evidence that changed them', () => {
    const s = state({
      hypotheses: {
        'tw-recycle-nat': hyp('tw-recycle-nat', 'ruled-out', 'tcp_tw_recycle = 0 on node-b'),
        'overlay-mtu': hyp('overlay-mtu', 'supported', 'tunl0 MTU 1440 > NIC 1450 - 20'),
        'selector-overlap': hyp('selector-overlap', 'open'),
      },
    });
    const rows = hypothesisRows(s, catalog);
    expect(rows.map((r) => [r.causeId, r.status, r.evidence])).toEqual([
      ['selector-overlap', 'open', undefined],
      ['overlay-mtu', 'supported', 'tunl0 MTU 1440 > NIC 1450 - 20'],
      ['tw-recycle-nat', 'ruled-out', 'tcp_tw_recycle = 0 on node-b'],
    ]);
    expect(rows[1]!.title).toBe('Overlay MTU larger than the underlay allows');
  });

  it('collapses open hypotheses into one row when the panel is short', () => {
    const rows = hypothesisRows(state({ hypotheses: { a: hyp('selector-overlap', 'open'), b: hyp('overlay-mtu', 'confirmed', 'x'), c: hyp('tw-recycle-nat', 'open') } }), catalog);
    const fit = fitHypotheses(rows, 2);
    expect(fit.shown.map((r) => r.causeId)).toEqual(['overlay-mtu']);
    expect(fit.collapsedOpen).toEqual(['selector-overlap', 'tw-recycle-nat']);
    expect(fitHypotheses(rows, 3).collapsedOpen).toEqual([]);
  });

  it('summarises the parsed fields of a run fact, not its raw output', () => {
    expect(factSummary({ exit_code: 1, ok: false, stdout: 'x', stderr: '', duration_ms: 5, loss_pct: 40, rtt_avg: 0.4, items: [1, 2] })).toBe('loss_pct=40 rtt_avg=0.4 items=[2]');
  });

  it('turns history into finished step lines with facts', () => {
    const s = state({
      frames: [{ playbookId: 'intermittent-connectivity', stepId: 'scale', facts: { classify: { exit_code: 0, ok: true, fail_rate: 0.35 } } }],
      history: [
        { seq: 1, playbookId: 'intermittent-connectivity', stepId: 'classify', kind: 'run', summary: 'exit 0 in 120 ms', next: 'scale' },
        { seq: 2, playbookId: 'intermittent-connectivity', stepId: 'scale', kind: 'run', summary: 'skipped: operator', next: null },
      ],
    });
    const steps = finishedSteps(s, catalog);
    expect(steps[0]).toMatchObject({ title: 'Hit the service 20 times and classify each try', facts: 'fail_rate=0.35', mark: 'ok' });
    expect(steps[1]!.mark).toBe('skipped');
  });

  it('names targets and shows argv the way an operator types it', () => {
    expect(targetLabel({ kind: 'pod', pod: 'web-1', container: 'app' }, 'shop')).toBe('pod shop/web-1 (container app)');
    expect(targetLabel({ kind: 'node', node: 'node-a' })).toBe('node node-a');
    expect(formatArgv(['kubectl', 'get', 'pod', 'a;rm -rf ~', "it's"])).toBe(`kubectl get pod 'a;rm -rf ~' 'it'\\''s'`);
  });

  it('wraps text into at most N lines', () => {
    expect(wrapLines('one two three four five six', 10, 2)).toEqual(['one two', 'three fou…']);
    expect(wrapLines('short', 10, 2)).toEqual(['short']);
  });
});
