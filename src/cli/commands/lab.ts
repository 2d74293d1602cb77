import type { Command } from 'commander';

// Placeholder until its owner lands it; registers the name so --help lists it.
export function registerLab(program: Command): void {
  program.command('lab').description('(not yet available)').action(() => {
    process.stderr.write('netwiz lab: not implemented yet\n');
    process.exit(2);
  });
}
