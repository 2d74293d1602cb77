// Runs argv in this terminal and records its exit status in $NW_EXIT_FILE. tmux reports
// a pane's exit status only once it has reaped the process, and under load it sometimes
// never does (the process stays a zombie), so the terminal tests read the status here.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { constants } from 'node:os';

const [file, ...args] = process.argv.slice(2);
const r = spawnSync(file, args, { stdio: 'inherit' });
const code = r.status ?? 128 + (r.signal ? (constants.signals[r.signal] ?? 0) : 0);
if (process.env.NW_EXIT_FILE) writeFileSync(process.env.NW_EXIT_FILE, String(code));
process.exit(code);
