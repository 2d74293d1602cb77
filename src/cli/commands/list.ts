import type { Command } from 'commander';

// Placeholder until its owner lands it; registers the name so --help lists it.
export function registerList(program: Command): void {
  program.command('list').description('(not yet available)').action(() => {
    process.stderr.write('netwiz list: not implemented yet\n');
    process.exit(2);
  });
}
