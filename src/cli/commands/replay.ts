import type { Command } from 'commander';

// Placeholder until its owner lands it; registers the name so --help lists it.
export function registerReplay(program: Command): void {
  program.command('replay').description('(not yet available)').action(() => {
    process.stderr.write('netwiz replay: not implemented yet\n');
    process.exit(2);
  });
}
