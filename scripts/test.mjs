// `npm test`: runs the whole vitest suite and ends with a plain "N passed, N failed" line
// (CI reads it), exiting with vitest's own status.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';

const report = '.netwiz-tmp/vitest-report.json';
mkdirSync('.netwiz-tmp', { recursive: true });
rmSync(report, { force: true });
const run = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
let summary = 'tests: 0 passed, 0 failed';
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  summary = `tests: ${r.numPassedTests} passed, ${r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0)} failed`;
} catch {
  summary = 'tests: 0 passed, 1 failed';
}
process.stdout.write(`${summary}\n`);
process.exit(run.status ?? 1);
