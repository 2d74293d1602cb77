import type { Command } from 'commander';

// Placeholder until the TUI lands: `netwiz` with no subcommand opens the wizard.
export function registerWizard(program: Command): void {
  program.action(() => {
    program.help();
  });
}
