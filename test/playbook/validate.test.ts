// Each kind of validation error, asserted at its exact file:line:col (fixtures in
// test/fixtures/playbook/bad, checked against the valid playbooks in .../good).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, loadPlaybookFiles, playbookFilesIn } from '../../src/playbook/index.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/playbook');
const good = playbookFilesIn(path.join(fixtures, 'good'));

/** Errors (and warnings) of one bad fixture, as `name.yaml:line:col: message`. */
function check(name: string): { errors: string[]; warnings: string[] } {
  const file = path.join(fixtures, 'bad', name);
  const r = loadPlaybookFiles([...good, file], new Set([file]));
  const cwd = path.join(fixtures, 'bad');
  return { errors: r.errors.map((d) => formatDiagnostic(d, cwd)), warnings: r.warnings.map((d) => formatDiagnostic(d, cwd)) };
}

describe('netwiz validate: positions of every kind of error', () => {
  it('accepts the valid fixtures with no error and no warning', () => {
    const r = loadPlaybookFiles(good);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(Object.keys(r.catalog).sort()).toEqual(['sample-sub', 'sample-triage']);
  });

  it('YAML syntax errors carry the parser position', () => {
    expect(check('yaml-syntax.yaml').errors).toEqual([
      'yaml-syntax.yaml:10:3: YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  it('schema errors: missing key, unknown target kind, bad duration, unknown key', () => {
    expect(check('schema-errors.yaml').errors).toEqual([
      "schema-errors.yaml:5:5: steps[0]: missing required key 'why'",
      'schema-errors.yaml:9:15: steps[0].run.target: Invalid option: expected one of "workstation"|"pod"|"node"',
      'schema-errors.yaml:10:16: steps[0].run.timeout: a duration like 500ms, 10s or 2m',
      "schema-errors.yaml:11:7: steps[0].run: unknown key 'retries'",
    ]);
  });

  it('unknown next / otherwise / read_only_alternative and unknown cause ids', () => {
    expect(check('unknown-refs.yaml').errors).toEqual([
      "unknown-refs.yaml:17:30: read_only_alternative 'nowhere' is not a step of this playbook; steps: first, second, done",
      "unknown-refs.yaml:20:15: next 'missing-step' is not a step of this playbook; steps: first, second, done",
      "unknown-refs.yaml:23:11: unknown cause 'ghost'; this playbook declares: real",
      "unknown-refs.yaml:25:18: unknown cause 'phantom'; this playbook declares: real",
      "unknown-refs.yaml:27:9: step 'second' is unreachable: no step leads to it (the first step is the entry point)",
      "unknown-refs.yaml:31:16: otherwise 'nope' is not a step of this playbook; steps: first, second, done",
      "unknown-refs.yaml:36:14: unknown cause 'other-cause'; this playbook declares: real",
    ]);
  });

  it('duplicate step and cause ids', () => {
    expect(check('duplicates.yaml').errors).toEqual([
      "duplicates.yaml:6:10: duplicate cause id 'c1'",
      "duplicates.yaml:12:9: duplicate step id 's' (first defined as step 1)",
    ]);
  });

  it('unreachable step and a cycle with no way out', () => {
    expect(check('graph.yaml').errors).toEqual([
      "graph.yaml:10:9: step 'orphan' is unreachable: no step leads to it (the first step is the entry point)",
      'graph.yaml:14:9: steps loop-a → loop-b form a cycle with no way out: add a transition that leaves it or a conclude step',
    ]);
  });

  it('variables used but never set (templates and CEL), bad template paths, and set-on-some-paths warnings', () => {
    const r = check('variables.yaml');
    expect(r.errors).toEqual([
      "variables.yaml:11:47: 'podname' is used but never set before this step; set it with an input, an earlier step (its id or 'as'), a foreach 'as' or 'set:'",
      "variables.yaml:14:26: 'later' is used but never set before this step; set it with an input, an earlier step (its id or 'as'), a foreach 'as' or 'set:'",
      "variables.yaml:26:58: template '{{bad path!}}' is not a fact path; write {{name}}, {{name.field}} or {{name[0]}}",
    ]);
    expect(r.warnings).toEqual(["variables.yaml:26:25: 'picked' may be unset here: only some paths to step 'use' set it"]);
  });

  it('CEL syntax errors and unknown functions point inside plain, single-quoted, double-quoted and block scalars', () => {
    expect(check('cel-errors.yaml').errors).toEqual([
      'cel-errors.yaml:10:20: CEL: found & but expecting end of input',
      'cel-errors.yaml:12:28: CEL: found = but expecting end of input',
      'cel-errors.yaml:14:34: CEL: found ] but expecting end of input',
      'cel-errors.yaml:18:30: CEL: found + but expecting end of input',
      "cel-errors.yaml:21:25: CEL: unknown function 'lowerAscii'",
    ]);
  });

  it('unknown parser, pod/node targets without pod/node, mutates without undo', () => {
    const errors = check('exec-specs.yaml').errors;
    // the registry grows as parsers land; the message lists whatever it holds
    expect(errors[errors.length - 1]).toMatch(/^exec-specs\.yaml:31:32: unknown parser 'zzzzzzzzzz'; known parsers: (.+, )?json, (.+, )?lines(, .+)?$/);
    expect(errors.slice(0, -1)).toEqual([
      "exec-specs.yaml:10:14: unknown parser 'jsn'; did you mean 'json'?",
      "exec-specs.yaml:16:15: a pod target needs 'pod: <pod name>'",
      "exec-specs.yaml:22:15: a node target needs 'node: <node name>'",
      "exec-specs.yaml:23:16: a mutating command needs 'undo: [argv…]' that puts back what it changed",
      "exec-specs.yaml:28:9: step 'e' is unreachable: no step leads to it (the first step is the entry point)",
    ]);
  });

  it('unknown sub-playbook, unknown and missing inputs of a call (also inside foreach)', () => {
    expect(check('calls.yaml').errors).toEqual([
      "calls.yaml:8:22: unknown playbook 'no-such-playbook'; add playbooks/no-such-playbook.yaml or check the id with 'netwiz list'",
      "calls.yaml:15:9: 'sample-sub' has no input 'nmae'; its inputs: name",
      "calls.yaml:15:9: call of 'sample-sub' misses its required input 'name'; add it under 'with:'",
      "calls.yaml:23:15: call of 'sample-sub' misses its required input 'name'; add it under 'with:'",
    ]);
  });

  it('steps without exactly one kind, and an id that does not match the file name', () => {
    expect(check('kinds.yaml').errors).toEqual([
      "kinds.yaml:1:5: playbook id 'wrong-name' does not match the file name 'kinds.yaml'; rename one of them",
      "kinds.yaml:5:5: step 'none' has no kind; give it one of run, ask, call, foreach, parallel, conclude",
      "kinds.yaml:12:10: step 'two' has several kinds (run, ask); a step does exactly one thing",
    ]);
  });

  it('an alias bomb is an error, not a hang', () => {
    expect(check('alias-bomb.yaml').errors).toEqual([
      'alias-bomb.yaml:1:1: YAML: Excessive alias count indicates a resource exhaustion attack (aliases expand to more than 100 nodes)',
    ]);
  });

  it('errors of several files come back together, sorted by file and position', () => {
    const files = ['duplicates.yaml', 'graph.yaml'].map((f) => path.join(fixtures, 'bad', f));
    const r = loadPlaybookFiles([...good, ...files], new Set(files));
    expect(r.errors.map((d) => `${path.basename(d.file)}:${d.line}:${d.col}`)).toEqual([
      'duplicates.yaml:6:10',
      'duplicates.yaml:12:9',
      'graph.yaml:10:9',
      'graph.yaml:14:9',
    ]);
    expect(r.catalog['graph']).toBeUndefined();
    expect(r.catalog['sample-sub']).toBeDefined();
  });
});
