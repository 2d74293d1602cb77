// Bundles the CLI into ESM so the installed netwiz starts fast (no module resolution of
// hundreds of files at launch). Code splitting (H9, from bench/startup.mjs): dist/netwiz.mjs
// holds only what every command needs (commander and the command table); what a command
// loads with `await import()` — Ink and React for the wizard, the engine, the lab — lives in
// chunks read when used, so `netwiz --version` no longer compiles 3.6 MB of JavaScript.
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// NETWIZ_BUILD_OUTDIR builds elsewhere (an A/B copy for the benchmarks): inside the repo,
// so the bundle still finds the built-in playbooks by walking up to package.json; two levels
// down with a src link beside it (dist/.ab/NAME, dist/.ab/src -> ../../src) for `netwiz lab`,
// which looks for its runtime files in ../src/lab from the chunks
const outdir = process.env.NETWIZ_BUILD_OUTDIR || 'dist';

const result = await build({
  write: false,
  entryPoints: { netwiz: 'src/cli/entry.ts' },
  outdir,
  // chunks sit beside netwiz.mjs, so modules that find files relative to themselves
  // (../src/lab/…, the playbooks/ folder) work the same from every chunk
  splitting: true,
  chunkNames: 'chunk-[hash]',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  jsx: 'automatic',
  minify: false,
  sourcemap: 'linked',
  legalComments: 'none',
  define: { __NETWIZ_VERSION__: JSON.stringify(pkg.version), 'process.env.NODE_ENV': '"production"' },
  // Ink imports react-devtools-core only when DEV is set. Marking it external leaves a
  // hoisted top-level `import "react-devtools-core"` in the ESM bundle, which fails at
  // start-up (it is not installed); resolve it to an inert stub instead (added by H7).
  plugins: [
    {
      name: 'stub-react-devtools-core',
      setup(b) {
        b.onResolve({ filter: /^react-devtools-core$/ }, () => ({ path: 'react-devtools-core', namespace: 'netwiz-stub' }));
        b.onLoad({ filter: /.*/, namespace: 'netwiz-stub' }, () => ({
          contents: 'export default { initialize() {}, connectToDevTools() {} };',
          loader: 'js',
        }));
      },
    },
  ],
  banner: {
    js: "import { createRequire as __nwCreateRequire } from 'node:module'; const require = __nwCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});

// Tests rebuild while other test files run the CLI: write beside and rename, so a netwiz
// starting mid-build sees the old bundle or the new one, never half a file. Chunks first,
// the entry last: a new entry never points at a chunk not yet written.
const entry = path.resolve(outdir, 'netwiz.mjs');
const isEntry = (f) => f.path === entry || f.path === `${entry}.map`;
const ordered = [...result.outputFiles.filter((f) => !isEntry(f)), ...result.outputFiles.filter(isEntry)];
for (const file of ordered) {
  mkdirSync(path.dirname(file.path), { recursive: true });
  if (existsSync(file.path) && readFileSync(file.path).equals(file.contents)) continue;
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, file.contents);
  renameSync(tmp, file.path);
}

// Chunks of earlier builds go once they are old: a netwiz started before this build may
// still import its own chunks lazily, so recent ones stay.
const current = new Set(result.outputFiles.map((f) => f.path));
const STALE_MS = 2 * 3600 * 1000;
for (const name of readdirSync(outdir)) {
  const file = path.resolve(outdir, name);
  if (!/^chunk-[A-Z0-9]+\.mjs(\.map)?$/.test(name) || current.has(file)) continue;
  try {
    if (Date.now() - statSync(file).mtimeMs > STALE_MS) unlinkSync(file);
  } catch {
    // another build removed it first
  }
}
