import { describe, expect, it } from 'vitest';
import { applyEvent, startSession } from '../../src/engine/index.js';
import { FACT_OUTPUT_BYTES } from '../../src/engine/facts.js';
import type { Effect, SessionState } from '../../src/engine/types.js';
import {
  ask,
  call,
  catalogOf,
  cause,
  conclude,
  foreach,
  jsonRoundTrip,
  playbook,
  result,
  run,
  runSpec,
  walk,
} from './helpers.js';

type RunEffect = Extract<Effect, { type: 'run' }>;

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

const portCheck = playbook(
  'port',
  [
    run('probe', ['probe', '--port', '{{port}}'], { parse: 'json' }, {
      as: 'probe',
      transitions: [
        {
          when: 'probe.ok && probe.listening == true',
          support: { listening: 'port {{port}} answers ({{probe.proto}})' },
          next: 'done',
        },
      ],
      otherwise: { rule_out: { listening: 'nothing on port {{port}}' } },
    }),
    conclude('nothing', 'inconclusive', 'no listener on {{port}}', 'start the service'),
    conclude('done', 'listening', 'a listener answers on {{port}}'),
  ],
  {
    causes: [cause('listening'), cause('other')],
    inputs: [{ name: 'port', prompt: 'port', default: '80', required: true }],
  },
);

describe('run steps', () => {
  it('renders argv from facts, stores the parsed fact and follows the matching transition', () => {
    const cat = catalogOf(portCheck);
    const t0 = startSession(cat, 'port', { port: '8080' }, {});
    expect(t0.effects).toHaveLength(1);
    const eff = t0.effects[0] as RunEffect;
    expect(eff).toMatchObject({ type: 'run', argv: ['probe', '--port', '8080'], stepId: 'probe', mutates: false });
    expect(t0.state.pending).toEqual(t0.effects);

    deepFreeze(t0.state);
    const t1 = applyEvent(cat, t0.state, {
      type: 'command-finished',
      effectId: eff.id,
      result: result({ stdout: '{"listening": true, "proto": "tcp", "exit_code": 99}', durationMs: 42.4 }),
    });
    expect(t1.state.status).toBe('concluded');
    const fact = t1.state.frames[0]!.facts.probe as Record<string, unknown>;
    // parser fields at the top level; the engine's own fields win a name clash
    expect(fact).toMatchObject({ listening: true, proto: 'tcp', exit_code: 0, ok: true, duration_ms: 42, skipped: false });
    expect(t1.state.outcome).toEqual({
      status: 'concluded',
      cause: 'listening',
      evidence: ['a listener answers on 8080', 'port 8080 answers (tcp)'],
    });
    expect(t1.state.hypotheses.listening!.status).toBe('confirmed');
    expect(t1.state.hypotheses.listening!.evidence.map((e) => e.effect)).toEqual(['support', 'confirm']);
    expect(t1.effects).toEqual([{ type: 'done', id: expect.any(String), outcome: t1.state.outcome }]);
    expect(t1.state.history.map((h) => [h.stepId, h.next])).toEqual([
      ['probe', 'done'],
      ['done', null],
    ]);
    expect(jsonRoundTrip(t1.state)).toEqual(t1.state);
  });

  it('takes otherwise, falls through to the next step and ends inconclusive with ruled-out causes', () => {
    const { state } = walk(catalogOf(portCheck), 'port', (e) => ({
      type: 'command-finished',
      effectId: e.id,
      result: result({ exitCode: 7, stdout: 'not json' }),
    }));
    expect(state.status).toBe('inconclusive');
    const fact = state.frames[0]!.facts.probe as Record<string, unknown>;
    expect(fact.ok).toBe(false);
    expect(fact.exit_code).toBe(7);
    expect(String(fact.parse_error)).toMatch(/JSON/);
    expect(state.hypotheses.listening!.status).toBe('ruled-out');
    expect(state.outcome).toMatchObject({
      status: 'inconclusive',
      next: 'start the service',
      ruledOut: ['listening'],
      evidence: ['no listener on 80', 'ruled out listening: nothing on port 80'],
    });
  });

  it('bounds stdout and stderr kept in the fact', () => {
    const big = 'x'.repeat(FACT_OUTPUT_BYTES * 3) + 'TAIL';
    const cat = catalogOf(playbook('p', [run('a', ['x'])]));
    const { state } = walk(cat, 'p', (e) => ({ type: 'command-finished', effectId: e.id, result: result({ stdout: big, stderr: big }) }));
    const fact = state.frames[0]!.facts.a as Record<string, string>;
    expect(fact.stdout!.length).toBeLessThan(FACT_OUTPUT_BYTES + 100);
    expect(fact.stdout!.endsWith('TAIL')).toBe(true);
    expect(fact.stderr!.length).toBeLessThan(FACT_OUTPUT_BYTES + 100);
  });

  it('skips a step whose template has a missing variable, with a warning, and still evaluates transitions', () => {
    const cat = catalogOf(
      playbook(
        'p',
        [
          run('a', ['ping', '{{nowhere.ip}}'], {}, {
            transitions: [{ when: 'a.skipped', support: { c: 'skipped: {{a.reason}}' }, next: 'end' }],
          }),
          conclude('unreached', 'c'),
          conclude('end', 'inconclusive', 'nothing ran'),
        ],
        { causes: [cause('c')] },
      ),
    );
    const t = startSession(cat, 'p', {});
    expect(t.effects.map((e) => e.type)).toEqual(['done']);
    expect(t.state.status).toBe('inconclusive');
    const h0 = t.state.history[0]!;
    expect(h0.summary).toMatch(/skipped: missing template variable: \{\{nowhere.ip\}\}/);
    expect(h0.warnings?.[0]).toMatch(/nowhere.ip/);
    expect(t.state.frames[0]!.facts.a).toMatchObject({ skipped: true, ok: false, exit_code: null });
    expect(t.state.hypotheses.c!.evidence[0]!.text).toBe('skipped: missing template variable: {{nowhere.ip}}');
  });

  it('treats a CEL evaluation error as false and records a warning', () => {
    const cat = catalogOf(
      playbook('p', [
        run('a', ['x'], {}, {
          transitions: [
            { when: 'a.no_such_field > 3', next: 'wrong' },
            { when: 'a.ok', next: 'right' },
          ],
        }),
        conclude('wrong', 'inconclusive', 'wrong'),
        conclude('right', 'inconclusive', 'right'),
      ]),
    );
    const { state } = walk(cat, 'p', (e) => ({ type: 'command-finished', effectId: e.id, result: result() }));
    expect(state.history[0]!.next).toBe('right');
    expect(state.history[0]!.warnings?.[0]).toMatch(/transition 1 \(a.no_such_field > 3\).*treated as false/);
  });

  it('sets facts from a transition and keeps argv elements whole', () => {
    const cat = catalogOf(
      playbook('p', [
        run('a', ['echo'], { parse: 'lines' }, {
          transitions: [{ when: 'a.count == 1', set: { who: 'x {{a.first}}' } }],
        }),
        run('b', ['echo', '{{who}}']),
      ]),
    );
    const effects: RunEffect[] = [];
    walk(cat, 'p', (e) => {
      if (e.type === 'run') effects.push(e);
      return { type: 'command-finished', effectId: e.id, result: result({ stdout: "$(touch /tmp/x); rm -rf ~ 'q'\n" }) };
    });
    expect(effects[1]!.argv).toEqual(['echo', "x $(touch /tmp/x); rm -rf ~ 'q'"]);
  });

  it('renders pod targets and undo argv', () => {
    const cat = catalogOf(
      playbook('p', [
        run('scale', ['kubectl', 'scale', 'deploy/{{d}}', '--replicas=1'], {
          mutates: true,
          undo: ['kubectl', 'scale', 'deploy/{{d}}', '--replicas={{n}}'],
          target: { kind: 'pod', pod: '{{pod}}', namespace: '{{ns}}' },
        }),
      ]),
    );
    const t = startSession(cat, 'p', { d: 'web', n: '3', pod: 'web-1', ns: 'prod' });
    expect(t.effects[0]).toMatchObject({
      mutates: true,
      undo: ['kubectl', 'scale', 'deploy/web', '--replicas=3'],
      target: { kind: 'pod', pod: 'web-1', namespace: 'prod' },
    });
  });
});

describe('skip, cancel, abort, stale events', () => {
  const cat = catalogOf(
    playbook(
      'p',
      [
        run('a', ['sleep', '600'], {}, {
          transitions: [
            { when: 'a.cancelled', next: 'was-cancelled' },
            { when: 'a.skipped', next: 'was-skipped' },
          ],
        }),
        conclude('ran', 'c'),
        conclude('was-cancelled', 'inconclusive', 'cancelled'),
        conclude('was-skipped', 'inconclusive', 'skipped because {{a.reason}}'),
      ],
      { causes: [cause('c')] },
    ),
  );

  it('a cancelled event stores cancelled: true and takes the cancelled branch', () => {
    const t0 = startSession(cat, 'p', {});
    const t1 = applyEvent(cat, t0.state, { type: 'cancelled', effectId: t0.effects[0]!.id });
    expect(t1.state.frames[0]!.facts.a).toMatchObject({ cancelled: true, skipped: false, ok: false });
    expect(t1.state.history[0]!.next).toBe('was-cancelled');
  });

  it('a command result with cancelled: true takes the same branch', () => {
    const t0 = startSession(cat, 'p', {});
    const t1 = applyEvent(cat, t0.state, {
      type: 'command-finished',
      effectId: t0.effects[0]!.id,
      result: result({ exitCode: null, cancelled: true }),
    });
    expect(t1.state.history[0]!.next).toBe('was-cancelled');
  });

  it('a skipped event stores the reason', () => {
    const t0 = startSession(cat, 'p', {});
    const t1 = applyEvent(cat, t0.state, { type: 'skipped', effectId: t0.effects[0]!.id, reason: 'dry-run' });
    expect(t1.state.outcome?.evidence[0]).toBe('skipped because dry-run');
  });

  it('abort ends the session; later events change nothing', () => {
    const t0 = startSession(cat, 'p', {});
    const t1 = applyEvent(cat, t0.state, { type: 'abort', reason: 'operator quit' });
    expect(t1.state.status).toBe('aborted');
    expect(t1.state.outcome).toMatchObject({ status: 'aborted', reason: 'operator quit' });
    expect(t1.state.pending).toEqual([]);
    expect(t1.effects.map((e) => e.type)).toEqual(['done']);
    const t2 = applyEvent(cat, t1.state, { type: 'cancelled', effectId: t0.effects[0]!.id });
    expect(t2.state).toBe(t1.state);
    expect(t2.effects).toEqual([]);
  });

  it('an event for an unknown effect id changes nothing', () => {
    const t0 = startSession(cat, 'p', {});
    const t1 = applyEvent(cat, t0.state, { type: 'cancelled', effectId: 'e999' });
    expect(t1.state).toBe(t0.state);
    expect(t1.effects).toEqual([]);
  });
});

describe('ask steps', () => {
  const cat = catalogOf(
    playbook(
      'p',
      [
        ask('symptom', 'choice', { choices: ['timeout', 'refused'], as: 'symptom' }),
        ask('sure', 'confirm', {
          transitions: [{ when: 'sure && symptom == "refused"', confirm: { refused: 'operator sees {{symptom}}' }, next: 'end' }],
        }),
        conclude('not-sure', 'inconclusive', 'unsure'),
        conclude('end', 'refused', 'the operator saw {{symptom}}'),
      ],
      { causes: [cause('refused')] },
    ),
  );

  it('stores answers as facts; confirm answers become booleans', () => {
    const t0 = startSession(cat, 'p', {});
    expect(t0.effects[0]).toMatchObject({ type: 'ask', question: { type: 'choice', choices: ['timeout', 'refused'] } });
    const t1 = applyEvent(cat, t0.state, { type: 'answered', effectId: t0.effects[0]!.id, value: 'refused' });
    const t2 = applyEvent(cat, t1.state, { type: 'answered', effectId: t1.effects[0]!.id, value: 'yes' });
    expect(t2.state.frames[0]!.facts).toMatchObject({ symptom: 'refused', sure: true });
    expect(t2.state.status).toBe('concluded');
    expect(t2.state.outcome!.cause).toBe('refused');
  });

  it('an answer that is not one of the choices leaves the question open', () => {
    const t0 = startSession(cat, 'p', {});
    const t1 = applyEvent(cat, t0.state, { type: 'answered', effectId: t0.effects[0]!.id, value: 'banana' });
    expect(t1.state).toBe(t0.state);
    expect(t1.state.pending).toHaveLength(1);
  });

  it('a skipped question stores skipped: true and moves on', () => {
    const t0 = startSession(cat, 'p', {});
    const t1 = applyEvent(cat, t0.state, { type: 'skipped', effectId: t0.effects[0]!.id, reason: 'do not know' });
    expect(t1.state.frames[0]!.facts.symptom).toEqual({ skipped: true, cancelled: false, reason: 'do not know' });
    expect(t1.effects[0]).toMatchObject({ type: 'ask', stepId: 'sure' });
  });
});

describe('hypothesis status precedence', () => {
  function withEffects(effects: { support?: string; rule_out?: string; confirm?: string }[]): SessionState {
    const steps = effects.map((e, i) =>
      run(`s${i}`, ['x'], {}, {
        transitions: [
          {
            when: 'true',
            ...(e.support ? { support: { c: e.support } } : {}),
            ...(e.rule_out ? { rule_out: { c: e.rule_out } } : {}),
            ...(e.confirm ? { confirm: { c: e.confirm } } : {}),
          },
        ],
      }),
    );
    const cat = catalogOf(playbook('p', steps, { causes: [cause('c')] }));
    return walk(cat, 'p', (e) => ({ type: 'command-finished', effectId: e.id, result: result() })).state;
  }

  it('rule_out after support: ruled-out, both evidence lines kept', () => {
    const s = withEffects([{ support: 'seen once' }, { rule_out: 'gone now' }]);
    expect(s.hypotheses.c!.status).toBe('ruled-out');
    expect(s.hypotheses.c!.evidence.map((e) => e.text)).toEqual(['seen once', 'gone now']);
  });

  it('support after rule_out: supported (last writer)', () => {
    expect(withEffects([{ rule_out: 'a' }, { support: 'b' }]).hypotheses.c!.status).toBe('supported');
  });

  it('confirm wins over any later rule_out or support', () => {
    const s = withEffects([{ confirm: 'proved' }, { rule_out: 'later' }, { support: 'more' }]);
    expect(s.hypotheses.c!.status).toBe('confirmed');
    expect(s.hypotheses.c!.evidence).toHaveLength(3);
  });

  it('confirm in the same transition as rule_out wins', () => {
    expect(withEffects([{ rule_out: 'x', confirm: 'y' }]).hypotheses.c!.status).toBe('confirmed');
  });
});

describe('call steps', () => {
  const sub = playbook(
    'sub',
    [
      run('look', ['look', '{{target}}', '{{mode}}'], { parse: 'lines' }, {
        transitions: [{ when: 'look.count > 1', support: { shared: 'sub saw {{look.count}} lines' }, next: 'found' }],
        otherwise: { next: 'extra' },
      }),
      conclude('found', 'local-only', 'sub found it on {{target}}'),
      run('extra', ['extra']),
    ],
    {
      causes: [cause('shared'), cause('local-only')],
      inputs: [
        { name: 'target', prompt: 't', required: true },
        { name: 'mode', prompt: 'm', default: 'fast', required: true },
      ],
    },
  );
  const root = playbook(
    'root',
    [
      call('delegate', 'sub', { target: '{{host}}' }, {
        as: 'sub',
        transitions: [{ when: 'sub.status == "concluded" && sub.facts.look.count == 2', confirm: { shared: '{{sub.evidence}}' }, next: 'yes' }],
        otherwise: { next: 'no' },
      }),
      conclude('yes', 'shared', 'sub-playbook said so'),
      conclude('no', 'inconclusive', 'sub-playbook found nothing'),
    ],
    { causes: [cause('shared')] },
  );
  const cat = catalogOf(root, sub);

  it('runs the sub-playbook with rendered inputs and defaults, and returns its result to the caller', () => {
    const seen: RunEffect[] = [];
    const { state } = walk(cat, 'root', (e) => {
      seen.push(e as RunEffect);
      return { type: 'command-finished', effectId: e.id, result: result({ stdout: 'a\nb\n' }) };
    }, { host: 'db-1' });
    expect(seen[0]).toMatchObject({ playbookId: 'sub', stepId: 'look', argv: ['look', 'db-1', 'fast'] });
    expect(state.status).toBe('concluded');
    expect(state.frames).toHaveLength(1);
    const fact = state.frames[0]!.facts.sub as Record<string, unknown>;
    expect(fact).toMatchObject({ status: 'concluded', cause: 'local-only', evidence: 'sub found it on db-1' });
    expect((fact.facts as Record<string, unknown>).target).toBe('db-1');
    // a sub cause with a root cause's id is the same hypothesis; its own causes are namespaced
    expect(Object.keys(state.hypotheses).sort()).toEqual(['shared', 'sub:local-only']);
    expect(state.hypotheses['sub:local-only']!.status).toBe('supported');
    expect(state.hypotheses.shared!.evidence.map((e) => [e.playbookId, e.effect])).toEqual([
      ['sub', 'support'],
      ['root', 'confirm'],
      ['root', 'confirm'],
    ]);
    expect(jsonRoundTrip(state)).toEqual(state);
  });

  it('a sub-playbook that runs off its last step returns status completed', () => {
    const { state } = walk(cat, 'root', (e) => ({ type: 'command-finished', effectId: e.id, result: result({ stdout: 'one\n' }) }), {
      host: 'h',
    });
    expect(state.frames[0]!.facts.sub).toMatchObject({ status: 'completed', cause: null });
    expect(state.outcome!.status).toBe('inconclusive');
  });

  it('a call with a missing variable is skipped with a warning', () => {
    const t = startSession(cat, 'root', {});
    expect(t.state.frames[0]!.facts.sub).toMatchObject({ skipped: true });
    expect(t.state.history[0]!.warnings?.[0]).toMatch(/\{\{host\}\}/);
    expect(t.state.outcome!.status).toBe('inconclusive');
  });
});

describe('foreach steps', () => {
  it('issues up to `concurrency` runs, refills as they finish and stores results in item order', () => {
    const steps = (items: string) => [
      run('load', ['cat'], { parse: 'json' }, { as: 'loaded' }),
      foreach('ping-all', items, 'h', 2, { run: runSpec(['ping', '{{h.ip}}'], { parse: 'lines' }) }, {
        as: 'pings',
        transitions: [{ when: 'pings.all(r, r.ok)', next: 'all-ok' }],
        otherwise: { next: 'some-failed' },
      }),
      conclude('all-ok', 'inconclusive', 'all answered'),
      conclude('some-failed', 'inconclusive', '{{pings[2].item.ip}} failed'),
    ];
    const hosts = JSON.stringify([{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }, { noip: true }, { ip: '10.0.0.5' }]);
    const loaded = result({ stdout: `{"list": ${hosts}}` });

    // `loaded` is an object, not a list: the foreach is skipped with a warning
    const notList = catalogOf(playbook('p', steps('loaded')));
    let t = startSession(notList, 'p', {});
    t = applyEvent(notList, t.state, { type: 'command-finished', effectId: t.effects[0]!.id, result: loaded });
    expect(t.state.history[1]!.warnings?.[0]).toMatch(/not a list/);
    expect(t.state.frames[0]!.facts.pings).toMatchObject({ skipped: true });

    const setup2 = catalogOf(playbook('p', steps('loaded.list')));
    t = startSession(setup2, 'p', {});
    t = applyEvent(setup2, t.state, { type: 'command-finished', effectId: t.effects[0]!.id, result: loaded });
    expect(t.effects.map((e) => (e as RunEffect).argv)).toEqual([
      ['ping', '10.0.0.1'],
      ['ping', '10.0.0.2'],
    ]);
    const [a, b] = t.effects as RunEffect[];
    // the second finishes first and fails: item 3 starts; item 4 has no ip and is skipped
    t = applyEvent(setup2, t.state, { type: 'command-finished', effectId: b!.id, result: result({ exitCode: 1 }) });
    expect(t.effects.map((e) => (e as RunEffect).argv)).toEqual([['ping', '10.0.0.3']]);
    const c = t.effects[0] as RunEffect;
    t = applyEvent(setup2, t.state, { type: 'command-finished', effectId: c.id, result: result() });
    expect(t.effects.map((e) => (e as RunEffect).argv)).toEqual([['ping', '10.0.0.5']]);
    const e5 = t.effects[0] as RunEffect;
    expect(t.state.pending.map((p) => p.id)).toEqual([a!.id, e5.id]);
    expect(jsonRoundTrip(t.state)).toEqual(t.state);
    t = applyEvent(setup2, t.state, { type: 'cancelled', effectId: e5.id });
    t = applyEvent(setup2, t.state, { type: 'command-finished', effectId: a!.id, result: result({ stdout: 'pong\n' }) });
    expect(t.state.status).toBe('inconclusive');
    const results = t.state.frames[0]!.facts.pings as Record<string, unknown>[];
    expect(results.map((r) => [r.index, r.ok, r.skipped, r.cancelled])).toEqual([
      [0, true, false, false],
      [1, false, false, false],
      [2, true, false, false],
      [3, false, true, false],
      [4, false, false, true],
    ]);
    expect(results[0]).toMatchObject({ item: { ip: '10.0.0.1' }, count: 1, first: 'pong' });
    expect(t.state.history[1]!.summary).toBe('5 items: 2 ok, 1 failed, 2 skipped or cancelled');
    expect(t.state.history[1]!.warnings?.[0]).toMatch(/item 3: missing template variable: \{\{h.ip\}\}/);
    expect(t.state.history[1]!.next).toBe('some-failed');
  });

  it('an empty list completes at once with []', () => {
    const cat = catalogOf(
      playbook('p', [foreach('f', '[]', 'x', 4, { run: runSpec(['echo', '{{x}}']) }), conclude('end', 'inconclusive', 'n={{f}}')]),
    );
    const t = startSession(cat, 'p', {});
    expect(t.state.frames[0]!.facts.f).toEqual([]);
    expect(t.state.outcome!.evidence[0]).toBe('n=[]');
  });

  it('calls a sub-playbook for each item, one at a time', () => {
    const sub = playbook('sub', [run('r', ['probe', '{{node}}']), conclude('c', 'inconclusive', 'probed {{node}}')], {
      inputs: [{ name: 'node', prompt: 'n', required: true }],
    });
    const root = playbook('root', [
      foreach('each', '["n1", "n2", "n3"]', 'n', 8, { call: { playbook: 'sub', with: { node: '{{n}}' } } }),
      conclude('end', 'inconclusive', '{{each[2].evidence}}'),
    ]);
    const cat = catalogOf(root, sub);
    let t = startSession(cat, 'root', {});
    const order: string[] = [];
    while (t.state.status === 'running') {
      expect(t.state.pending).toHaveLength(1);
      const e = t.state.pending[0] as RunEffect;
      order.push(e.argv[1]!);
      t = applyEvent(cat, t.state, { type: 'command-finished', effectId: e.id, result: result() });
    }
    expect(order).toEqual(['n1', 'n2', 'n3']);
    const each = t.state.frames[0]!.facts.each as Record<string, unknown>[];
    expect(each.map((x) => [x.item, x.status, x.evidence])).toEqual([
      ['n1', 'inconclusive', 'probed n1'],
      ['n2', 'inconclusive', 'probed n2'],
      ['n3', 'inconclusive', 'probed n3'],
    ]);
    expect(t.state.outcome!.evidence[0]).toBe('probed n3');
  });
});

describe('read-only, step bound, end of playbook, inputs', () => {
  const mutating = (alt?: string) =>
    catalogOf(
      playbook('p', [
        run('scale', ['kubectl', 'scale', '--replicas=1', 'deploy/x'], { mutates: true, ...(alt ? { readOnlyAlternative: alt } : {}) }),
        conclude('after', 'inconclusive', 'after scaling'),
        conclude('alt', 'inconclusive', 'the read-only way'),
      ]),
    );

  it('read-only takes the read_only_alternative of a mutating step', () => {
    const t = startSession(mutating('alt'), 'p', {}, { readOnly: true });
    expect(t.effects.map((e) => e.type)).toEqual(['done']);
    expect(t.state.outcome!.evidence[0]).toBe('the read-only way');
    expect(t.state.history[0]!.summary).toMatch(/read-only.*read_only_alternative alt/);
  });

  it('read-only without an alternative ends inconclusive saying why', () => {
    const t = startSession(mutating(), 'p', {}, { readOnly: true });
    expect(t.state.status).toBe('inconclusive');
    expect(t.state.outcome!.reason).toMatch(/read-only: step scale would change the cluster \(kubectl scale --replicas=1 deploy\/x\).*no read_only_alternative/);
  });

  it('without read-only the mutating command is issued with mutates: true', () => {
    const t = startSession(mutating('alt'), 'p', {});
    expect(t.effects[0]).toMatchObject({ type: 'run', mutates: true });
  });

  it('a loop ends inconclusive at the step bound', () => {
    const cat = catalogOf(playbook('p', [run('again', ['true'], {}, { transitions: [{ when: 'true', next: 'again' }] })]));
    const { state } = walk(cat, 'p', (e) => ({ type: 'command-finished', effectId: e.id, result: result() }), {}, { maxSteps: 25 });
    expect(state.status).toBe('inconclusive');
    expect(state.stepsTaken).toBe(26);
    expect(state.history).toHaveLength(25);
    expect(state.outcome!.reason).toMatch(/step limit of 25 reached at step again of p/);
  });

  it('a loop with no I/O is bounded too', () => {
    const sub = playbook('sub', [conclude('c', 'inconclusive', 'x')]);
    const cat = catalogOf(playbook('p', [call('c', 'sub', {}, { transitions: [{ when: 'true', next: 'c' }] })]), sub);
    const t = startSession(cat, 'p', {}, { maxSteps: 1000 });
    expect(t.state.status).toBe('inconclusive');
    expect(t.state.outcome!.reason).toMatch(/step limit of 1000/);
  });

  it('falling off the end of the root playbook is inconclusive', () => {
    const cat = catalogOf(playbook('p', [run('a', ['true'])]));
    const { state } = walk(cat, 'p', (e) => ({ type: 'command-finished', effectId: e.id, result: result() }));
    expect(state.outcome).toMatchObject({ status: 'inconclusive', reason: 'playbook p ended after step a without a conclusion' });
  });

  it('a missing required input aborts at start, naming it', () => {
    const cat = catalogOf(playbook('p', [run('a', ['true'])], { inputs: [{ name: 'ns', prompt: 'namespace', required: true }] }));
    const t = startSession(cat, 'p', {});
    expect(t.state.outcome).toMatchObject({ status: 'aborted', reason: 'playbook p needs input ns' });
  });

  it('an unknown root playbook throws (a caller bug, not a session outcome)', () => {
    expect(() => startSession(catalogOf(), 'nope', {})).toThrow(/unknown playbook "nope"/);
  });
});
