// Two builds of netwiz used in turn (an A/B benchmark, a new version beside an old one)
// share one cache folder: each keeps its own entries, so neither misses because the other
// ran last.
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadFilesThroughCache } from '../../src/playbook/cache.js';
import { builtinPlaybooksDir, catalogValidator, loadPlaybookFiles, playbookFilesIn } from '../../src/playbook/catalog.js';

let dir: string;
let cacheDir: string;
let pbDir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'netwiz-pbcache-builds-'));
  cacheDir = join(dir, 'cache');
  pbDir = join(dir, 'playbooks');
  cpSync(builtinPlaybooksDir()!, pbDir, { recursive: true, filter: (f) => !f.endsWith('.md') });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const files = () => playbookFilesIn(pbDir);
const warm = (code: string) => loadFilesThroughCache(files(), undefined, cacheDir, catalogValidator, code)!;
const cacheOnly = (code: string) => loadFilesThroughCache(files(), undefined, cacheDir, undefined, code);

describe('validated-catalog cache across builds', () => {
  it('two code fingerprints used in turn both keep hitting', () => {
    const want = loadPlaybookFiles(files(), undefined, { cache: false });
    expect(warm('build-a')).toStrictEqual(want);
    expect(cacheOnly('build-b')).toBeUndefined();
    expect(warm('build-b')).toStrictEqual(want);
    // build-b's entries did not replace build-a's
    expect(cacheOnly('build-a')).toStrictEqual(want);
    expect(cacheOnly('build-b')).toStrictEqual(want);
    expect(readdirSync(cacheDir).filter((n) => n.endsWith('.json'))).toHaveLength(2 * files().length);
  });

  it("an entry of another build is never read as this build's", () => {
    warm('build-a');
    expect(cacheOnly('build-c')).toBeUndefined();
  });
});
