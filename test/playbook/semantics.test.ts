// Graph and dataflow rules of validation on small in-memory playbooks.
import { describe, expect, it } from 'vitest';
import { loadPlaybookTexts } from '../../src/playbook/index.js';
import { scalarOffsets } from '../../src/playbook/source.js';

function validate(body: string): { errors: string[]; warnings: string[] } {
  const text = `id: t\ntitle: T\nsummary: S\n${body}`;
  const r = loadPlaybookTexts([{ file: '/pb/t.yaml', text }]);
  const fmt = (d: { line: number; col: number; message: string }) => `${d.line}:${d.col}: ${d.message}`;
  return { errors: r.errors.map(fmt), warnings: r.warnings.map(fmt) };
}

describe('step graph', () => {
  it('a loop with a way out (a transition leaving it) is fine', () => {
    const r = validate(`steps:
  - id: poll
    title: Poll
    why: w
    run: {argv: [echo]}
    transitions:
      - {when: 'poll.ok', next: done}
    otherwise: poll
  - id: done
    title: Done
    why: w
    conclude: {cause: inconclusive}
`);
    expect(r).toEqual({ errors: [], warnings: [] });
  });

  it('a self-loop without a way out is reported at its step', () => {
    const r = validate(`steps:
  - id: spin
    title: Spin
    why: w
    run: {argv: [echo]}
    otherwise: spin
`);
    expect(r.errors).toEqual(['5:9: steps spin form a cycle with no way out: add a transition that leaves it or a conclude step']);
  });

  it('read_only_alternative counts as a way to reach a step', () => {
    const r = validate(`steps:
  - id: change
    title: Change
    why: w
    run: {argv: [echo], mutates: true, undo: [echo], read_only_alternative: look}
    otherwise: end
  - id: look
    title: Look
    why: w
    run: {argv: [echo]}
  - id: end
    title: End
    why: w
    conclude: {cause: inconclusive}
`);
    expect(r).toEqual({ errors: [], warnings: [] });
  });

  it('a conclude step with transitions is an error (they would never run)', () => {
    const r = validate(`steps:
  - id: end
    title: End
    why: w
    conclude: {cause: inconclusive}
    otherwise: end
`);
    expect(r.errors).toEqual(['9:16: a conclude step ends the playbook; its transitions would never be used']);
  });
});

describe('variables: set before use', () => {
  it('a value set inside a loop is known on the next round; a foreach `as` only inside its do', () => {
    const r = validate(`inputs:
  - {name: host, prompt: Host}
steps:
  - id: first
    title: First
    why: w
    run: {argv: [ping, '{{host}}']}
    transitions:
      - {when: 'first.ok', set: {seen: 'yes'}, next: second}
    otherwise: first
  - id: second
    title: Second
    why: w
    foreach: {items: '[1, 2]', as: n, do: {run: {argv: [echo, '{{n}}', '{{seen}}']}}}
    transitions:
      - {when: 'size(second) == 2 && n == 1', next: first}
    otherwise: end
  - id: end
    title: End
    why: w
    conclude: {cause: inconclusive, evidence: '{{seen}} {{second}}'}
`);
    expect(r.errors).toEqual([
      "19:38: 'n' is used but never set before this step; set it with an input, an earlier step (its id or 'as'), a foreach 'as' or 'set:'",
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('warns when only some paths set a name, or when an optional input has no default', () => {
    const r = validate(`inputs:
  - {name: pod, prompt: Pod, required: false}
  - {name: ns, prompt: Namespace, required: false, default: default}
steps:
  - id: ask
    title: Ask
    why: w
    ask: {type: confirm, prompt: 'Use {{pod}} in {{ns}}?'}
    transitions:
      - {when: 'ask', set: {mode: fast}, next: end}
  - id: slow
    title: Slow
    why: w
    run: {argv: [echo]}
  - id: end
    title: End
    why: w
    conclude: {cause: inconclusive, evidence: 'mode {{mode}}'}
`);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([
      "11:39: 'pod' may be unset here: it is an optional input without a default",
      "21:53: 'mode' may be unset here: only some paths to step 'end' set it",
    ]);
  });

  it('facts["step-id"] reads a step with a dash; has(facts.x) does not require x', () => {
    const r = validate(`steps:
  - id: read-mtu
    title: Read
    why: w
    run: {argv: [ip, link]}
    transitions:
      - {when: 'facts["read-mtu"].ok && has(facts.later)', next: end}
      - {when: 'facts["nothing-here"].ok', next: end}
  - id: end
    title: End
    why: w
    conclude: {cause: inconclusive, evidence: '{{read-mtu.stdout}} {{facts["read-mtu"].ok}}'}
`);
    expect(r.errors).toEqual([
      "11:23: 'nothing-here' is used but never set before this step; set it with an input, an earlier step (its id or 'as'), a foreach 'as' or 'set:'",
    ]);
  });

  it('a step sees its own result only in its transitions, not in its command', () => {
    const r = validate(`steps:
  - id: s
    title: S
    why: w
    run: {argv: [echo, '{{s.stdout}}']}
    as: res
    transitions:
      - {when: 'res.ok', support: {c: 'out {{res.stdout}}'}}
causes:
  - {id: c, title: C, explanation: E, fix: {text: F}}
`);
    expect(r.errors).toEqual([
      "8:25: 's' is used but never set before this step; set it with an input, an earlier step (its id or 'as'), a foreach 'as' or 'set:'",
    ]);
  });
});

describe('positions inside scalars', () => {
  it('maps value offsets back to the source for every scalar style', () => {
    const at = (raw: string, type: string, ch: string) => {
      const m = scalarOffsets(raw, type)!;
      return raw[m.offsets[m.text.indexOf(ch)]!];
    };
    expect(scalarOffsets("'it''s x'", 'QUOTE_SINGLE')).toEqual({ text: "it's x", offsets: [1, 2, 3, 5, 6, 7] });
    expect(at('"a\\tb\\"c"', 'QUOTE_DOUBLE', 'c')).toBe('c');
    expect(scalarOffsets('a &&\n    b', 'PLAIN')).toEqual({ text: 'a && b', offsets: [0, 1, 2, 3, 4, 9] });
    expect(scalarOffsets('"x\n   y"', 'QUOTE_DOUBLE')?.text).toBe('x y');
    expect(scalarOffsets("'x\n\n   y'", 'QUOTE_SINGLE')?.text).toBe('x\ny');
    expect(scalarOffsets('|-\n  a\n    b\n', 'BLOCK_LITERAL')).toEqual({ text: 'a\n  b', offsets: [5, 6, 9, 10, 11] });
    expect(scalarOffsets('|\n  a\n', 'BLOCK_LITERAL')?.text).toBe('a\n');
  });

  it('a CEL error in a multi-line plain scalar points at the right line', () => {
    const r = validate(`steps:
  - id: s
    title: S
    why: w
    run: {argv: [echo]}
    transitions:
      - when: s.ok &&
          s.exit_code == ) 0
        next: s2
  - id: s2
    title: S2
    why: w
    conclude: {cause: inconclusive}
`);
    expect(r.errors).toEqual(['11:23: CEL: found = but expecting end of input']);
  });
});

describe('questions and inputs', () => {
  it('checks patterns compile, defaults fit their pattern or choices, and choice questions have choices', () => {
    const r = validate(`inputs:
  - {name: ns, prompt: Namespace, pattern: '^[a-z]+$', default: Bad_NS}
  - {name: other, prompt: Other, pattern: '([a-z'}
steps:
  - id: pick
    title: Pick
    why: w
    ask: {type: choice, prompt: Which?, choices: [a, b], default: c}
  - id: free
    title: Free
    why: w
    ask: {type: choice, prompt: Which?}
  - id: end
    title: End
    why: w
    conclude: {cause: inconclusive}
`);
    expect(r.errors).toEqual([
      "5:65: default 'Bad_NS' does not match the input's pattern",
      '6:43: pattern is not a valid regular expression: Invalid regular expression: /([a-z/: Unterminated character class',
      "11:67: default 'c' is not one of the choices",
      "15:10: a choice question needs 'choices: [...]'",
    ]);
  });
});

describe('names', () => {
  it("input choices may only use earlier inputs, and 'facts' is reserved", () => {
    const r = validate(`inputs:
  - name: pod
    prompt: Pod
    choices: {argv: [kubectl, -n, '{{ns}}', get, pods, -o, json], parse: json}
  - {name: ns, prompt: Namespace}
  - {name: facts, prompt: Oops}
steps:
  - id: s
    title: S
    why: w
    run: {argv: [echo]}
    as: facts
    transitions:
      - {when: 'true', set: {facts: x}, next: end}
  - id: end
    title: End
    why: w
    conclude: {cause: inconclusive}
`);
    expect(r.errors).toEqual([
      "7:36: 'ns' is not an input declared before 'pod'; choices can only use earlier inputs",
      "9:12: 'facts' is reserved: in expressions it means the whole fact map; pick another name",
      "15:9: 'facts' is reserved: in expressions it means the whole fact map; pick another name",
      "17:30: 'facts' is reserved: in expressions it means the whole fact map; pick another name",
    ]);
  });
});

describe('typo suggestions', () => {
  it('suggests a near step or cause id, and lists them when nothing is near', () => {
    const r = validate(`causes:
  - {id: overlay-mtu, title: T, explanation: E, fix: {text: F}}
steps:
  - id: sweep
    title: S
    why: w
    run: {argv: [echo]}
    transitions:
      - {when: 'true', next: sweeep, support: {overlay-mut: x}}
    otherwise: far-away-step
  - id: end
    title: End
    why: w
    conclude: {cause: overlay_mtu}
`);
    expect(r.errors).toEqual([
      "12:30: next 'sweeep' is not a step of this playbook; did you mean 'sweep'?",
      "12:48: unknown cause 'overlay-mut'; did you mean 'overlay-mtu'?",
      "13:16: otherwise 'far-away-step' is not a step of this playbook; steps: sweep, end",
      "14:9: step 'end' is unreachable: no step leads to it (the first step is the entry point)",
      "17:23: unknown cause 'overlay_mtu'; did you mean 'overlay-mtu'?",
    ]);
  });
});
