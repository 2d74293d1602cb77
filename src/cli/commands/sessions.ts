import type { Command } from 'commander';

// Placeholder until its owner lands it; registers the name so --help lists it.
export function registerSessions(program: Command): void {
  program.command('sessions').description('(not yet available)').action(() => {
    process.stderr.write('netwiz sessions: not implemented yet\n');
    process.exit(2);
  });
}
