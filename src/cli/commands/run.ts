// `netwiz run PLAYBOOK`: walk a playbook without the UI. Commands run for real (workstation,
// pod, node targets), questions are answered from --answers, mutating steps need --yes.
// Progress goes to stderr; with --json one result object goes to stdout.
// Exit codes: 0 concluded, 3 inconclusive, 4 aborted, 2 usage or validation error.
import type { Command } from 'commander';
import type { Outcome, SessionState } from '../../engine/types.js';
import type { SessionEvent, SessionObserver } from '../../session/events.js';
import type { AskEffect, AskReply, Interaction } from '../../session/types.js';
import { formatArgv } from '../../exec/format.js';
import { inertText } from '../../transcript/inert.js';
import { redactArgv } from '../../transcript/redact.js';
import { startupMark } from '../startup-marks.js';
import {
  addSessionOptions,
  type Answers,
  type SessionCliOptions,
  UsageError,
  clusterOptionsFrom,
  loadAnswers,
  loadSessionCatalog,
  newSessionId,
  parseMaxSteps,
  parseVars,
  reportUsageError,
  resolveInputs,
  sessionServices,
} from '../session-setup.js';

export const EXIT = { concluded: 0, inconclusive: 3, aborted: 4, usage: 2 } as const;

export function registerRun(program: Command): void {
  addSessionOptions(
    program
      .command('run')
      .argument('<playbook>', 'playbook id (netwiz list) or a playbook file')
      .description('walk a playbook without the UI; exit 0 concluded, 3 inconclusive, 4 aborted, 2 usage/validation error'),
  )
    .option('--answers <file>', 'YAML/JSON map of step id (or playbook:step) → answer for ask steps')
    .option('--json', 'print one JSON result object on stdout')
    .option('--plain', 'no wizard even in a terminal: progress lines only')
    .action(async (playbook: string, opts: SessionCliOptions & { plain?: boolean }) => {
      // In a terminal, with nothing asking for machine output, `run` opens the wizard on
      // the playbook; scripts, pipes, --json, --answers and --plain get the plain driver.
      // (--json/--answers/--plain never open it: they do not even load the UI's module)
      if (!opts.json && !opts.answers && !opts.plain && (await import('../../ui/launch.js')).whyNoTerminal() === null) {
        const { launchWizard } = await import('../../ui/launch.js');
        const { launchOptionsFrom } = await import('./wizard.js');
        let code: number;
        try {
          code = await launchWizard(launchOptionsFrom({ ...opts, playbook }));
        } catch (e) {
          if (!(e instanceof UsageError)) throw e;
          code = reportUsageError(e, 'run');
        }
        process.exit(code);
      }
      const code = await runCommand(playbook, opts);
      process.exitCode = code;
    });
}

/** Non-interactive operator: answers from the answers file, no answer = abort naming it. */
export function answersInteraction(answers: Answers, log: (line: string) => void): Interaction & { asked: () => number } {
  const used = new Map<string, number>();
  let asked = 0;
  return {
    asked: () => asked,
    async ask(effect: AskEffect): Promise<AskReply> {
      asked++;
      const keys = [`${effect.playbookId}:${effect.stepId}`, effect.stepId];
      const key = keys.find((k) => Object.prototype.hasOwnProperty.call(answers, k));
      const prompt = effect.question.prompt;
      if (key === undefined) {
        return {
          type: 'abort',
          reason: `no answer for step ${effect.stepId} ("${prompt}") in non-interactive mode; add "${effect.stepId}: <answer>" to --answers FILE`,
        };
      }
      let value = answers[key];
      if (Array.isArray(value)) {
        // a question asked several times (a loop) takes the list's answers in order
        const n = used.get(key) ?? 0;
        used.set(key, n + 1);
        if (n >= value.length) {
          return { type: 'abort', reason: `step ${effect.stepId} ("${prompt}") was asked ${n + 1} times; --answers has only ${value.length} answers for it` };
        }
        value = value[n];
      }
      const { checkAnswer } = await import('../../engine/answers.js');
      const checked = checkAnswer(effect.question, value);
      if (!checked.ok) return { type: 'abort', reason: `answer for step ${effect.stepId} ("${prompt}"): ${checked.error}` };
      log(`  ? ${prompt} → ${typeof checked.value === 'boolean' ? (checked.value ? 'yes' : 'no') : checked.value}`);
      return { type: 'answer', value: checked.value };
    },
    async confirmMutation(effect) {
      log(`  ! step ${effect.stepId} changes the cluster and was not run; pass --yes to allow changes`);
      return 'no';
    },
    async confirmRestore(changes) {
      // restoring is the safe choice, and nobody is there to ask
      log(`  ↺ restoring ${changes.length} change${changes.length === 1 ? '' : 's'} made by this session`);
      return true;
    },
  };
}

/** Human progress lines on stderr. */
export function progressObserver(write: (line: string) => void): SessionObserver {
  // foreach items run side by side: their lines carry the item's index
  const label = new Map<string, string>();
  const tag = (effectId: string) => label.get(effectId) ?? '';
  return {
    onEvent(e: SessionEvent) {
      switch (e.type) {
        case 'effect':
          if (e.effect.type === 'run') {
            // a foreach issues one effect per item: one title for all of them
            if (e.effect.index === undefined || e.effect.index === 0) write(`▸ ${e.effect.title}`);
            if (e.effect.index !== undefined) label.set(e.effect.id, `[${e.effect.index}] `);
          } else if (e.effect.type === 'ask') {
            write(`▸ ${e.effect.title}`);
          }
          break;
        case 'command-start':
          write(`  ${tag(e.effectId)}$ ${formatArgv(redactArgv(e.argv))}${e.target.kind === 'workstation' ? '' : `   (on ${targetText(e.target)})`}`);
          break;
        case 'engine-event': {
          const ev = e.event;
          if (ev.type === 'command-finished') {
            const r = ev.result;
            const what = r.spawnError
              ? `could not start: ${r.spawnError}`
              : r.cancelled
                ? 'cancelled'
                : r.timedOut
                  ? 'timed out'
                  : `exit ${r.exitCode}`;
            write(`    ${tag(ev.effectId)}→ ${what} in ${Math.round(r.durationMs)} ms${r.via ? ` via ${r.via}` : ''}`);
          } else if (ev.type === 'skipped') {
            write(`    ${tag(ev.effectId)}→ skipped: ${ev.reason}`);
          } else if (ev.type === 'cancelled') {
            write(`    ${tag(ev.effectId)}→ cancelled`);
          }
          break;
        }
        case 'hypothesis':
          // a new hypothesis with nothing said about it yet is not news
          if (e.hypothesis.evidence.length === 0) break;
          write(`  · ${e.hypothesis.causeId}: ${e.hypothesis.status}${e.hypothesis.evidence.length ? ` — ${e.hypothesis.evidence.at(-1)!.text}` : ''}`);
          break;
        case 'mutation':
          write(`  ✎ changing: ${formatArgv(redactArgv(e.argv))}${e.undo ? `  (undo: ${formatArgv(redactArgv(e.undo))})` : ''}`);
          break;
        case 'restore':
          write(`  ↺ ${e.ok ? 'restored' : 'could not restore'}: ${formatArgv(redactArgv(e.argv))}${e.detail ? ` (${e.detail})` : ''}`);
          break;
        case 'outcome':
          write(outcomeText(e.outcome));
          break;
        default:
          break;
      }
    },
  };
}

function targetText(t: { kind: string; pod?: string; node?: string; namespace?: string; container?: string }): string {
  if (t.kind === 'pod') return `pod ${t.namespace ? `${t.namespace}/` : ''}${t.pod ?? '?'}${t.container ? `:${t.container}` : ''}`;
  if (t.kind === 'node') return `node ${t.node ?? '?'}`;
  return t.kind;
}

function outcomeText(o: Outcome): string {
  const lines: string[] = [];
  if (o.status === 'concluded') lines.push(`✔ concluded: ${o.cause}`);
  else if (o.status === 'inconclusive') lines.push(`? inconclusive${o.reason ? `: ${o.reason}` : ''}`);
  else lines.push(`✖ aborted: ${o.reason ?? ''}`);
  for (const e of o.evidence) if (e) lines.push(`    ${e}`);
  if (o.next) lines.push(`  next: ${o.next}`);
  return lines.join('\n');
}

export interface RunResult {
  playbook: string;
  sessionId: string;
  status: Outcome['status'];
  cause: string | null;
  causeTitle?: string;
  fix?: { text: string; commands: string[][] };
  evidence: string[];
  reason?: string;
  next?: string;
  hypotheses: { id: string; status: string; evidence: string[] }[];
  steps: { seq: number; playbook: string; step: string; kind: string; summary: string; next: string | null; warnings?: string[] }[];
  commands: { argv: string[]; target: unknown; exit_code: number | null; duration_ms: number; timed_out: boolean; cancelled: boolean; skipped?: string }[];
  stepsTaken: number;
  questionsAsked: number;
  wallMs: number;
  transcript?: string;
}

/** Collects the commands of a session from its events, in the order they started. */
function commandCollector(): SessionObserver & { commands: RunResult['commands'] } {
  const commands: RunResult['commands'] = [];
  const byEffect = new Map<string, RunResult['commands'][number]>();
  return {
    commands,
    onEvent(e) {
      if (e.type === 'command-start') {
        // the result is often saved to a file: the same redaction as the transcript
        const c = { argv: redactArgv(e.argv), target: e.target, exit_code: null, duration_ms: 0, timed_out: false, cancelled: false };
        byEffect.set(e.effectId, c);
        commands.push(c);
      } else if (e.type === 'engine-event' && e.event.type === 'command-finished') {
        const c = byEffect.get(e.event.effectId);
        if (c) {
          c.exit_code = e.event.result.exitCode;
          c.duration_ms = Math.round(e.event.result.durationMs);
          c.timed_out = e.event.result.timedOut;
          c.cancelled = e.event.result.cancelled;
        }
      }
    },
  };
}

export function buildResult(
  state: SessionState,
  outcome: Outcome,
  extra: { sessionId: string; commands: RunResult['commands']; questionsAsked: number; wallMs: number; transcript?: string; catalog: import('../../engine/model.js').Catalog },
): RunResult {
  const root = extra.catalog[state.rootPlaybook];
  const cause = outcome.status === 'concluded' ? (outcome.cause ?? null) : null;
  const causeSpec = cause ? root?.causes.find((c) => c.id === cause) : undefined;
  return {
    playbook: state.rootPlaybook,
    sessionId: extra.sessionId,
    status: outcome.status,
    cause,
    ...(causeSpec ? { causeTitle: causeSpec.title, fix: causeSpec.fix } : {}),
    evidence: outcome.evidence,
    ...(outcome.reason !== undefined ? { reason: outcome.reason } : {}),
    ...(outcome.next !== undefined ? { next: outcome.next } : {}),
    hypotheses: Object.entries(state.hypotheses).map(([id, h]) => ({ id, status: h.status, evidence: h.evidence.map((e) => e.text) })),
    steps: state.history.map((h) => ({
      seq: h.seq,
      playbook: h.playbookId,
      step: h.stepId,
      kind: h.kind,
      summary: h.summary,
      next: h.next,
      ...(h.warnings ? { warnings: h.warnings } : {}),
    })),
    commands: extra.commands,
    stepsTaken: state.stepsTaken,
    questionsAsked: extra.questionsAsked,
    wallMs: extra.wallMs,
    ...(extra.transcript ? { transcript: extra.transcript } : {}),
  };
}

export async function runCommand(playbookArg: string, opts: SessionCliOptions): Promise<number> {
  const started = performance.now();
  startupMark('run');
  // the driver's module graph (engine, CEL) loads while the catalog is read
  const driverModule = import('../../session/driver.js');
  driverModule.catch(() => undefined);
  // progress is a courtesy: a closed stderr (`| head`) must not kill a session that may
  // have changed the cluster and still has to restore it
  process.stderr.on('error', () => undefined);
  // evidence, answers and argv quote command output and operator text: never let their
  // escape sequences act on the operator's terminal
  const log = (line: string) => process.stderr.write(`${inertText(line)}\n`);
  let setup;
  try {
    const vars = parseVars(opts.var ?? []);
    const maxSteps = parseMaxSteps(opts.maxSteps);
    if (opts.readOnly && opts.yes) log('netwiz: note: --read-only wins over --yes: nothing mutating will run');
    const answers = await loadAnswers(opts.answers);
    const loaded = await loadSessionCatalog(playbookArg, opts.playbooks ?? []);
    startupMark('catalog');
    const inputs = resolveInputs(loaded.root, vars);
    setup = { ...loaded, inputs, answers, maxSteps };
  } catch (e) {
    if (e instanceof UsageError) return reportUsageError(e, 'run');
    throw e;
  }
  for (const w of setup.warnings) log(`warning: ${w}`);

  const { startDriver } = await driverModule;
  startupMark('driver-module');
  const sessionId = newSessionId();
  const cluster = clusterOptionsFrom(opts);
  const services = await sessionServices({
    sessionId,
    catalog: setup.catalog,
    rootId: setup.root.id,
    inputs: setup.inputs,
    cluster,
    ...(opts.transcript !== undefined ? { transcriptPath: opts.transcript } : {}),
  });
  const { writer, transcriptPath } = services;
  startupMark('services');
  const interaction = answersInteraction(setup.answers, log);
  const collector = commandCollector();
  log(`netwiz run ${setup.root.id} (session ${sessionId}; transcript ${transcriptPath})`);

  const handle = startDriver({
    sessionId,
    catalog: setup.catalog,
    rootPlaybook: setup.root.id,
    inputs: setup.inputs,
    options: { readOnly: !!opts.readOnly, dryRun: !!opts.dryRun, maxSteps: setup.maxSteps, yes: !!opts.yes && !opts.readOnly },
    cluster,
    executor: services.executor,
    interaction,
    observers: [writer, collector, progressObserver(log)],
    journal: services.journal,
    ...(services.preflight ? { preflight: services.preflight } : {}),
    outputFile: services.outputFile,
  });

  startupMark('driver-started');
  // first Ctrl-C cancels the running command (the step takes its cancelled branch);
  // the second ends the session, restoring what it changed
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      log('\nnetwiz: cancelling the running command (Ctrl-C again to stop the session)');
      handle.cancel();
    } else {
      log('\nnetwiz: stopping the session');
      handle.abort('interrupted by the operator (Ctrl-C twice)');
    }
  };
  // SIGTERM/SIGHUP (a supervisor, a closed terminal) end the session at once, restoring first
  const onTerm = (sig: NodeJS.Signals) => handle.abort(`stopped by ${sig}`);
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onTerm);
  let outcome: Outcome;
  try {
    outcome = await handle.done;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onTerm);
    process.off('SIGHUP', onTerm);
    writer.close();
  }
  const state = handle.state();
  const result = buildResult(state, outcome, {
    sessionId,
    commands: collector.commands,
    questionsAsked: interaction.asked(),
    wallMs: Math.round(performance.now() - started),
    transcript: transcriptPath,
    catalog: setup.catalog,
  });
  if (opts.json) {
    await new Promise<void>((resolve) => process.stdout.write(`${JSON.stringify(result, null, 2)}\n`, () => resolve()));
  }
  return EXIT[outcome.status];
}

