// `netwiz replay TRANSCRIPT`: step through a finished session in the wizard's screens,
// read-only (reviews, teaching). Ink loads only here, and only with a terminal.
import type { Command } from 'commander';
import { whyNoTerminal } from '../../ui/launch.js';

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .argument('<transcript>', 'a session transcript (.jsonl; netwiz sessions lists them)')
    .description('step through a finished session in the wizard, read-only')
    .option('--playbooks <dir>', 'extra folder of playbooks, for step and cause titles (repeatable)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .action(async (transcript: string, opts: { playbooks: string[] }) => {
      const why = whyNoTerminal();
      if (why) {
        process.stderr.write(`netwiz replay: needs an interactive terminal (${why}); for a text version use: netwiz export ${transcript} --format md\n`);
        process.exit(2);
      }
      const { runReplay } = await import('../../ui/run-replay.js');
      let code: number;
      try {
        code = await runReplay(transcript, opts.playbooks);
      } catch (e) {
        process.stderr.write(`netwiz replay: ${e instanceof Error ? e.message : String(e)}\n`);
        code = 2;
      }
      process.exit(code);
    });
}
