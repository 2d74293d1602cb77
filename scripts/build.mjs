// Bundles the CLI into one ESM file so the installed netwiz starts fast (no module
// resolution of hundreds of files at launch).
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
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
  // Ink imports react-devtools-core only when DEV is set; never bundle it.
  external: ['react-devtools-core'],
  banner: {
    js: "import { createRequire as __nwCreateRequire } from 'node:module'; const require = __nwCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
