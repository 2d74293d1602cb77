// Child for the capture privacy test: runs the slow printer with an output file and never
// finishes on its own (the parent kills it with SIGKILL). `runLocal` is the executor's real
// path; `raw` feeds a BoundedCapture with redaction off, the control that shows the test
// can see a secret when one is written.
// usage: capture-child.ts OUTPUT_FILE secret|bearer [raw]
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BoundedCapture } from '../../../src/exec/capture.js';
import { runLocal } from '../../../src/exec/workstation.js';

const [outputFile, what, raw] = process.argv.slice(2);
const printer = join(import.meta.dirname, '..', '..', 'fixtures', 'exec', 'slow-secret-printer.mjs');
// tell the parent the command has printed everything (the file may lag: the redactor holds text back)
const onText = (t: string) => {
  if (t.includes('WAITING')) process.stderr.write('printed\n');
};
if (raw === 'raw') {
  const cap = new BoundedCapture(64 * 1024, outputFile!, onText, { redact: false });
  const p = spawn(process.execPath, [printer, what!], { stdio: ['ignore', 'pipe', 'ignore'] });
  p.stdout.on('data', (c: Buffer) => cap.push(c));
} else {
  await runLocal({ argv: [process.execPath, printer, what!], timeoutMs: 600_000, outputFile: outputFile!, onOutput: onText });
}
