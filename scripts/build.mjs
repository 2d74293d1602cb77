// Bundles the CLI into one ESM file so the installed netwiz starts fast (no module
// resolution of hundreds of files at launch).
import { build } from 'esbuild';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

const result = await build({
  write: false,
  entryPoints: ['src/cli/entry.ts'],
  outfile: 'dist/netwiz.mjs',
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
// starting mid-build sees the old bundle or the new one, never half a file.
for (const file of result.outputFiles) {
  mkdirSync(path.dirname(file.path), { recursive: true });
  if (existsSync(file.path) && readFileSync(file.path).equals(file.contents)) continue;
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, file.contents);
  renameSync(tmp, file.path);
}
