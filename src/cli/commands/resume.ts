import type { Command } from 'commander';

// Placeholder until its owner lands it; registers the name so --help lists it.
export function registerResume(program: Command): void {
  program.command('resume').description('(not yet available)').action(() => {
    process.stderr.write('netwiz resume: not implemented yet\n');
    process.exit(2);
  });
}
