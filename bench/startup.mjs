// 1. Start-up. Launch → first frame of the wizard in a real terminal (tmux), against
// `node -e` printing one line in the same terminal; and the wall time of `netwiz --version`
// and `netwiz validate playbooks` against `node -e 0`. Target: first frame ≤ 2× node.
// Run alone: node bench/startup.mjs [--runs N] [--compare OTHER-BUNDLE.mjs]   (needs tmux and `npm run build`)
// The first frame is the wizard's boot line, which launch.ts prints before Ink loads
// (src/ui/first-frame.ts) and Ink redraws identically once loaded.
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  Missing,
  TmuxPane,
  bundle,
  cleanEnv,
  interleave,
  isMain,
  netwizBin,
  parseArgs,
  printMachine,
  printTable,
  requireBundle,
  rmrf,
  root,
  runMain,
  saveResult,
  tempDir,
  timeProcess,
} from './lib.mjs';

export async function benchStartup({ runs = 10, compare } = {}) {
  const machine = printMachine('1. start-up');
  const state = tempDir();
  const env = { XDG_STATE_HOME: state, KUBECONFIG: path.join(state, 'none') };
  const out = { machine };
  try {
    // --- in a terminal: what an on-call engineer waits for after typing `netwiz`
    const pane = new TmuxPane();
    const inPane = (argv, marker) => async () => {
      if (argv[1] === netwizBin) requireBundle();
      const t0 = pane.start(argv, env);
      const t1 = await pane.waitFor(marker, { what: JSON.stringify(marker), timeoutMs: 30_000 });
      return t1 - t0;
    };
    let term;
    try {
      term = await interleave(
        [
          { name: 'node -e (prints a line) in pty', fn: inPane([process.execPath, '-e', 'console.log("READY"); setTimeout(() => {}, 30000)'], 'READY') },
          { name: 'netwiz: first frame in pty', fn: inPane([process.execPath, netwizBin], 'netwiz ') },
          { name: 'netwiz: playbook list in pty', fn: inPane([process.execPath, netwizBin], 'Pick a playbook') },
          ...(compare
            ? [
                { name: 'B: first frame in pty', fn: inPane([process.execPath, compare], 'netwiz ') },
                { name: 'B: playbook list in pty', fn: inPane([process.execPath, compare], 'Pick a playbook') },
              ]
            : []),
        ],
        runs,
      );
    } finally {
      pane.close();
    }
    console.log('-- launch → first frame (tmux pty, 100×30)');
    out.terminal = printTable(term, { reference: 'node -e (prints a line) in pty', target: 2, judge: (n) => n.includes('first frame') });
    if (compare) console.log(`(B = ${compare})`);

    // --- plain processes that print and exit
    const proc = (args) => async () => {
      if (args[0] === netwizBin) requireBundle();
      return (await timeProcess(process.execPath, args, { env: cleanEnv(env) })).ms;
    };
    const plain = await interleave(
      [
        { name: 'node -e 0', fn: proc(['-e', '0']) },
        { name: 'netwiz --version', fn: proc([netwizBin, '--version']) },
        { name: 'netwiz validate playbooks', fn: proc([netwizBin, 'validate', path.join(root, 'playbooks')]) },
        ...(compare
          ? [
              { name: 'B: --version', fn: proc([compare, '--version']) },
              { name: 'B: validate playbooks', fn: proc([compare, 'validate', path.join(root, 'playbooks')]) },
            ]
          : []),
      ],
      runs,
    );
    console.log('-- process wall time (no terminal)');
    out.process = printTable(plain, { reference: 'node -e 0' });
    out.bundleBytes = existsSync(bundle) ? (await import('node:fs')).statSync(bundle).size : null;
    if (out.bundleBytes) console.log(`bundle dist/netwiz.mjs: ${(out.bundleBytes / 2 ** 20).toFixed(2)} MiB`);
  } catch (e) {
    if (e instanceof Missing) console.log(`MISSING: ${e.message}`);
    else throw e;
  } finally {
    rmrf(state);
  }
  saveResult('startup', out);
  return out;
}

if (isMain(import.meta.url)) {
  const a = parseArgs();
  // --compare FILE: the same measurements, interleaved, for another build (A/B of build options)
  const i = a.rest.indexOf('--compare');
  const compare = i >= 0 ? path.resolve(a.rest[i + 1]) : undefined;
  // the bundle finds the built-in playbooks by walking up to netwiz's package.json: a copy
  // outside the repo (/tmp/…) shows an empty playbook list, which makes its list look fast
  if (compare && path.relative(root, compare).startsWith('..')) {
    console.log(`note: ${compare} is outside ${root}; its wizard finds no built-in playbooks, so its "playbook list" figure is not comparable (copy it to dist/.before/ instead)`);
  }
  runMain(() => benchStartup({ runs: a.runs ?? 10, ...(compare ? { compare } : {}) }));
}
