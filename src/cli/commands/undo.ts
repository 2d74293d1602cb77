import type { Command } from 'commander';

// Placeholder until its owner lands it; registers the name so --help lists it.
export function registerUndo(program: Command): void {
  program.command('undo').description('(not yet available)').action(() => {
    process.stderr.write('netwiz undo: not implemented yet\n');
    process.exit(2);
  });
}
