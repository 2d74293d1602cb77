// Shell runbook export: the commands that ran, in order, each with its step title and why
// as comments, every argument quoted for POSIX sh. Mutations are followed by their undo,
// commented out.
//
// Why `set -u` but not `set -e`: a diagnosis runbook is made of probes that are *expected*
// to fail (ping loss, curl refused, grep finding nothing); stopping at the first one would
// hide the rest of the evidence. Each command instead reports a non-zero exit on stderr
// and the runbook goes on.
//
// Comments are made inert (one line, controls shown), but arguments are not: an argument
// holding an escape or other control byte stays byte for byte inside its single quotes, so
// the runbook runs exactly the command netwiz ran. `cat` of such a runbook in a terminal
// interprets those bytes; read it with `less` or an editor.
import type { TargetSpec } from '../engine/model.js';
import { inertOneLine } from './inert.js';
import type { CommandRecord, SessionRecord } from './session-record.js';
import { shellJoin, shellQuote } from './shell-quote.js';

function comment(text: string): string {
  // one physical line whatever the text holds: newlines and controls are made visible
  return `# ${inertOneLine(text)}`.trimEnd();
}

function hasClusterFlag(argv: readonly string[]): boolean {
  return argv.some((a) => /^--(context|kubeconfig)(=|$)/.test(a));
}

/** argv as this runbook runs it: kubectl goes through `k` (context), pods through kubectl exec. */
export function runbookCommand(argv: readonly string[], target: TargetSpec, sessionNamespace?: string): string {
  const local = argv[0] === 'kubectl' && !hasClusterFlag(argv) ? `k ${shellJoin(argv.slice(1))}` : shellJoin(argv);
  if (target.kind === 'pod') {
    const ns = target.namespace ?? sessionNamespace;
    const parts = ['k', 'exec'];
    if (ns) parts.push('-n', shellQuote(ns));
    parts.push(shellQuote(target.pod ?? ''));
    if (target.container) parts.push('-c', shellQuote(target.container));
    return `${parts.join(' ')} -- ${shellJoin(argv)}`;
  }
  if (target.kind === 'node') return `on_node ${shellQuote(target.node ?? '')} ${shellJoin(argv)}`;
  return local.trimEnd();
}

function statusNote(c: CommandRecord): string | undefined {
  switch (c.status) {
    case 'skipped':
      return `not run (skipped: ${c.skipReason ?? ''})`;
    case 'not-finished':
      return 'started, did not finish (session interrupted)';
    case 'cancelled':
      return 'cancelled by the operator';
    case 'timed-out':
      return `timed out after ${c.result?.durationMs ?? '?'} ms`;
    case 'spawn-failed':
      return `could not start: ${c.result?.spawnError ?? ''}`;
    case 'failed':
      return `exited ${c.result?.exitCode ?? '?'}`;
    case 'ok':
      return undefined;
  }
}

export function exportShell(r: SessionRecord): string {
  const out: string[] = [];
  const kArgs = ['kubectl'];
  if (r.kubeconfig) kArgs.push('--kubeconfig', r.kubeconfig);
  if (r.context) kArgs.push('--context', r.context);
  out.push(
    '#!/bin/sh',
    comment(`netwiz runbook: ${r.playbookTitle ?? r.playbook}`),
    comment(`from transcript ${r.transcript}`),
    comment(`session ${r.sessionId}, netwiz ${r.netwizVersion}, started ${r.startedAt ?? 'unknown'}`),
    comment(`outcome: ${r.status}${r.outcome?.cause ? ` (${r.cause?.title ?? r.outcome.cause})` : ''}`),
    '#',
    '# Probes are expected to fail sometimes (that is evidence), so this runbook does not',
    '# use `set -e`: a failing command is reported on stderr and the next one runs.',
    '# Credentials were redacted: fill in any [REDACTED] placeholder before running.',
    '# Commands that change the cluster are marked; their undo follows, commented out.',
    'set -u',
    '',
    comment('kubectl with the session\'s cluster options'),
    `k() { ${shellJoin(kArgs)} "$@"; }`,
    '# on_node NODE CMD...: run CMD in a node\'s host namespaces. netwiz used its own hostNetwork',
    '# pod per node; here `kubectl debug node` does it (it leaves its pod behind: delete it after).',
    'on_node() { _node=$1; shift; k debug "node/$_node" -q -i --profile=sysadmin --image="${NETWIZ_DEBUG_IMAGE:-nicolaka/netshoot}" -- chroot /host "$@"; }',
    'failed() { printf \'netwiz runbook: step %s exited %s\\n\' "$1" "$2" >&2; }',
    '',
  );
  for (const s of r.steps) {
    out.push(comment(`--- step ${s.index}: ${s.title} (${s.playbookId}/${s.stepId})`));
    if (s.why) out.push(comment(`why: ${s.why}`));
    if (s.parallelOf !== undefined) out.push(comment(`one of the independent reads of parallel step ${s.parallelOf}: netwiz ran them at the same time`));
    if (s.kind === 'ask') {
      out.push(comment(`question: ${s.question?.prompt ?? ''}`));
      out.push(comment(s.skipped ? `answer: skipped (${s.skipped})` : `answer: ${s.answer === undefined ? 'none' : String(s.answer)}`));
    }
    for (const c of s.commands) {
      const cmd = runbookCommand(c.argv, c.target, r.namespace);
      const note = statusNote(c);
      if (c.status === 'skipped') {
        out.push(comment(`${note}: ${cmd}`));
        continue;
      }
      if (note) out.push(comment(`in the session: ${note}`));
      if (c.mutates) out.push('# CHANGES THE CLUSTER:');
      out.push(`${cmd} || failed ${s.index} $?`);
      if (c.undo) out.push(comment(`undo: ${runbookCommand(c.undo, { kind: 'workstation' }, r.namespace)}`));
    }
    if (s.decision) out.push(comment(`decision: ${s.decision.summary}${s.decision.next ? ` -> ${s.decision.next}` : ''}`));
    if (s.parallelDecision) {
      const d = s.parallelDecision;
      out.push(comment(`decision of ${d.stepId} once every read finished: ${d.summary}${d.next ? ` -> ${d.next}` : ''}`));
    }
    out.push('');
  }
  if (r.cause?.fix) {
    out.push(comment(`fix (${r.cause.title}): ${r.cause.fix.text}`));
    for (const c of r.cause.fix.commands) out.push(comment(`  ${shellJoin(c)}`));
  }
  return `${out.join('\n')}\n`;
}
