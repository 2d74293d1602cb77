// Launch → first frame of the wizard in a real terminal (tmux), against `node -e` printing
// one line in the same terminal: what an on-call engineer waits for after typing `netwiz`.
// Usage: node bench/ui-first-frame.mjs [runs]   (needs tmux; run `npm run build` first)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 10);
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'CI' && !k.startsWith('CI_')));

function firstFrameMs(argv, marker) {
  const socket = `nwb-${process.pid}-${Math.random().toString(16).slice(2, 8)}`;
  const state = mkdtempSync(path.join(tmpdir(), 'nwb-'));
  const tmux = (args) => execFileSync('tmux', ['-L', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env });
  // the server and an idle pane first, so the measurement does not include tmux start-up
  tmux(['new-session', '-d', '-x', '100', '-y', '30', 'sleep', '60', ';', 'set-option', '-t', '0', 'remain-on-exit', 'on']);
  try {
    const t0 = performance.now();
    tmux(['respawn-pane', '-k', '-t', '0', '-e', `XDG_STATE_HOME=${state}`, '-e', `KUBECONFIG=${state}/none`, ...argv]);
    for (;;) {
      if (tmux(['capture-pane', '-p', '-t', '0']).includes(marker)) return performance.now() - t0;
      if (performance.now() - t0 > 20_000) throw new Error(`${argv.join(' ')}: never showed ${marker}`);
      // poll gently: capture-pane itself costs CPU the program under test needs
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  } finally {
    try {
      tmux(['kill-server']);
    } catch {
      // already gone
    }
    rmSync(state, { recursive: true, force: true });
    rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid()}`, socket), { force: true });
  }
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}

const cases = [
  ['node -e (baseline)', [process.execPath, '-e', 'console.log("READY"); setTimeout(() => {}, 3000)'], 'READY'],
  ['netwiz (wizard first frame)', [process.execPath, path.join(root, 'bin/netwiz')], 'netwiz '],
  ['netwiz (playbook list shown)', [process.execPath, path.join(root, 'bin/netwiz')], 'Pick a playbook'],
];
// plain process wall time (no terminal) for the commands that print and exit
for (const [name, argv] of [
  ['node -e 0', [process.execPath, '-e', '0']],
  ['netwiz --version', [process.execPath, path.join(root, 'bin/netwiz'), '--version']],
]) {
  const xs = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    execFileSync(argv[0], argv.slice(1), { env });
    xs.push(performance.now() - t0);
  }
  const { median, min, max } = stats(xs);
  console.log(`${name.padEnd(30)} median ${median.toFixed(0)} ms  (min ${min.toFixed(0)}, max ${max.toFixed(0)}, ${runs} runs)`);
}
for (const [name, argv, marker] of cases) {
  const xs = [];
  for (let i = 0; i < runs; i++) xs.push(firstFrameMs(argv, marker));
  const { median, min, max } = stats(xs);
  console.log(`${name.padEnd(30)} median ${median.toFixed(0)} ms  (min ${min.toFixed(0)}, max ${max.toFixed(0)}, ${runs} runs)`);
}
