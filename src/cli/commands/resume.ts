// `netwiz resume TRANSCRIPT`: continue an interrupted session from its last completed step.
// The engine state comes from the transcript's last `state` snapshot (nothing completed is
// run again); the step that was running is issued again; new events are appended to the
// same transcript under the same session id, so the undo journal of the first run is
// restored at the end like any other change of the session.
import type { Command } from 'commander';
import type { SessionState } from '../../engine/types.js';
import {
  addSessionOptions,
  type SessionCliOptions,
  UsageError,
  clusterOptionsFrom,
  loadAnswers,
  loadSessionCatalog,
  needsCluster,
  parseVars,
  reachableCatalog,
  reportUsageError,
} from '../session-setup.js';

export function registerResume(program: Command): void {
  addSessionOptions(
    program
      .command('resume')
      .argument('<transcript>', 'transcript of an interrupted session (netwiz sessions lists them)')
      .description('continue an interrupted session from its last completed step, appending to its transcript'),
  )
    .option('--answers <file>', 'YAML/JSON map of step id → answer for the questions still to come')
    .action(async (transcript: string, opts: SessionCliOptions) => {
      process.exitCode = await resumeCommand(transcript, opts);
    });
}

/**
 * Inputs that were redacted in the transcript (a password) cannot be recovered from it:
 * the operator passes them again with --var; they replace the redacted value in the
 * inputs and in the root frame's facts.
 */
export function resupplyInputs(
  inputs: Record<string, string>,
  state: SessionState | undefined,
  vars: Record<string, string>,
  redacted: string,
): { inputs: Record<string, string>; state: SessionState | undefined; stillRedacted: string[] } {
  const out = { ...inputs, ...vars };
  let next = state;
  if (state && Object.keys(vars).length > 0) {
    next = structuredClone(state);
    const root = next.frames[0];
    if (root) for (const [k, v] of Object.entries(vars)) root.facts[k] = v;
  }
  const stillRedacted = Object.entries(out)
    .filter(([, v]) => v.includes(redacted))
    .map(([k]) => k);
  return { inputs: out, state: next, stillRedacted };
}

export async function resumeCommand(transcriptPath: string, opts: SessionCliOptions): Promise<number> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const transcript = await import('../../transcript/index.js');
  let loaded;
  let plan;
  try {
    loaded = transcript.loadTranscript(transcriptPath);
    plan = transcript.planResume(loaded);
  } catch (e) {
    log(`netwiz resume: ${e instanceof Error ? e.message : String(e)}`);
    return e instanceof transcript.ResumeError ? 2 : 1;
  }
  for (const w of plan.warnings) log(`netwiz resume: warning: ${w}`);
  const start = plan.start;

  let setup;
  try {
    const vars = parseVars(opts.var ?? []);
    const answers = await loadAnswers(opts.answers);
    // a playbook run from a file is found there again; otherwise by id on the search path
    const { existsSync } = await import('node:fs');
    const where = start.playbookFile && existsSync(start.playbookFile) ? start.playbookFile : start.playbook;
    const cat = await loadSessionCatalog(where, opts.playbooks ?? []);
    if (cat.root.id !== start.playbook) {
      throw new UsageError(`${where} holds playbook "${cat.root.id}", but the session ran "${start.playbook}"`);
    }
    const re = resupplyInputs(start.inputs, plan.state, vars, transcript.REDACTED);
    if (re.stillRedacted.length > 0) {
      log(
        `netwiz resume: note: input${re.stillRedacted.length === 1 ? '' : 's'} ${re.stillRedacted.join(', ')} ` +
          `${re.stillRedacted.length === 1 ? 'was' : 'were'} redacted in the transcript; pass --var NAME=VALUE to give ${re.stillRedacted.length === 1 ? 'it' : 'them'} again`,
      );
    }
    setup = { ...cat, inputs: re.inputs, state: re.state, answers };
  } catch (e) {
    if (e instanceof UsageError) return reportUsageError(e, 'resume');
    throw e;
  }

  const [{ startDriver }, exec, journalMod, rbac, run] = await Promise.all([
    import('../../session/driver.js'),
    import('../../exec/index.js'),
    import('../../exec/journal.js'),
    import('../../exec/rbac.js'),
    import('./run.js'),
  ]);
  // the cluster the session talked to, unless the operator says otherwise now
  const cluster = clusterOptionsFrom({
    ...opts,
    context: opts.context ?? start.context,
    namespace: opts.namespace ?? start.namespace,
    kubeconfig: opts.kubeconfig ?? start.kubeconfig,
  });
  const sessionId = start.sessionId;
  const writer = transcript.openTranscriptWriter({ path: transcriptPath, catalog: setup.catalog, append: true });
  writer.note({
    type: 'transcript-resume',
    netwizVersion: (await import('../../version.js')).NETWIZ_VERSION,
    fromStateSeq: plan.fromStateSeq,
    reissued: plan.reissue.map((e) => e.id),
  });
  log(
    `netwiz resume ${start.playbook} (session ${sessionId}): ` +
      (plan.state
        ? `${plan.completedSteps} step${plan.completedSteps === 1 ? '' : 's'} done, ${plan.reissue.length} to run again`
        : 'no step had completed; starting over') +
      `; appending to ${transcriptPath}`,
  );
  const interaction = run.answersInteraction(setup.answers, log);
  const reachable = reachableCatalog(setup.catalog, start.playbook);
  const touchesCluster = needsCluster(reachable);
  // --yes is asked again: consent to change a cluster does not carry over a crash
  const readOnly = !!opts.readOnly || start.options.readOnly;
  const handle = startDriver({
    sessionId,
    catalog: setup.catalog,
    rootPlaybook: start.playbook,
    inputs: setup.inputs,
    options: {
      readOnly,
      dryRun: !!opts.dryRun || start.options.dryRun,
      maxSteps: setup.state?.options.maxSteps ?? 500,
      yes: !!opts.yes && !readOnly,
    },
    cluster,
    executor: exec.createExecutor(cluster, { sessionId }),
    interaction,
    observers: [writer, run.progressObserver(log)],
    journal: journalMod.createJournal(),
    ...(touchesCluster ? { preflight: () => rbac.preflight(reachable, cluster, { inputs: setup.inputs }) } : {}),
    outputFile: (effectId) => transcript.outputFileFor(transcriptPath, effectId),
    ...(setup.state ? { resumeFrom: setup.state } : {}),
  });
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) handle.cancel();
    else handle.abort('interrupted by the operator (Ctrl-C twice)');
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const outcome = await handle.done;
    return run.EXIT[outcome.status];
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
    writer.close();
  }
}
