// Validation of the `parallel` step kind: every problem at file:line:col.
import { describe, expect, it } from 'vitest';
import { loadPlaybookTexts, playbookJsonSchema } from '../../src/playbook/index.js';
import { mutatingArgIndex } from '../../src/playbook/read-only.js';

function validate(body: string): { errors: string[]; warnings: string[]; steps: unknown[] } {
  const text = `id: t\ntitle: T\nsummary: S\ncauses:\n  - {id: c, title: C, explanation: E, fix: {text: F}}\n${body}`;
  const r = loadPlaybookTexts([{ file: '/pb/t.yaml', text }]);
  const fmt = (d: { file: string; line: number; col: number; message: string }) => `${d.file}:${d.line}:${d.col}: ${d.message}`;
  return { errors: r.errors.map(fmt), warnings: r.warnings.map(fmt), steps: r.catalog.t?.steps ?? [] };
}

const END = `  - id: end
    title: End
    why: w
    conclude: {cause: inconclusive, evidence: '{{reads.ok_count}} {{a.ok}} {{b.ok}}'}
`;

/** the playbook body made of `parts` (each ends in a newline), then END */
const yaml = (...parts: string[]) => `${parts.join('')}${END}`;
/** a parallel step 'reads' (4 lines), its branches to follow */
const READS = '  - id: reads\n    title: Reads\n    why: w\n    parallel:\n';
/** a branch of READS: id, title, `why: w`, then its own `lines` */
const branch = (id: string, title: string, ...lines: string[]) =>
  [`- id: ${id}`, `  title: ${title}`, '  why: w', ...lines.map((l) => `  ${l}`)].map((l) => `      ${l}\n`).join('');
const ECHO = 'run: {argv: [echo]}';
const ONLY_READ = 'a branch of a parallel step must only read; run a command that changes something as a step of its own';

describe('mutatingArgIndex: which argv element makes a command a change', () => {
  it.each([
    [['kubectl', 'get', 'pods'], -1],
    [['kubectl', '-n', 'delete', 'get', 'pods'], -1],
    [['kubectl', '--namespace=x', 'delete', 'pod', 'y'], 2],
    [['kubectl', 'rollout', 'status', 'deploy/x'], -1],
    [['kubectl', 'rollout', 'undo', 'deploy/x'], 1],
    [['kubectl', '{{verb}}', 'pods'], -1],
    [['kubectl', 'config', 'view', '--minify'], -1],
    [['/usr/bin/kubectl', 'scale', 'deploy/x', '--replicas=1'], 1],
    [['sysctl', 'net.ipv4.tcp_tw_recycle'], -1],
    [['sysctl', '-w', 'net.ipv4.tcp_tw_recycle=0'], 1],
    [['sysctl', 'net.ipv4.tcp_tw_recycle=0'], 1],
    [['ip', '-j', 'addr', 'show'], -1],
  ] as const)('%j → %i', (argv, want) => {
    expect(mutatingArgIndex(argv)).toBe(want);
  });
});

describe('parallel steps', () => {
  it('a valid parallel step normalises to branches with evidence-only transitions', () => {
    const r = validate(`steps:
  - id: reads
    title: Reads
    why: w
    parallel:
      - id: read-a
        title: A
        why: w
        as: a
        run: {argv: [kubectl, get, pods], timeout: 5s, parse: kubectl-pods}
        transitions:
          - {when: 'a.count > 1', support: {c: 'many pods: {{a.count}}'}}
        otherwise: {rule_out: {c: 'few'}}
      - id: read-b
        title: B
        why: w
        as: b
        run: {argv: [kubectl, get, endpoints]}
    transitions:
      - {when: 'a.ok && b.ok', next: end, set: {both: 'yes'}}
${END}`);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.steps[0]).toMatchObject({
      kind: 'parallel',
      parallel: [
        { id: 'read-a', as: 'a', run: { argv: ['kubectl', 'get', 'pods'], timeoutMs: 5000, mutates: false, parse: 'kubectl-pods' }, transitions: [{ when: 'a.count > 1', support: { c: 'many pods: {{a.count}}' } }], otherwise: { rule_out: { c: 'few' } } },
        { id: 'read-b', as: 'b', transitions: [] },
      ],
      transitions: [{ when: 'a.ok && b.ok', next: 'end', set: { both: 'yes' } }],
    });
  });

  // validate's preamble is lines 1-5, 'steps:' line 6; READS then takes lines 7-10, so its
  // first branch starts on line 11 (id, title, why, then the branch's own lines in order)
  it.each<[string, string, string[]]>([
    [
      "a branch that reads a sibling branch's fact (in its command or its transitions)",
      yaml(
        'steps:\n',
        READS,
        branch('a', 'A', "run: {argv: [echo, '{{b.stdout}}']}"),
        branch('b', 'B', ECHO, 'transitions:', "  - {when: 'a.ok', support: {c: 'x'}}"),
      ),
      [
        "/pb/t.yaml:14:29: 'b' is the result of branch 'b', which runs at the same time as this one; read it in the parallel step's own transitions or in a later step",
        "/pb/t.yaml:20:21: 'a' is the result of branch 'a', which runs at the same time as this one; read it in the parallel step's own transitions or in a later step",
      ],
    ],
    [
      'a branch reads facts from before the step, and its own in its transitions',
      yaml(
        'steps:\n',
        '  - id: first\n    title: First\n    why: w\n    run: {argv: [echo]}\n',
        READS,
        branch('a', 'A', "run: {argv: [echo, '{{first.stdout}}']}", 'transitions:', "  - {when: 'a.ok', support: {c: '{{a.stdout}} {{first.stdout}}'}}"),
        branch('b', 'B', "run: {argv: [echo, '{{later}}']}"),
        "  - id: later\n    title: Later\n    why: w\n    run: {argv: [echo, '{{a.stdout}}', '{{b.stdout}}']}\n",
      ),
      // 'later' is the fact of a step that only comes after
      [
        "/pb/t.yaml:24:29: 'later' is used but never set before this step; set it with an input, an earlier step (its id or 'as'), a foreach 'as' or 'set:'",
      ],
    ],
    [
      'next or set in a branch transition',
      yaml(
        'steps:\n',
        READS,
        branch('a', 'A', ECHO, 'transitions:', "  - {when: 'a.ok', next: end}"),
        branch('b', 'B', ECHO, 'otherwise: {set: {x: y}}'),
      ),
      [
        "/pb/t.yaml:16:34: steps[0].parallel[0].transitions[0].next: a branch of a parallel step only adds evidence (support, rule_out, confirm); put 'next' and 'set' in the parallel step's own transitions",
        "/pb/t.yaml:21:26: steps[0].parallel[1].otherwise.set: a branch of a parallel step only adds evidence (support, rule_out, confirm); put 'next' and 'set' in the parallel step's own transitions",
      ],
    ],
    [
      'a mutating branch: mutates: true, a kubectl verb that changes things, undo, read_only_alternative',
      yaml(
        'steps:\n',
        READS,
        branch('a', 'A', 'run: {argv: [kubectl, label, pod, x, y=z], mutates: true, undo: [kubectl, label, pod, x, y-]}'),
        branch('b', 'B', 'run: {argv: [kubectl, -n, default, delete, pod, x]}'),
        branch('c1', 'C', 'run: {argv: [kubectl, rollout, restart, deploy/x]}'),
        branch('d', 'D', 'run: {argv: [kubectl, get, pods], read_only_alternative: end}'),
      ),
      [
        `/pb/t.yaml:14:61: ${ONLY_READ}`,
        `/pb/t.yaml:14:73: ${ONLY_READ} (it has nothing to undo)`,
        `/pb/t.yaml:18:44: 'kubectl -n default delete' changes the cluster; ${ONLY_READ}`,
        `/pb/t.yaml:22:31: 'kubectl rollout' changes the cluster; ${ONLY_READ}`,
        `/pb/t.yaml:26:66: ${ONLY_READ} (it runs under --read-only as it is)`,
      ],
    ],
    [
      'duplicate branch ids, a branch id equal to a step id, clashing fact names, a next to a branch',
      yaml(
        'steps:\n',
        READS,
        branch('a', 'A', ECHO),
        branch('a', 'A again', ECHO),
        branch('end', 'End', ECHO),
        branch('b', 'B', 'as: a', ECHO),
        "    transitions:\n      - {when: 'true', next: b}\n",
      ),
      [
        "/pb/t.yaml:15:13: duplicate branch id 'a' (also a branch of step 'reads')",
        "/pb/t.yaml:15:13: fact 'a' is also the result of branch 'a'; give this branch another 'as'",
        "/pb/t.yaml:19:13: branch id 'end' is also the id of step 2; branch and step ids must all differ",
        "/pb/t.yaml:26:13: fact 'a' is also the result of branch 'a'; give this branch another 'as'",
        "/pb/t.yaml:29:30: next 'b' is a branch of parallel step 'reads', not a step; go to 'reads' to run its branches",
        // branch b stores its result as 'a': there is no fact 'b'
        "/pb/t.yaml:33:76: 'b' is used but never set before this step; set it with an input, an earlier step (its id or 'as'), a foreach 'as' or 'set:'",
      ],
    ],
    [
      'a parallel step needs at least two branches, each with a run',
      yaml('steps:\n', READS, branch('a', 'A')),
      [
        "/pb/t.yaml:11:9: steps[0].parallel[0]: missing required key 'run'",
        '/pb/t.yaml:11:7: steps[0].parallel: Too small: expected array to have >=2 items',
      ].sort(),
    ],
  ])('%s', (_name, text, errors) => {
    expect(validate(text).errors).toEqual(errors);
  });

  it('only_if is CEL over the facts from before the step: a syntax error or a sibling fact is reported', () => {
    const r = validate(
      yaml('steps:\n', READS, branch('a', 'A', "only_if: 'b.ok &&'", ECHO), branch('b', 'B', "only_if: 'a.ok'", ECHO)),
    );
    expect(r.errors).toHaveLength(2);
    expect(r.errors[0]).toMatch(/^\/pb\/t\.yaml:14:\d+: CEL: /);
    expect(r.errors[1]).toBe("/pb/t.yaml:19:19: 'a' is the result of branch 'a', which runs at the same time as this one; read it in the parallel step's own transitions or in a later step");
    const ok = validate(
      yaml(
        "inputs:\n  - {name: client, prompt: P, default: ''}\nsteps:\n",
        READS,
        branch('a', 'A', `only_if: 'client != ""'`, "run: {argv: [echo, '{{client}}']}"),
        branch('b', 'B', ECHO),
      ),
    );
    expect(ok.errors).toEqual([]);
    expect(ok.steps[0]).toMatchObject({ parallel: [{ id: 'a', onlyIf: 'client != ""' }, { id: 'b' }] });
  });

  it('the JSON Schema of `netwiz schema` describes the new kind', () => {
    const s = JSON.stringify(playbookJsonSchema());
    expect(s).toContain('"parallel"');
    expect(s).toContain('independent read-only commands run at once');
  });
});
