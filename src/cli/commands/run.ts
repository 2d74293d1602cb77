import type { Command } from 'commander';

// Placeholder until its owner lands it; registers the name so --help lists it.
export function registerRun(program: Command): void {
  program.command('run').description('(not yet available)').action(() => {
    process.stderr.write('netwiz run: not implemented yet\n');
    process.exit(2);
  });
}
