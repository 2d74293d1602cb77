import type { Command } from 'commander';

// Placeholder until its owner lands it; registers the name so --help lists it.
export function registerSchema(program: Command): void {
  program.command('schema').description('(not yet available)').action(() => {
    process.stderr.write('netwiz schema: not implemented yet\n');
    process.exit(2);
  });
}
