import type { Command } from 'commander';

// Placeholder until its owner lands it; registers the name so --help lists it.
export function registerValidate(program: Command): void {
  program.command('validate').description('(not yet available)').action(() => {
    process.stderr.write('netwiz validate: not implemented yet\n');
    process.exit(2);
  });
}
