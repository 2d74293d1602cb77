// `netwiz sessions [--json]`: past sessions from the transcript directory, newest first.
import type { Command } from 'commander';

export function registerSessions(program: Command): void {
  program
    .command('sessions')
    .option('--json', 'one JSON array with every field')
    .option('--dir <dir>', 'transcript directory (default $XDG_STATE_HOME/netwiz/sessions)')
    .description('list past sessions: time, context, playbook, outcome, transcript path')
    .action(async (opts: { json?: boolean; dir?: string }) => {
      process.exitCode = await runSessions(opts);
    });
}

export async function runSessions(opts: { json?: boolean; dir?: string }): Promise<number> {
  const t = await import('../../transcript/index.js');
  const dir = opts.dir ?? t.sessionsDir();
  const list = t.listSessions(dir);
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  if (list.length === 0) {
    process.stderr.write(`netwiz: no sessions in ${dir} (a session is recorded there by netwiz run)\n`);
    return 0;
  }
  const rows = list.map((s) => [
    (s.startedAt ?? '?').replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
    s.context ?? '-',
    s.playbook || '?',
    s.status === 'concluded' && s.cause ? `concluded: ${s.cause}` : s.status,
    s.path,
  ].map((cell) => t.inertOneLine(cell))); // names come from transcripts: no control characters to the terminal
  const head = ['STARTED', 'CONTEXT', 'PLAYBOOK', 'OUTCOME', 'TRANSCRIPT'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  process.stdout.write(`${[head, ...rows].map(fmt).join('\n')}\n`);
  return 0;
}
