// Summarise a V8 .cpuprofile (node --cpu-prof): self time by function and by source module.
// Functions of the bundle are mapped back to their source file through dist/netwiz.mjs.map,
// so "where the time goes" reads src/engine/… or node_modules/ink/… rather than one file.
// Run alone: node bench/profile.mjs FILE.cpuprofile
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMain } from './lib.mjs';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decodes a source map's mappings into, per generated line, sorted [column, sourceIndex]. */
function decodeMappings(mappings) {
  const lines = [];
  let src = 0;
  for (const line of mappings.split(';')) {
    const segs = [];
    let col = 0;
    for (const seg of line.split(',')) {
      if (!seg) continue;
      const vals = [];
      let shift = 0;
      let value = 0;
      for (const ch of seg) {
        const d = B64.indexOf(ch);
        value += (d & 31) << shift;
        if (d & 32) shift += 5;
        else {
          vals.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      col += vals[0];
      if (vals.length > 1) {
        src += vals[1];
        segs.push([col, src]);
      }
    }
    lines.push(segs);
  }
  return lines;
}

const maps = new Map();
/** The source map beside a bundle file (dist/netwiz.mjs.map, or a chunk's), decoded once. */
function sourceMapOf(file) {
  if (maps.has(file)) return maps.get(file);
  let m = null;
  if (existsSync(`${file}.map`)) {
    const j = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
    m = { sources: j.sources, lines: decodeMappings(j.mappings) };
  }
  maps.set(file, m);
  return m;
}

export function moduleOf(callFrame) {
  const { url, lineNumber, columnNumber } = callFrame;
  if (!url) return callFrame.functionName.startsWith('(') ? callFrame.functionName : '(native)';
  if (url.startsWith('node:')) return url;
  let file = url;
  try {
    file = url.startsWith('file:') ? fileURLToPath(url) : url;
  } catch {
    // keep the url
  }
  const map = file.includes('node_modules') ? null : sourceMapOf(file);
  if (map && lineNumber >= 0) {
    const segs = map.lines[lineNumber] ?? [];
    let best;
    for (const s of segs) {
      if (s[0] <= columnNumber) best = s;
      else break;
    }
    if (best) return map.sources[best[1]].replace(/^(\.\.\/)+/, '');
  }
  return file;
}

/** Groups a source path into a package or a src/ folder: node_modules/yaml, src/engine, node:fs… */
export function groupOf(mod) {
  const nm = mod.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = mod.slice(nm + 13).split('/');
    return `node_modules/${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  const m = /(src\/[^/]+)/.exec(mod);
  if (m) return m[1];
  if (mod.startsWith('node:')) return 'node: (core js)';
  return mod;
}

export function summariseProfile(prof, { top = 15, print = false } = {}) {
  const dt = new Map();
  // self time per node id from the sample deltas
  for (let i = 0; i < prof.samples.length; i++) dt.set(prof.samples[i], (dt.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
  const total = [...dt.values()].reduce((a, b) => a + b, 0) / 1000;
  const byFn = new Map();
  const byGroup = new Map();
  for (const n of prof.nodes) {
    const self = (dt.get(n.id) ?? 0) / 1000;
    if (!self) continue;
    const mod = moduleOf(n.callFrame);
    const fn = `${n.callFrame.functionName || '(anonymous)'}  ${mod}${n.callFrame.url ? '' : ''}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + self);
    const g = groupOf(mod);
    byGroup.set(g, (byGroup.get(g) ?? 0) + self);
  }
  const sort = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  const groups = sort(byGroup).map(([name, ms]) => ({ name, ms, pct: (100 * ms) / total }));
  const fns = sort(byFn).map(([name, ms]) => ({ name, ms, pct: (100 * ms) / total }));
  if (print) {
    console.log(`profile: ${total.toFixed(0)} ms sampled`);
    console.log('  by module (self):');
    for (const g of groups) console.log(`    ${g.pct.toFixed(1).padStart(5)}%  ${g.ms.toFixed(0).padStart(6)} ms  ${g.name}`);
    console.log('  by function (self):');
    for (const f of fns) console.log(`    ${f.pct.toFixed(1).padStart(5)}%  ${f.ms.toFixed(0).padStart(6)} ms  ${f.name}`);
  }
  return { totalMs: total, groups, functions: fns };
}

if (isMain(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node bench/profile.mjs FILE.cpuprofile');
    process.exit(2);
  }
  summariseProfile(JSON.parse(readFileSync(file, 'utf8')), { top: 25, print: true });
}
