// bench/profile.mjs maps a profiled function of a bundle back to its source module through
// the bundle's source map; checked here on a real esbuild bundle of two small files.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain .mjs benchmark module (no types)
import { groupOf, moduleOf, summariseProfile } from '../../bench/profile.mjs';

const dir = mkdtempSync(path.join(tmpdir(), 'nwbench-prof-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('profile summary', () => {
  it('attributes self time to the source file of each function of the bundle', async () => {
    mkdirSync(path.join(dir, 'src/engine'), { recursive: true });
    writeFileSync(path.join(dir, 'src/engine/slow.ts'), 'export function slowStep(n: number) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }\n');
    writeFileSync(path.join(dir, 'src/main.ts'), "import { slowStep } from './engine/slow';\nexport function main() { return slowStep(10); }\nconsole.log(main());\n");
    const out = path.join(dir, 'dist/app.mjs');
    await build({ entryPoints: [path.join(dir, 'src/main.ts')], outfile: out, bundle: true, format: 'esm', sourcemap: 'linked', logLevel: 'silent' });
    const lines = readFileSync(out, 'utf8').split('\n');
    const at = (name: string) => {
      const line = lines.findIndex((l) => l.includes(`function ${name}(`));
      return { functionName: name, url: pathToFileURL(out).href, lineNumber: line, columnNumber: lines[line]!.indexOf(`function ${name}(`) };
    };
    expect(moduleOf(at('slowStep'))).toMatch(/src\/engine\/slow\.ts$/);
    expect(moduleOf(at('main'))).toMatch(/src\/main\.ts$/);
    expect(groupOf('../node_modules/@bufbuild/cel/dist/esm/parse.js')).toBe('node_modules/@bufbuild/cel');
    expect(groupOf('src/engine/slow.ts')).toBe('src/engine');

    // 30 ms in slowStep, 10 ms in main, 5 ms idle
    const profile = {
      nodes: [
        { id: 1, callFrame: { functionName: '(idle)', url: '', lineNumber: -1, columnNumber: -1 } },
        { id: 2, callFrame: at('main') },
        { id: 3, callFrame: at('slowStep') },
      ],
      samples: [3, 3, 3, 2, 1],
      timeDeltas: [10_000, 10_000, 10_000, 10_000, 5_000],
    };
    const s = summariseProfile(profile, { top: 5 });
    expect(s.totalMs).toBe(45);
    expect(s.groups[0]).toMatchObject({ name: 'src/engine', ms: 30 });
    expect(s.functions.map((f: { name: string }) => f.name.split(' ')[0])).toEqual(['slowStep', 'main', '(idle)']);
  });
});
