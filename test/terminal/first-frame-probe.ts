// Test helper (first-frame.test.ts): prints $NW_ABOVE, then the wizard's pre-printed first
// frame exactly as launch.ts does, and on any key erases it as run-wizard.tsx does and
// prints a stand-in for Ink's first frame. Lets the test look at the terminal in between.
import { eraseSequence, prePrintFirstFrame } from '../../src/ui/first-frame.js';

process.stdout.write(`${process.env.NW_ABOVE ?? 'ABOVE'}\n`);
const p = prePrintFirstFrame(process.stdout, process.env, '9.9.9');
process.stdin.setRawMode(true);
process.stdin.once('data', () => {
  process.stdout.write(`${p ? eraseSequence(p) : '\n'}INK-FRAME\n`);
  process.stdin.setRawMode(false);
  setTimeout(() => process.exit(0), 60_000);
  process.stdin.pause();
});
