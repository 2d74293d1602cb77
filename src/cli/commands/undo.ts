// `netwiz undo`: put back what a crashed or killed session changed, from the mutation
// journal. Lists what it will run, asks unless --yes, and is safe to run twice.
import type { Command } from 'commander';

interface UndoOptions {
  session?: string;
  all?: boolean;
  yes?: boolean;
  dryRun?: boolean;
}

export function registerUndo(program: Command): void {
  program
    .command('undo')
    .description('restore what a crashed or killed session changed (scale, patch…), from the mutation journal')
    .option('--session <id>', 'the session to restore')
    .option('--all', 'restore every session that left changes behind')
    .option('-y, --yes', 'do not ask before running the restore commands')
    .option('--dry-run', 'show what would be restored, run nothing')
    .action(async (opts: UndoOptions) => {
      process.exitCode = await runUndo(opts);
    });
}

async function confirm(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

export async function runUndo(opts: UndoOptions): Promise<number> {
  const { pendingEntries, sessionsWithPending, restoreSession, journalFile } = await import('../../exec/journal.js');
  const { createExecutor } = await import('../../exec/cluster-executor.js');
  const { formatArgv } = await import('../../exec/format.js');
  const { targetLabel } = await import('../../exec/kubectl.js');
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const err = (s: string) => process.stderr.write(`${s}\n`);

  let sessions: string[];
  if (opts.session) {
    sessions = [opts.session];
  } else {
    const withChanges = await sessionsWithPending();
    if (withChanges.length === 0) {
      out('netwiz undo: no session has changes left to restore');
      return 0;
    }
    if (opts.all || withChanges.length === 1) {
      sessions = withChanges;
    } else {
      err(`netwiz undo: ${withChanges.length} sessions left changes behind:`);
      for (const s of withChanges) err(`  ${s}`);
      err('say which with --session ID, or restore them all with --all');
      return 2;
    }
  }

  const plan: { session: string; count: number }[] = [];
  for (const session of sessions) {
    let entries;
    try {
      entries = await pendingEntries(session);
    } catch (e) {
      err(`netwiz undo: ${(e as Error).message}`);
      return 2;
    }
    if (entries.length === 0) {
      out(`session ${session}: nothing to restore (journal ${journalFile(session)})`);
      continue;
    }
    out(`session ${session}: ${entries.length} change(s) to put back, newest first:`);
    for (const e of [...entries].reverse()) {
      out(`  changed:   ${formatArgv(e.argv)}   [${targetLabel(e.target)}, ${e.at}]`);
      out(`  restore:   ${formatArgv(e.undo)}`);
      if (e.restored && !e.restored.ok) out(`  (an earlier restore failed: ${e.restored.detail ?? 'unknown'})`);
    }
    plan.push({ session, count: entries.length });
  }
  if (plan.length === 0) return 0;
  if (opts.dryRun) {
    out('dry run: nothing was run');
    return 0;
  }
  if (!opts.yes) {
    if (!process.stdin.isTTY) {
      err('netwiz undo: not a terminal, so cannot ask; run again with --yes to restore, or --dry-run to only list');
      return 2;
    }
    if (!(await confirm('Run these restore commands? [y/N] '))) {
      out('nothing restored');
      return 1;
    }
  }
  let failed = 0;
  // one executor per distinct cluster options (a session's --context may differ from today's)
  const executors = new Map<string, ReturnType<typeof createExecutor>>();
  for (const { session } of plan) {
    const results = await restoreSession(session, (cluster) => {
      const key = JSON.stringify(cluster);
      let ex = executors.get(key);
      if (!ex) executors.set(key, (ex = createExecutor(cluster, { sessionId: `undo-${session}` })));
      return ex;
    });
    for (const r of results) {
      out(`${r.ok ? 'restored' : 'FAILED  '}  ${formatArgv(r.argv)}${r.detail ? `\n          ${r.detail}` : ''}`);
      if (!r.ok) failed++;
    }
  }
  await Promise.allSettled([...executors.values()].map((ex) => ex.close()));
  if (failed > 0) {
    err(`netwiz undo: ${failed} restore command(s) failed; fix the cause shown above and run netwiz undo again (restoring twice is harmless)`);
    return 1;
  }
  return 0;
}
