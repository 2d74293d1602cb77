// `netwiz validate`, `netwiz schema`, `netwiz list` through the built bundle (bin/netwiz;
// test/global-setup.ts rebuilds it once per run).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repo, 'bin/netwiz');

function netwiz(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd: repo,
    encoding: 'utf8',
    env: { ...process.env, NETWIZ_PLAYBOOKS: '', ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('netwiz validate', () => {
  it('exits 0 with a one-line summary when every playbook is valid', () => {
    const r = netwiz(['validate', 'test/fixtures/playbook/good']);
    expect(r.stdout).toBe('netwiz: 2 playbooks, 10 steps, 0 errors\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('prints every error as file:line:col: message (relative to cwd) and exits 2', () => {
    const r = netwiz([
      'validate',
      '--playbooks',
      'test/fixtures/playbook/good',
      'test/fixtures/playbook/bad/duplicates.yaml',
      'test/fixtures/playbook/bad/calls.yaml',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n')).toEqual([
      "test/fixtures/playbook/bad/calls.yaml:8:22: unknown playbook 'no-such-playbook'; add playbooks/no-such-playbook.yaml or check the id with 'netwiz list'",
      "test/fixtures/playbook/bad/calls.yaml:15:9: 'sample-sub' has no input 'nmae'; its inputs: name",
      "test/fixtures/playbook/bad/calls.yaml:15:9: call of 'sample-sub' misses its required input 'name'; add it under 'with:'",
      "test/fixtures/playbook/bad/calls.yaml:23:15: call of 'sample-sub' misses its required input 'name'; add it under 'with:'",
      "test/fixtures/playbook/bad/duplicates.yaml:6:10: duplicate cause id 'c1'",
      "test/fixtures/playbook/bad/duplicates.yaml:12:9: duplicate step id 's' (first defined as step 1)",
      'netwiz: 2 playbooks, 6 steps, 6 errors',
      '',
    ]);
  });

  it('finds sub-playbooks through $NETWIZ_PLAYBOOKS, and reports a missing path', () => {
    const viaEnv = netwiz(['validate', 'test/fixtures/playbook/bad/calls.yaml'], { NETWIZ_PLAYBOOKS: 'test/fixtures/playbook/good' });
    expect(viaEnv.stderr).not.toContain('no-such-playbook.yaml:');
    expect(viaEnv.stderr).toContain("'sample-sub' has no input 'nmae'");
    const without = netwiz(['validate', 'test/fixtures/playbook/bad/calls.yaml']);
    expect(without.stderr).toContain("calls.yaml:13:17: unknown playbook 'sample-sub'");
    const missing = netwiz(['validate', 'no/such/dir']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no/such/dir:1:1: no such file or folder');
  });
});

describe('netwiz schema', () => {
  it('prints exactly the committed schema/playbook.schema.json', () => {
    const r = netwiz(['schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(path.join(repo, 'schema/playbook.schema.json'), 'utf8'));
    const schema = JSON.parse(r.stdout) as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(['id', 'title', 'summary', 'inputs', 'causes', 'steps']);
    expect(schema.required).toEqual(['id', 'title', 'summary', 'steps']);
  });
});

describe('netwiz list', () => {
  it('lists id, title and file; --json gives the details', () => {
    const text = netwiz(['list', '--playbooks', 'test/fixtures/playbook/good']);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^sample-sub +Sample sub-playbook +test\/fixtures\/playbook\/good\/sample-sub\.yaml$/m);
    const json = netwiz(['list', '--json', '--playbooks', 'test/fixtures/playbook/good']);
    const rows = JSON.parse(json.stdout) as { id: string; file: string; valid: boolean; steps: number; inputs: { name: string }[] }[];
    const sub = rows.find((x) => x.id === 'sample-sub');
    expect(sub).toMatchObject({
      title: 'Sample sub-playbook',
      file: path.join(repo, 'test/fixtures/playbook/good/sample-sub.yaml'),
      valid: true,
      steps: 3,
      inputs: [{ name: 'name', prompt: 'Name to resolve', required: true }],
    });
  });

  it('shows the overriding playbook, not the one it replaced', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netwiz-list-'));
    try {
      writeFileSync(
        path.join(dir, 'sample-sub.yaml'),
        readFileSync(path.join(repo, 'test/fixtures/playbook/good/sample-sub.yaml'), 'utf8').replace('title: Sample sub-playbook', 'title: My own sub'),
      );
      const r = netwiz(['list', '--json', '--playbooks', 'test/fixtures/playbook/good'], { NETWIZ_PLAYBOOKS: dir });
      const rows = JSON.parse(r.stdout) as { id: string; title: string; file: string }[];
      expect(rows.filter((x) => x.id === 'sample-sub')).toEqual([
        expect.objectContaining({ title: 'My own sub', file: path.join(dir, 'sample-sub.yaml') }),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
