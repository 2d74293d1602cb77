// netwiz entry point: parses argv and hands off to one command module.
// Each module registers its own subcommand and loads its heavy parts lazily,
// so `netwiz --version` does not pay for Ink, the engine or the lab.
import { Command } from 'commander';
import { NETWIZ_VERSION } from '../version.js';
import { registerValidate } from './commands/validate.js';
import { registerSchema } from './commands/schema.js';
import { registerList } from './commands/list.js';
import { registerRun } from './commands/run.js';
import { registerLab } from './commands/lab.js';
import { registerDemo } from './commands/demo.js';
import { registerUndo } from './commands/undo.js';
import { registerExport } from './commands/export.js';
import { registerSessions } from './commands/sessions.js';
import { registerResume } from './commands/resume.js';
import { registerReplay } from './commands/replay.js';
import { registerWizard } from './commands/wizard.js';

export function buildProgram(): Command {
  const program = new Command('netwiz')
    .description('Guided diagnosis of Kubernetes services that work sometimes and fail sometimes')
    .version(NETWIZ_VERSION, '-V, --version')
    .showHelpAfterError('(run netwiz --help for usage)');
  for (const register of [
    registerRun,
    registerList,
    registerValidate,
    registerSchema,
    registerLab,
    registerDemo,
    registerUndo,
    registerExport,
    registerSessions,
    registerResume,
    registerReplay,
    registerWizard,
  ]) {
    register(program);
  }
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride((err) => {
    // commander's own usage errors exit 2, like every other usage error of netwiz
    process.exit(err.exitCode === 0 ? 0 : 2);
  });
  await program.parseAsync(argv);
}
