// Loading: search path order and overrides, built-in folder, normalisation, and limits
// against hostile files.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  builtinPlaybooksDir,
  LIMITS,
  loadCatalog,
  loadPlaybookFiles,
  parseDuration,
  playbookSearchPath,
} from '../../src/playbook/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const goodDir = path.join(repo, 'test/fixtures/playbook/good');

const tmps: string[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'netwiz-pb-'));
  tmps.push(d);
  return d;
}
afterEach(() => {
  for (const d of tmps.splice(0)) rmSync(d, { recursive: true, force: true });
});

const tiny = (id: string, title: string) => `id: ${id}
title: ${title}
summary: s
steps:
  - id: only
    title: Only
    why: w
    conclude: {cause: inconclusive}
`;

describe('playbook search path', () => {
  it('finds the built-in playbooks/ folder next to package.json', () => {
    expect(builtinPlaybooksDir()).toBe(path.join(repo, 'playbooks'));
  });

  it('orders built-in, then --playbooks dirs, then $NETWIZ_PLAYBOOKS', () => {
    const a = tmp();
    const b = tmp();
    const c = tmp();
    expect(playbookSearchPath([a], { env: { NETWIZ_PLAYBOOKS: `${b}:${c}` } })).toEqual([path.join(repo, 'playbooks'), a, b, c]);
    expect(playbookSearchPath([a, a], { builtin: false, env: false })).toEqual([a]);
  });

  it('a later folder overrides a playbook id with a warning', () => {
    const first = tmp();
    const second = tmp();
    const envDir = tmp();
    writeFileSync(path.join(first, 'probe.yaml'), tiny('probe', 'First'));
    writeFileSync(path.join(second, 'probe.yaml'), tiny('probe', 'Second'));
    writeFileSync(path.join(envDir, 'probe.yaml'), tiny('probe', 'From env'));
    writeFileSync(path.join(second, 'other.yml'), tiny('other', 'Other'));
    writeFileSync(path.join(second, 'notes.txt'), 'not a playbook');

    const r = loadCatalog([first, second], { builtin: false, env: false });
    expect(r.errors).toEqual([]);
    expect(r.catalog['probe']?.title).toBe('Second');
    expect(r.catalog['other']?.title).toBe('Other');
    expect(r.files).toEqual([path.join(first, 'probe.yaml'), path.join(second, 'other.yml'), path.join(second, 'probe.yaml')]);
    expect(r.warnings.map((w) => `${w.file}:${w.line}:${w.col}: ${w.message}`)).toEqual([
      `${path.join(second, 'probe.yaml')}:1:5: playbook 'probe' overrides the one in ${path.join(first, 'probe.yaml')}`,
    ]);

    const withEnv = loadCatalog([first], { builtin: false, env: { NETWIZ_PLAYBOOKS: envDir } });
    expect(withEnv.catalog['probe']?.title).toBe('From env');
  });

  it('two files with the same id in one folder is an error', () => {
    const d = tmp();
    writeFileSync(path.join(d, 'dup.yaml'), tiny('dup', 'A'));
    writeFileSync(path.join(d, 'dup.yml'), tiny('dup', 'B'));
    const r = loadCatalog([d], { builtin: false, env: false });
    expect(r.errors.map((e) => `${path.basename(e.file)}:${e.line}:${e.col}: ${e.message}`)).toEqual([
      `dup.yml:1:5: playbook 'dup' is also defined in ${path.join(d, 'dup.yaml')}`,
    ]);
  });

  it('a user folder can call the sub-playbooks of another folder', () => {
    const d = tmp();
    writeFileSync(
      path.join(d, 'caller.yaml'),
      `id: caller
title: Caller
summary: s
inputs: [{name: host, prompt: Host}]
steps:
  - id: sub
    title: Sub
    why: w
    call: {playbook: sample-sub, with: {name: '{{host}}'}}
  - id: end
    title: End
    why: w
    conclude: {cause: inconclusive, evidence: '{{sub.status}}'}
`,
    );
    const r = loadCatalog([goodDir, d], { builtin: false, env: false });
    expect(r.errors).toEqual([]);
    expect(r.catalog['caller']?.steps[0]).toMatchObject({ kind: 'call', call: { playbook: 'sample-sub', with: { name: '{{host}}' } } });
  });
});

describe('normalisation into the engine model', () => {
  it('applies defaults and shorthands', () => {
    const r = loadCatalog([goodDir], { builtin: false, env: false });
    const pb = r.catalog['sample-triage']!;
    expect(pb.file).toBe(path.join(goodDir, 'sample-triage.yaml'));
    expect(pb.inputs).toEqual([
      { name: 'namespace', prompt: 'Namespace of the service', default: 'default', required: true, pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$' },
      { name: 'service', prompt: 'Service name', required: true },
    ]);
    const [list, symptom, , probe, , , giveUp] = pb.steps;
    expect(list).toMatchObject({ kind: 'run', as: 'eps', run: { timeoutMs: 10_000, mutates: false, parse: 'json', target: { kind: 'workstation' } } });
    expect(list?.otherwise).toEqual({ next: 'symptom' });
    expect(symptom).toMatchObject({ kind: 'ask', ask: { type: 'choice', choices: ['timeout', 'refused'] } });
    expect(symptom?.transitions[0]).toEqual({ when: 'symptom == "refused"', set: { hint: 'refused by {{service}}' }, next: 'probe-all' });
    expect(probe).toMatchObject({ kind: 'foreach', foreach: { as: 'ep', concurrency: 2, do: { run: { timeoutMs: 3000 } } } });
    expect(giveUp).toMatchObject({ kind: 'conclude', conclude: { cause: 'inconclusive', evidence: '', next: 'Capture traffic on both nodes' } });
    const sub = r.catalog['sample-sub']!;
    expect(sub.steps[0]).toMatchObject({ run: { timeoutMs: 2000 } });
    expect(sub.causes[0]).toEqual({
      id: 'resolver-drops',
      title: 'Resolver drops queries',
      explanation: 'Some queries get no answer.',
      fix: { text: 'Check the resolver.', commands: [] },
      references: [],
    });
  });

  it('parses durations', () => {
    expect([parseDuration('500ms'), parseDuration('10s'), parseDuration('2m'), parseDuration('1h'), parseDuration(250)]).toEqual([
      500, 10_000, 120_000, 3_600_000, 250,
    ]);
    expect(parseDuration('10 parsecs')).toBeUndefined();
  });

  it('defaults: 30 s timeout, concurrency 4, workstation target', () => {
    const d = tmp();
    writeFileSync(
      path.join(d, 'defaults.yaml'),
      `id: defaults
title: D
summary: s
steps:
  - id: each
    title: Each
    why: w
    foreach: {items: '[1, 2]', as: n, do: {run: {argv: [echo, '{{n}}', 7]}}}
`,
    );
    const r = loadCatalog([d], { builtin: false, env: false });
    expect(r.errors).toEqual([]);
    expect(r.catalog['defaults']?.steps[0]).toMatchObject({
      foreach: { concurrency: 4, do: { run: { argv: ['echo', '{{n}}', '7'], timeoutMs: 30_000, target: { kind: 'workstation' } } } },
    });
  });
});

describe('limits against hostile files', () => {
  it('deeply nested YAML is an error, not a stack overflow', () => {
    const d = tmp();
    const f = path.join(d, 'deep.yaml');
    writeFileSync(f, `id: deep\ntitle: t\nsummary: s\nsteps: ${'['.repeat(5000)}${']'.repeat(5000)}\n`);
    const r = loadPlaybookFiles([f]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.message).toBe(`YAML nested deeper than ${LIMITS.maxDepth} levels; a playbook never needs that`);
    expect(r.errors[0]?.line).toBe(4);
    expect(r.errors[0]?.col).toBe(8 + LIMITS.maxDepth);
  });

  it('deep block nesting is an error too', () => {
    const d = tmp();
    const f = path.join(d, 'deep-block.yaml');
    writeFileSync(f, `id: deep-block\ntitle: t\nsummary: s\nsteps:\n  ${'- '.repeat(3000)}x\n`);
    const r = loadPlaybookFiles([f]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]?.message).toMatch(/^YAML: nested too deeply to read|^YAML nested deeper than/);
  });

  it('a file larger than the limit is refused before parsing', () => {
    const d = tmp();
    const f = path.join(d, 'huge.yaml');
    writeFileSync(f, `id: huge\n# ${'x'.repeat(LIMITS.maxBytes)}\n`);
    const r = loadPlaybookFiles([f]);
    expect(r.errors.map((e) => e.message)).toEqual([`file is larger than ${LIMITS.maxBytes} bytes; a playbook is a small YAML file`]);
  });

  it('an unreadable path is reported, not thrown', () => {
    const d = tmp();
    mkdirSync(path.join(d, 'dir.yaml'));
    const missing = path.join(d, 'missing.yaml');
    const r = loadPlaybookFiles([missing]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatchObject({ file: missing, line: 1, col: 1 });
    expect(r.errors[0]?.message).toMatch(/^cannot read playbook: ENOENT/);
    // a folder that merely ends in .yaml is not picked up as a playbook
    expect(loadCatalog([d], { builtin: false, env: false }).files).toEqual([]);
  });
});
