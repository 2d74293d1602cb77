import type { Command } from 'commander';

// Placeholder until its owner lands it; registers the name so --help lists it.
export function registerDemo(program: Command): void {
  program.command('demo').description('(not yet available)').action(() => {
    process.stderr.write('netwiz demo: not implemented yet\n');
    process.exit(2);
  });
}
