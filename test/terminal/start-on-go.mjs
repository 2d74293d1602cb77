// Test helper (first-frame.test.ts): waits until $NW_GO_FILE exists, so the test can attach
// `tmux pipe-pane` and record every byte the program writes; prints $NW_ABOVE (a line that
// must survive on screen), then runs argv and writes its exit status to $NW_EXIT_FILE.
// With $NW_STDOUT_FILE the program's stdout goes to that file instead of the terminal.
import { spawnSync } from 'node:child_process';
import { existsSync, openSync, writeFileSync } from 'node:fs';

const [file, ...args] = process.argv.slice(2);
const go = process.env.NW_GO_FILE;
while (go && !existsSync(go)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
if (process.env.NW_ABOVE) process.stdout.write(`${process.env.NW_ABOVE}\n`);
const out = process.env.NW_STDOUT_FILE ? openSync(process.env.NW_STDOUT_FILE, 'w') : 'inherit';
const r = spawnSync(file, args, { stdio: ['inherit', out, 'inherit'] });
if (process.env.NW_EXIT_FILE) writeFileSync(process.env.NW_EXIT_FILE, String(r.status ?? 128));
