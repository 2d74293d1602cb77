// The light entry to the wizard: decides whether a terminal is there and loads Ink and
// React only then (dynamic import), so `netwiz --version` and `netwiz run --json` never
// pay for them.
import type { ClusterOptions } from '../exec/types.js';

export interface WizardLaunchOptions {
  /** open this playbook directly (netwiz run PLAYBOOK in a terminal) */
  playbookId?: string;
  /** inputs given with --var; not asked again */
  inputs?: Record<string, string>;
  cluster: ClusterOptions;
  /** extra playbook folders (--playbooks) */
  playbookDirs?: string[];
  readOnly?: boolean;
  dryRun?: boolean;
  /** --yes: mutating steps still show, but need no key press */
  yes?: boolean;
  maxSteps?: number;
  /** --transcript FILE */
  transcript?: string;
}

/** Why the wizard cannot run here, or null when it can. */
export function whyNoTerminal(stdin: NodeJS.ReadStream = process.stdin, stdout: NodeJS.WriteStream = process.stdout): string | null {
  if (!stdin.isTTY) return 'stdin is not a terminal';
  if (!stdout.isTTY) return 'stdout is not a terminal';
  if (typeof stdin.setRawMode !== 'function') return 'the terminal does not support raw mode';
  return null;
}

/** Run the wizard to the end; resolves with the process exit code. */
export async function launchWizard(opts: WizardLaunchOptions): Promise<number> {
  const { runWizard } = await import('./run-wizard.js');
  return runWizard(opts);
}
