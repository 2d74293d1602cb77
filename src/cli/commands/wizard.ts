// `netwiz` with no subcommand (or `netwiz wizard`) opens the interactive wizard. Ink and
// React are loaded only here, through src/ui/launch.ts, and only when a terminal exists;
// without one (piped, CI, cron) it says so and does what `netwiz run` does instead of
// crashing on raw mode.
import type { Command } from 'commander';
import { launchWizard, whyNoTerminal, type WizardLaunchOptions } from '../../ui/launch.js';
import { addSessionOptions, clusterOptionsFrom, parseMaxSteps, parseVars, reportUsageError, UsageError, type SessionCliOptions } from '../session-setup.js';

type WizardFlags = SessionCliOptions & { playbook?: string };

export function launchOptionsFrom(flags: WizardFlags): WizardLaunchOptions {
  return {
    ...(flags.playbook ? { playbookId: flags.playbook } : {}),
    inputs: parseVars(flags.var ?? []),
    cluster: clusterOptionsFrom(flags),
    playbookDirs: flags.playbooks ?? [],
    readOnly: !!flags.readOnly,
    dryRun: !!flags.dryRun,
    yes: !!flags.yes && !flags.readOnly,
    maxSteps: parseMaxSteps(flags.maxSteps),
    ...(flags.transcript ? { transcript: flags.transcript } : {}),
  };
}

async function fallBackToRun(why: string, flags: WizardFlags): Promise<number> {
  process.stderr.write(`netwiz: no interactive terminal (${why}); the wizard needs one.\n`);
  if (flags.playbook) {
    process.stderr.write(`netwiz: running ${flags.playbook} non-interactively instead, as \`netwiz run\` does (questions need --answers, changes need --yes).\n`);
    const { runCommand } = await import('./run.js');
    return runCommand(flags.playbook, flags);
  }
  process.stderr.write('netwiz: in scripts and CI use `netwiz run PLAYBOOK --var name=value [--answers FILE] [--yes] [--json]`; `netwiz list` shows the playbooks.\n');
  return 2;
}

export function registerWizard(program: Command): void {
  addSessionOptions(
    program
      .command('wizard', { isDefault: true })
      .description('open the interactive wizard (the default when no command is given)')
      .option('-p, --playbook <id>', 'open this playbook directly (skips the playbook list)'),
  ).action(async (flags: WizardFlags) => {
    let code: number;
    try {
      const why = whyNoTerminal();
      code = why ? await fallBackToRun(why, flags) : await launchWizard(launchOptionsFrom(flags));
    } catch (e) {
      if (e instanceof UsageError) code = reportUsageError(e, 'wizard');
      else throw e;
    }
    // the executor and transcript are closed by now; leave even if a stray handle lingers
    process.exit(code);
  });
}
