// Markdown export for incident reviews: summary, timeline, each step (why, command, trimmed
// output, decision), hypotheses. Written for GitHub/GitLab/wiki renderers: every piece of
// recorded text is either in a fence longer than any backtick run inside it, or escaped,
// and control characters are made inert.
import type { CommandRecord, SessionRecord, StepRecord } from './session-record.js';
import { describeTarget, formatDuration } from './session-record.js';
import { inertOneLine, inertText } from './inert.js';
import { shellJoin } from './shell-quote.js';

/** Escape text for inline Markdown (headings, paragraphs, table cells). */
export function mdText(s: string): string {
  return inertOneLine(s.trim())
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    // enough for inline text: links, emphasis, code, tables, strikethrough cannot start
    .replace(/([\\`*_[\]|~])/g, '\\$1');
}

/** Inline code that no backtick inside can close early; safe in table cells too. */
export function mdCode(s: string): string {
  const text = inertOneLine(s);
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || text === '' ? ' ' : '';
  // GitHub splits table cells on | even inside code spans; \| renders as |
  return `${fence}${pad}${text.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** A fenced block no line of `body` can close (fence longer than any backtick run). */
export function mdFence(body: string, info = ''): string {
  const text = inertText(body).replace(/\n+$/, '');
  const longest = Math.max(0, ...[...text.matchAll(/`{3,}/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${info}\n${text}\n${fence}`;
}

export interface MdOptions {
  /** lines kept from the start and the end of each output */
  headLines?: number;
  tailLines?: number;
  /** characters kept per line */
  lineWidth?: number;
}

/** Keep the first and last lines of an output, and cut very long lines. */
export function trimOutput(text: string, o: MdOptions = {}): string {
  const head = o.headLines ?? 30;
  const tail = o.tailLines ?? 10;
  const width = o.lineWidth ?? 240;
  let lines = text.replace(/\n$/, '').split('\n');
  if (lines.length > head + tail + 1) {
    const omitted = lines.length - head - tail;
    lines = [...lines.slice(0, head), `[… ${omitted} lines omitted …]`, ...lines.slice(lines.length - tail)];
  }
  return lines
    .map((l) => (l.length > width ? `${l.slice(0, width)} [… ${l.length - width} more characters]` : l))
    .join('\n');
}

function statusWord(c: CommandRecord): string {
  const r = c.result;
  switch (c.status) {
    case 'ok':
    case 'failed':
      return `exit ${r?.exitCode ?? '?'} in ${formatDuration(r?.durationMs)}`;
    case 'timed-out':
      return `timed out after ${formatDuration(r?.durationMs)}`;
    case 'cancelled':
      return 'cancelled';
    case 'spawn-failed':
      return `could not start: ${r?.spawnError ?? 'unknown error'}`;
    case 'skipped':
      return `skipped: ${c.skipReason ?? ''}`;
    case 'not-finished':
      return 'did not finish (session interrupted)';
  }
}

function stepResult(s: StepRecord): string {
  if (s.kind === 'ask') {
    if (s.skipped) return `skipped: ${s.skipped}`;
    return s.answer === undefined ? 'not answered' : `answered ${String(s.answer)}`;
  }
  return s.commands.map(statusWord).join('; ') || 'no command';
}

function timeOf(ts: string | undefined): string {
  if (!ts) return '';
  const m = /T(\d\d:\d\d:\d\d)/.exec(ts);
  return m ? m[1]! : ts;
}

function outcomeLine(r: SessionRecord): string {
  const o = r.outcome;
  if (!o) return r.status === 'interrupted' ? 'interrupted (no conclusion recorded; `netwiz resume` can continue it)' : r.status;
  if (o.status === 'concluded') {
    const title = r.cause?.title;
    return `concluded: ${title ? `${mdText(title)} (${mdCode(o.cause ?? '')})` : mdCode(o.cause ?? '?')}`;
  }
  if (o.status === 'inconclusive') return `inconclusive${o.reason ? `: ${mdText(o.reason)}` : ''}`;
  return `${o.status}${o.reason ? `: ${mdText(o.reason)}` : ''}`;
}

/** The hypothesis evidence a step's decision gave (matched by its history seq). */
function evidenceOf(r: SessionRecord, playbookId: string, stepId: string, seq: number | undefined): string[] {
  if (seq === undefined) return [];
  const out: string[] = [];
  for (const h of r.hypotheses) {
    for (const e of h.evidence) {
      if (e.seq === seq && e.stepId === stepId && e.playbookId === playbookId) out.push(`**Evidence:** ${mdText(e.effect)} ${mdCode(h.causeId)}: ${mdText(e.text)}`);
    }
  }
  return out;
}

function sameGroup(a: StepRecord | undefined, b: StepRecord): boolean {
  return !!a && a.parallelOf !== undefined && a.parallelOf === b.parallelOf && a.playbookId === b.playbookId;
}

export function exportMarkdown(r: SessionRecord, o: MdOptions = {}): string {
  const out: string[] = [];
  const title = r.playbookTitle ?? r.playbook;
  out.push(`# netwiz session: ${mdText(title || 'unknown playbook')}`, '');
  out.push(`**Outcome:** ${outcomeLine(r)}`, '');

  const rows: [string, string][] = [];
  rows.push(['Symptom / playbook', `${r.symptom ? `${mdText(r.symptom)} — ` : ''}${mdCode(r.playbook)}`]);
  if (r.outcome?.status === 'concluded') {
    rows.push(['Cause', r.cause ? `${mdText(r.cause.title)}: ${mdText(r.cause.explanation)}` : mdCode(r.outcome.cause ?? '?')]);
  }
  if (r.outcome?.evidence.length) rows.push(['Evidence', r.outcome.evidence.map(mdText).join('<br>')]);
  if (r.cause?.fix) {
    const cmds = r.cause.fix.commands.map((c) => mdCode(shellJoin(c)));
    rows.push(['Fix', [mdText(r.cause.fix.text), ...cmds].join('<br>')]);
  }
  if (r.outcome?.next) rows.push(['Next', mdText(r.outcome.next)]);
  rows.push(['Started', mdText(r.startedAt ?? 'unknown')]);
  rows.push(['Duration', mdText(formatDuration(r.durationMs))]);
  rows.push(['Cluster context', r.context ? mdCode(r.context) : 'current context']);
  // --namespace, else the playbook's namespace input, else whatever the kubeconfig says
  const ns = r.namespace ?? r.inputs.namespace;
  rows.push(['Namespace', ns ? mdCode(ns) : 'the kubeconfig context\'s default']);
  const inputs = Object.entries(r.inputs);
  if (inputs.length) rows.push(['Inputs', inputs.map(([k, v]) => `${mdText(k)} = ${mdCode(v)}`).join('<br>')]);
  if (r.options) {
    const flags = [r.options.readOnly && 'read-only', r.options.dryRun && 'dry-run', r.options.yes && 'yes'].filter(Boolean);
    if (flags.length) rows.push(['Options', mdText(flags.join(', '))]);
  }
  rows.push(['Session', `${mdCode(r.sessionId)}, netwiz ${mdText(r.netwizVersion)}${r.resumes ? `, resumed ${r.resumes}×` : ''}`]);
  rows.push(['Transcript', mdCode(r.transcript)]);
  out.push('| | |', '|---|---|', ...rows.map(([k, v]) => `| **${k}** | ${v} |`), '');

  if (r.warnings.length) {
    out.push('> [!WARNING]', ...r.warnings.map((w) => `> ${mdText(w)}<br>`), '');
  }

  out.push('## Timeline', '');
  out.push('| # | time | step | command / question | result |', '|---:|---|---|---|---|');
  for (const s of r.steps) {
    const what =
      s.kind === 'ask'
        ? mdText(s.question?.prompt ?? '')
        : s.commands.map((c) => mdCode(shellJoin(c.argv))).join('<br>');
    // ∥ marks the branches of a parallel step: they ran at the same time
    out.push(`| ${s.index} | ${timeOf(s.ts)} | ${s.parallelOf !== undefined ? '∥ ' : ''}${mdText(s.title)} | ${what} | ${mdText(stepResult(s))} |`);
  }
  out.push('');

  out.push('## Steps', '');
  for (const [k, s] of r.steps.entries()) {
    if (s.parallelOf !== undefined && !sameGroup(r.steps[k - 1], s)) {
      let last = k;
      while (sameGroup(r.steps[last + 1], s)) last++;
      const n = last - k + 1;
      const range = n > 1 ? `Steps ${s.index}–${r.steps[last]!.index} ran` : `Step ${s.index} ran`;
      out.push(`*${range} at the same time (parallel step ${mdCode(s.parallelOf)}): independent reads, each with its own command, output and evidence.*`, '');
    }
    out.push(`### ${s.index}. ${mdText(s.title)}`, '');
    out.push(`<sub>${mdCode(`${s.playbookId}/${s.stepId}`)}</sub>`, '');
    if (s.why) out.push(`**Why:** ${mdText(s.why)}`, '');
    if (s.kind === 'ask') {
      out.push(`**Question:** ${mdText(s.question?.prompt ?? '')}`, '');
      out.push(`**Answer:** ${s.skipped ? `skipped (${mdText(s.skipped)})` : s.answer === undefined ? 'not answered' : mdCode(String(s.answer))}`, '');
    }
    for (const c of s.commands) {
      const where = describeTarget(c.target, r.namespace);
      const mut = c.mutates ? ' — **changes the cluster**' : '';
      const item = c.item !== undefined ? ` for ${mdCode(typeof c.item === 'string' ? c.item : JSON.stringify(c.item))}` : '';
      if (c.status === 'skipped') {
        // never ran: shown inline, so fenced blocks are only what ran and what it printed
        out.push(`Not run on ${mdText(where)}${item} (${mdText(statusWord(c))}): ${mdCode(shellJoin(c.argv))}`, '');
        continue;
      }
      out.push(`Command on ${mdText(where)}${item}${mut}, ${mdText(statusWord(c))}:`, '');
      out.push(mdFence(shellJoin(c.argv), 'sh'), '');
      const res = c.result;
      if (res?.stdout && res.stdout.trim()) {
        const shown = trimOutput(res.stdout, o);
        const cut = shown !== res.stdout.replace(/\n$/, '') || res.truncated;
        out.push(`Output${cut ? ` (trimmed${res.outputFile ? `; whole output in ${mdCode(res.outputFile)}` : ''})` : ''}:`, '');
        out.push(mdFence(shown, 'text'), '');
      }
      if (res?.stderr && res.stderr.trim()) {
        out.push('Stderr:', '', mdFence(trimOutput(res.stderr, o), 'text'), '');
      }
      if (c.undo) {
        const restored = c.restored
          ? c.restored.ok
            ? ', restored at the end of the session'
            : `, restore FAILED${c.restored.detail ? ` (${mdText(c.restored.detail)})` : ''}`
          : c.journalId
            ? ', not restored in this session: `netwiz undo` puts it back'
            : '';
        out.push(`Undo${restored}: ${mdCode(shellJoin(c.undo))}`, '');
      }
    }
    if (s.decision) {
      const next =
        s.parallelOf !== undefined ? ` → evidence only; parallel step ${mdCode(s.parallelOf)} decides` : s.decision.next ? ` → next: ${mdCode(s.decision.next)}` : ' → end of this playbook';
      out.push(`**Decision:** ${mdText(s.decision.summary)}${next}`, '');
      for (const w of s.decision.warnings ?? []) out.push(`> ${mdText(w)}`, '');
    }
    for (const line of evidenceOf(r, s.playbookId, s.stepId, s.decision?.seq)) out.push(line, '');
    if (s.parallelDecision) {
      const d = s.parallelDecision;
      const next = d.next ? ` → next: ${mdCode(d.next)}` : ' → end of this playbook';
      out.push(`**Decision of ${mdCode(d.stepId)} once every read finished:** ${mdText(d.summary)}${next}`, '');
      for (const w of d.warnings ?? []) out.push(`> ${mdText(w)}`, '');
      for (const line of evidenceOf(r, d.playbookId, d.stepId, d.seq)) out.push(line, '');
    }
  }

  out.push('## Hypotheses', '');
  if (r.hypotheses.length === 0) {
    out.push('No hypothesis was recorded.', '');
  } else {
    out.push('| cause | status | evidence |', '|---|---|---|');
    const order = { confirmed: 0, supported: 1, open: 2, 'ruled-out': 3 } as const;
    for (const h of [...r.hypotheses].sort((a, b) => order[a.status] - order[b.status])) {
      const ev = h.evidence.map((e) => `${mdText(e.effect)}: ${mdText(e.text)}`).join('<br>') || '—';
      out.push(`| ${mdCode(h.causeId)} | ${mdText(h.status)} | ${ev} |`);
    }
    out.push('');
  }
  if (r.cause?.references?.length) {
    out.push('## References', '', ...r.cause.references.map((x) => `- ${mdText(x)}`), '');
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}
