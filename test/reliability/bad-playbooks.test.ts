// Bad playbooks: fast-check mutates the *shipped* playbooks (delete keys, wrong types,
// dangling references, huge values, deep nesting, anchor/alias bombs). In process for the
// bulk: validation never throws, never hangs, every diagnostic points inside the file, and
// a mutant that can never be valid is rejected (left out of the catalog, so no engine can
// get it). Through the real CLI for a sample: `netwiz validate FILE` exits 2 with
// FILE:line:col, and `netwiz run FILE` exits 2 without running anything (a marker step
// that would `touch` a file comes first in every mutant).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlaybookTexts } from '../../src/playbook/index.js';
import { PLAYBOOKS_DIR, netwiz, recordCounts } from './helpers.js';
import { dump, markerStep, mutantArb, parsePlaybook, type Mutant } from './playbook-mutants.js';

const shipped = readdirSync(PLAYBOOKS_DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .map((f) => ({ name: f, file: path.join(PLAYBOOKS_DIR, f), text: readFileSync(path.join(PLAYBOOKS_DIR, f), 'utf8') }));

/** A hang shows up as one validation taking longer than this (a hang bound, not a benchmark). */
const PER_CASE_BOUND_MS = 30_000;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'netwiz-rel-pb-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tried: Record<string, number> = {};
const rejected: Record<string, number> = {};

/** Validates `mutant` as `name` inside the catalog of every other shipped playbook. */
function check(name: string, m: Mutant): void {
  const file = path.join(PLAYBOOKS_DIR, name);
  const others = shipped.filter((s) => s.name !== name).map((s) => ({ file: s.file, text: s.text }));
  const t0 = performance.now();
  let r: ReturnType<typeof loadPlaybookTexts>;
  try {
    r = loadPlaybookTexts([...others, { file, text: m.text }]);
  } catch (e) {
    throw new Error(`validation threw on ${m.kind} (${m.detail}) of ${name}: ${(e as Error).stack}`);
  }
  const took = performance.now() - t0;
  expect(took, `validation of ${m.kind} (${m.detail}) of ${name} hung`).toBeLessThan(PER_CASE_BOUND_MS);
  tried[m.kind] = (tried[m.kind] ?? 0) + 1;
  const lines = m.text.split('\n');
  const mine = [...r.errors, ...r.warnings].filter((d) => d.file === file);
  for (const d of mine) {
    expect(d.line, `${m.kind}: ${d.message}`).toBeGreaterThanOrEqual(1);
    expect(d.line, `${m.kind}: ${d.message}`).toBeLessThanOrEqual(lines.length);
    expect(d.col).toBeGreaterThanOrEqual(1);
    expect(d.col).toBeLessThanOrEqual((lines[d.line - 1]?.length ?? 0) + 1);
    expect(d.message.length).toBeGreaterThan(0);
  }
  const myErrors = r.errors.filter((d) => d.file === file);
  const id = (parsePlaybook(shipped.find((s) => s.name === name)!.text).id as string) ?? '';
  if (m.mustFail) {
    expect(myErrors.length, `${m.kind} (${m.detail}) of ${name} was accepted`).toBeGreaterThan(0);
    // an invalid playbook is never handed to the engine
    expect(r.catalog[id]).toBeUndefined();
  }
  if (myErrors.length > 0) {
    rejected[m.kind] = (rejected[m.kind] ?? 0) + 1;
    expect(r.catalog[id]).toBeUndefined();
  }
}

describe('fuzzed shipped playbooks, validated in process', () => {
  it('the shipped playbooks are valid to begin with (else the fuzz proves nothing)', () => {
    const r = loadPlaybookTexts(shipped.map((s) => ({ file: s.file, text: s.text })));
    expect(r.errors.map((e) => `${e.file}:${e.line}:${e.col}: ${e.message}`)).toEqual([]);
    expect(shipped.length).toBeGreaterThanOrEqual(5);
  });

  for (const s of shipped) {
    it(`${s.name}: 40 mutants give positioned errors (or load cleanly), never throw or hang`, () => {
      const base = parsePlaybook(s.text);
      fc.assert(
        fc.property(mutantArb(base), (m) => check(s.name, m)),
        { numRuns: 40, seed: Number(process.env.NETWIZ_FUZZ_SEED ?? 20261124) + s.name.length },
      );
    }, 240_000);
  }

  afterAll(() => {
    const total = Object.values(tried).reduce((a, b) => a + b, 0);
    if (total > 0) recordCounts('bad-playbooks-inprocess', { inputs: total, rejected: Object.values(rejected).reduce((a, b) => a + b, 0), ...Object.fromEntries(Object.entries(tried).map(([k, v]) => [`tried:${k}`, v])) });
  });
});

describe('fuzzed shipped playbooks through the real CLI', () => {
  // one mutant of each kind that can never be valid, spread over the shipped playbooks
  const kinds = ['delete-required', 'wrong-type-strict', 'dangling-ref', 'huge-value', 'deep-nesting', 'alias-bomb'];
  let cliTried = 0;

  it('with the marker step first, an unmutated playbook does run it (the control)', async () => {
    const marker = path.join(dir, 'control-marker');
    const base = parsePlaybook(shipped.find((s) => s.name === 'demo-local.yaml')!.text);
    (base.steps as unknown[]).unshift(markerStep(marker));
    const file = path.join(dir, 'demo-local.yaml');
    writeFileSync(file, dump(base));
    const v = await netwiz(['validate', file]);
    expect(v.code, v.stderr).toBe(0);
    const r = await netwiz(['run', file, '--var', 'host=127.0.0.1', '--var', 'port=9', '--answers', '/dev/null', '--json'], { env: { XDG_STATE_HOME: path.join(dir, 'state') } });
    expect(r.hung).toBe(false);
    expect(existsSync(marker), r.stderr).toBe(true);
  });

  it('validate exits 2 with file:line:col; run exits 2 and runs nothing', async () => {
    const samples: { name: string; m: Mutant; marker: string }[] = [];
    let n = 0;
    for (const kind of kinds) {
      for (const s of shipped.filter((_, i) => i % 3 === kinds.indexOf(kind) % 3).slice(0, 2)) {
        const marker = path.join(dir, `marker-${n++}`);
        const base = parsePlaybook(s.text);
        (base.steps as unknown[]).unshift(markerStep(marker));
        const [m] = fc.sample(
          mutantArb(base, ['steps', 0]).filter((x) => x.kind === kind),
          { numRuns: 1, seed: 7 + n },
        );
        samples.push({ name: s.name, m: m!, marker });
      }
    }
    expect(new Set(samples.map((x) => x.m.kind))).toEqual(new Set(kinds));
    for (const { name, m, marker } of samples) {
      const sub = path.join(dir, `case-${cliTried}`);
      rmSync(sub, { recursive: true, force: true });
      mkdirSync(sub, { recursive: true });
      const file = path.join(sub, name);
      writeFileSync(file, m.text);
      const v = await netwiz(['validate', file], { killAfterMs: 90_000 });
      expect(v.hung, `validate hung on ${m.kind}`).toBe(false);
      expect(v.code, `${m.kind} (${m.detail}): ${v.stderr}`).toBe(2);
      // every error line names the file with line and column
      const errLines = v.stderr.split('\n').filter((l) => l.startsWith(file) || l.includes(`${name}:`));
      expect(errLines.length, v.stderr).toBeGreaterThan(0);
      for (const l of errLines) expect(l).toMatch(new RegExp(`${name.replace('.', '\\.')}:\\d+:\\d+: `));
      expect(v.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace

      const r = await netwiz(['run', file, '--yes', '--json', '--var', 'namespace=default'], { env: { XDG_STATE_HOME: path.join(sub, 'state') }, killAfterMs: 90_000 });
      expect(r.hung).toBe(false);
      expect(r.code, `${m.kind}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/nothing was run/);
      expect(existsSync(marker), `${m.kind} (${m.detail}) of ${name}: the engine started`).toBe(false);
      // no session was recorded either
      expect(existsSync(path.join(sub, 'state', 'netwiz', 'sessions'))).toBe(false);
      cliTried++;
    }
    recordCounts('bad-playbooks-cli', { inputs: cliTried * 2, validateExit2: cliTried, runExit2NothingRan: cliTried });
  }, 300_000);
});
