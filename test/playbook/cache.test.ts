// The validated-catalog cache (src/playbook/cache.ts): a load answered from the cache
// reports exactly what a fresh validation reports (catalog, errors, warnings, summaries);
// any edit invalidates (content hash, even with the same size and mtime); a change in a
// called playbook re-checks its callers; corrupt entries and an unwritable folder are
// ignored; `netwiz validate` never reads or writes it, `netwiz list` does.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { catalogCacheDir, loadFilesThroughCache } from '../../src/playbook/cache.js';
import { builtinPlaybooksDir, catalogValidator, loadPlaybookFiles, playbookFilesIn } from '../../src/playbook/catalog.js';

let dir: string;
let cacheDir: string;
let builtin: string;
let extra: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'netwiz-pbcache-'));
  cacheDir = join(dir, 'cache');
  builtin = join(dir, 'builtin');
  extra = join(dir, 'extra');
  cpSync(builtinPlaybooksDir()!, builtin, { recursive: true, filter: (f) => !f.endsWith('.md') });
  mkdirSync(extra);
  const probe = readFileSync(join(builtin, 'demo-tcp-probe.yaml'), 'utf8');
  // an override from another folder (a warning), a duplicate id in one folder (an error),
  // broken YAML, a schema error, and a semantic error (a call of an unknown playbook)
  writeFileSync(join(extra, 'demo-tcp-probe.yaml'), probe.replace(/^title: .*$/m, 'title: Overridden probe'));
  writeFileSync(join(extra, 'dup-a.yaml'), probe.replace(/^id: .*$/m, 'id: twice'));
  writeFileSync(join(extra, 'dup-b.yaml'), probe.replace(/^id: .*$/m, 'id: twice'));
  writeFileSync(join(extra, 'broken.yaml'), 'id: broken\ntitle: [unclosed\n');
  writeFileSync(join(extra, 'schema.yaml'), probe.replace(/^id: .*$/m, 'id: schema-bad').replace(/^title: .*$/m, 'titel: typo'));
  writeFileSync(
    join(extra, 'calls-nobody.yaml'),
    readFileSync(join(builtin, 'demo-local.yaml'), 'utf8')
      .replace(/^id: .*$/m, 'id: calls-nobody')
      .replace('playbook: demo-tcp-probe', 'playbook: no-such-playbook'),
  );
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const files = () => [...playbookFilesIn(builtin), ...playbookFilesIn(extra)];
const fresh = () => loadPlaybookFiles(files(), undefined, { cache: false });
const throughCache = () => loadFilesThroughCache(files(), undefined, cacheDir, catalogValidator)!;
/** only what the cache holds: undefined when anything had to be parsed or checked */
const cacheOnly = () => loadFilesThroughCache(files(), undefined, cacheDir);
const entries = () => (existsSync(cacheDir) ? readdirSync(cacheDir) : []);

describe('validated-catalog cache', () => {
  it('a load from the cache reports exactly what a fresh validation does', () => {
    const want = fresh();
    // the fixture is worth testing: valid playbooks, errors of every phase, warnings
    expect(Object.keys(want.catalog).length).toBeGreaterThan(8);
    expect(want.errors.map((e) => e.file)).toEqual(
      expect.arrayContaining([join(extra, 'broken.yaml'), join(extra, 'schema.yaml'), join(extra, 'dup-b.yaml'), join(extra, 'calls-nobody.yaml')]),
    );
    expect(want.warnings.some((w) => w.message.includes('overrides the one'))).toBe(true);
    expect(cacheOnly()).toBeUndefined();
    expect(throughCache()).toStrictEqual(want);
    expect(entries().filter((n) => n.endsWith('.json'))).toHaveLength(files().length);
    const warm = cacheOnly();
    expect(warm).toBeDefined();
    expect(warm).toStrictEqual(want);
    expect(throughCache()).toStrictEqual(want);
    // written atomically: no temp file left behind
    expect(entries().filter((n) => !n.endsWith('.json'))).toEqual([]);
  });

  it('an edit invalidates the entry even with the same size and mtime', () => {
    const f = join(builtin, 'demo-local.yaml');
    // a whole-second mtime, so setting it back is exact
    utimesSync(f, 1_700_000_000, 1_700_000_000);
    throughCache();
    const st = statSync(f);
    const text = readFileSync(f, 'utf8');
    const edited = text.replace(/^title: Why/m, 'title: How');
    expect(edited.length).toBe(text.length);
    writeFileSync(f, edited);
    utimesSync(f, 1_700_000_000, 1_700_000_000);
    expect(statSync(f).size).toBe(st.size);
    expect(statSync(f).mtimeMs).toBe(st.mtimeMs);
    expect(cacheOnly()).toBeUndefined();
    const got = throughCache();
    expect(got.catalog['demo-local']!.title).toMatch(/^How/);
    expect(got).toStrictEqual(fresh());
  });

  it('a change in a called playbook re-checks the playbooks that call it', () => {
    const before = throughCache();
    expect(before.catalog['demo-local']).toBeDefined();
    // the sub-playbook gains a required input that demo-local does not pass
    const f = join(extra, 'demo-tcp-probe.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('inputs:\n', 'inputs:\n  - name: extra_needed\n    prompt: Something new\n'));
    expect(cacheOnly()).toBeUndefined();
    const got = throughCache();
    expect(got).toStrictEqual(fresh());
    expect(got.catalog['demo-local']).toBeUndefined();
    expect(got.errors.some((e) => e.file === join(builtin, 'demo-local.yaml') && e.message.includes("misses its required input 'extra_needed'"))).toBe(true);
    // and the new answer is what the cache holds now
    expect(cacheOnly()).toStrictEqual(got);
  });

  it('corrupt and foreign entries are ignored and rewritten', () => {
    const want = throughCache();
    const names = entries();
    names.forEach((n, i) => writeFileSync(join(cacheDir, n), i % 2 ? '{"format":1,"key":{"file":"/elsewhere"}}' : '{not json'));
    expect(cacheOnly()).toBeUndefined();
    expect(throughCache()).toStrictEqual(want);
    expect(cacheOnly()).toStrictEqual(want);
  });

  it('a cache folder that cannot be written changes nothing', () => {
    writeFileSync(join(dir, 'a-file'), '');
    cacheDir = join(dir, 'a-file', 'cache');
    expect(throughCache()).toStrictEqual(fresh());
    expect(throughCache()).toStrictEqual(fresh());
  });

  it('lives under $XDG_CACHE_HOME/netwiz (default ~/.cache/netwiz); NETWIZ_CATALOG_CACHE=off turns it off', () => {
    expect(catalogCacheDir({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/netwiz/catalog');
    expect(catalogCacheDir({ HOME: '/home/op' })).toMatch(/\/\.cache\/netwiz\/catalog$/);
    expect(catalogCacheDir({ XDG_CACHE_HOME: '/x/cache', NETWIZ_CATALOG_CACHE: 'off' })).toBeUndefined();
  });
});

describe('cache from the command line', () => {
  const exec = promisify(execFile);
  const cli = (args: string[], env: Record<string, string>) =>
    exec(process.execPath, ['--import', 'tsx', join(process.cwd(), 'src', 'cli', 'entry.ts'), ...args], {
      env: { ...process.env, ...env },
      cwd: process.cwd(),
    }).catch((e: { stdout: string; stderr: string; code: number }) => e);

  it('netwiz validate never touches it; netwiz list fills it and reports the same the second time', async () => {
    const env = { XDG_CACHE_HOME: join(dir, 'xdg-cache'), NETWIZ_PLAYBOOKS: extra };
    const v = await cli(['validate'], env);
    expect(v.stdout + v.stderr).toMatch(/schema\.yaml/);
    expect(existsSync(join(dir, 'xdg-cache'))).toBe(false);
    const first = await cli(['list', '--json'], env);
    expect(readdirSync(join(dir, 'xdg-cache', 'netwiz', 'catalog')).length).toBeGreaterThan(10);
    const second = await cli(['list', '--json'], env);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toBe(first.stderr);
    expect(first.stderr).toMatch(/playbook files? with errors/);
    const off = await cli(['list', '--json'], { ...env, NETWIZ_CATALOG_CACHE: 'off' });
    expect(off.stdout).toBe(first.stdout);
  });
});
