import type { Command } from 'commander';

// Placeholder until its owner lands it; registers the name so --help lists it.
export function registerExport(program: Command): void {
  program.command('export').description('(not yet available)').action(() => {
    process.stderr.write('netwiz export: not implemented yet\n');
    process.exit(2);
  });
}
