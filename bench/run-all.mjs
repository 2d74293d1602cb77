// `npm run bench`: builds the bundle, then runs every benchmark one after another, each in
// its own process (one benchmark's heap and lab do not disturb the next). Every benchmark
// prints its figures, the reference measured in the same run, the ratio and the machine.
// Options: --no-build, --quick (fewer runs), --only NAME[,NAME] (startup, engine, flood,
// fanout, cause, ui, labapi). The full output also goes to
// bench/results/last-run.txt; per-benchmark JSON to bench/results/NAME.json.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { benchDir, isRoot, machine, root } from './lib.mjs';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const noBuild = argv.includes('--no-build');
const only = argv.find((a) => a.startsWith('--only='))?.slice(7).split(',') ?? (argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : undefined);

const BENCHES = [
  { name: 'startup', args: ['bench/startup.mjs', '--runs', quick ? '5' : '11'] },
  { name: 'engine', args: ['bench/engine-overhead.mjs', '--runs', quick ? '1' : '3'] },
  { name: 'flood', args: ['bench/output-flood.mjs', '--runs', quick ? '1' : '3'] },
  { name: 'fanout', args: ['bench/fan-out.mjs', '--runs', quick ? '1' : '3'], root: true },
  { name: 'cause', args: ['--import', 'tsx', 'bench/time-to-cause.ts', '--runs', quick ? '1' : '3'], root: true },
  // H7's own view of the wizard's first frame (not interleaved; a cross-check of startup)
  { name: 'ui', args: ['bench/ui-first-frame.mjs', quick ? '3' : '5'] },
  // H4's lab API server costs (kubectl latency against it): context for 4 and 5
  { name: 'labapi', args: ['--import', 'tsx', 'bench/lab-server.ts'], env: { N: quick ? '5' : '20' } },
];

mkdirSync(path.join(benchDir, 'results'), { recursive: true });
const log = createWriteStream(path.join(benchDir, 'results/last-run.txt'));
const say = (s) => {
  process.stdout.write(s);
  log.write(s);
};

function run(file, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(file, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    child.stdout.on('data', (d) => say(d.toString()));
    child.stderr.on('data', (d) => say(d.toString()));
    child.on('close', (code) => resolve(code));
  });
}

const m = machine();
say(`netwiz benchmarks — ${m.date}\nmachine: nproc ${m.nproc} (${m.cpu}), memory ${m.memory}, kernel ${m.kernel}, node ${m.node}, load ${m.load}\n`);
if (!noBuild) {
  say('\n== npm run build\n');
  const code = await run('npm', ['run', '--silent', 'build']);
  if (code !== 0) say(`build failed (exit ${code}): the benchmarks below use whatever dist/netwiz.mjs is there, or report it missing\n`);
}
const failed = [];
for (const b of BENCHES) {
  if (only && !only.includes(b.name)) continue;
  if (b.root && !isRoot()) {
    say(`\n== ${b.name}: SKIPPED — needs root for the lab's network namespaces\n`);
    continue;
  }
  const t0 = performance.now();
  const code = await run(process.execPath, b.args, b.env ? { env: { ...process.env, ...b.env } } : {});
  say(`(${b.name}: ${((performance.now() - t0) / 1000).toFixed(0)} s${code ? `, exit ${code}` : ''})\n`);
  if (code) failed.push(b.name);
}
say(`\nload at the end: ${machine().load}\n`);
log.end();
if (failed.length) {
  process.stderr.write(`bench: ${failed.join(', ')} did not finish cleanly (see above)\n`);
  process.exitCode = 1;
}
