// The light entry to the wizard: decides whether a terminal is there and loads Ink and
// React only then (dynamic import), so `netwiz --version` and `netwiz run --json` never
// pay for them.
import type { ClusterOptions } from '../exec/types.js';
import { NETWIZ_VERSION } from '../version.js';
import type { ClusterTarget } from './components/Header.js';
import { prePrintFirstFrame, type PrePrinted } from './first-frame.js';
import { traceStdinReads } from './debug-keys.js';

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

/** What launchWizard did before Ink loaded, handed to runWizard. */
export interface EarlyStart {
  /** the first frame printed as plain text, to be erased right before Ink draws */
  prePrinted: PrePrinted | null;
  /** the kube context, already being read while Ink loads */
  cluster: Promise<ClusterTarget>;
}

/** Run the wizard to the end; resolves with the process exit code. */
export async function launchWizard(opts: WizardLaunchOptions): Promise<number> {
  // raw mode first: a key typed now is neither echoed (which would move the cursor under
  // the pre-printed frame) nor lost; it waits for the start screen
  const raw = process.stdin.isTTY && typeof process.stdin.setRawMode === 'function';
  if (raw) process.stdin.setRawMode(true);
  // NETWIZ_DEBUG_KEYS=FILE: log every chunk Ink reads from the terminal (debug-keys.ts)
  traceStdinReads(process.stdin);
  const early: EarlyStart = {
    prePrinted: prePrintFirstFrame(process.stdout, process.env, NETWIZ_VERSION),
    // kubectl (or the kubeconfig file) is read on the other core while Ink is parsed; the
    // module (with the YAML parser) loads after the first frame is out, not with the entry
    cluster: import('./cluster-context.js').then((m) => m.readClusterTarget(opts.cluster)),
  };
  let wizard: typeof import('./run-wizard.js');
  try {
    wizard = await import('./run-wizard.js');
  } catch (e) {
    // Ink never took over: leave the terminal as it was found
    if (raw) process.stdin.setRawMode(false);
    if (early.prePrinted) process.stdout.write('\n');
    throw e;
  }
  return wizard.runWizard(opts, early);
}
