// The wizard: start screen, then the live session. Finished steps go to <Static> (printed
// once, kept in scrollback); only the live area below re-renders, and it is sized to fit
// the terminal so Ink never has to redraw more than the screen holds.
import { useEffect, useMemo, useReducer, useState, useSyncExternalStore, type ReactElement } from 'react';
import { Box, Static, Text } from 'ink';
import type { Catalog, QuestionSpec } from '../engine/model.js';
import type { Outcome } from '../engine/types.js';
import { hintFor, type KeyAction, type KeyContext } from './keys.js';
import { latestPathPicture } from './path-hops.js';
import { currentInput, finalInputs, initialStart, listFor, startReducer, type PlaybookChoice, type StartState } from './start-flow.js';
import { truncate, formatElapsed } from './text.js';
import { finishedSteps, findCause, hypothesisRows, moreRunningText, targetLabel, type FinishedStep } from './view-model.js';
import type { WizardStore, WizardSnapshot } from './wizard-store.js';
import { useTerminalSize, type TerminalSize } from './hooks/use-terminal-size.js';
import { useNow } from './hooks/use-now.js';
import { useWizardKeys } from './hooks/use-wizard-keys.js';
import { keyTrace } from './debug-keys.js';
import { Header, type ClusterTarget } from './components/Header.js';
import { HypothesesPanel, hypothesesHeight } from './components/HypothesesPanel.js';
import { OutputTail } from './components/OutputTail.js';
import { PathPictureView, pathPictureHeight } from './components/PathPictureView.js';
import { StepHeader, stepHeaderHeight } from './components/StepHeader.js';
import { Spinner } from './components/Spinner.js';
import { AskPrompt, ConfirmMutation, QuitDialog, RestorePrompt, choicesOf } from './components/Prompts.js';
import { HelpOverlay } from './components/HelpOverlay.js';
import { Conclusion } from './components/Conclusion.js';
import { FinishedStepLine } from './components/FinishedStep.js';
import { StartScreen, ClusterBanner } from './components/StartScreen.js';

export interface StartChoice {
  playbookId: string;
  inputs: Record<string, string>;
}

/** What the screens may ask of the session; implemented by run-wizard.tsx. */
export interface WizardController {
  start(choice: StartChoice): void;
  cancel(effectId?: string): void;
  abort(reason: string): void;
  /** the one exit point: unmount and leave with this exit code */
  exit(code: number): void;
}

export interface WizardAppProps {
  store: WizardStore;
  controller: WizardController;
  cluster: ClusterTarget;
  /** playbooks for the start screen; omitted when the session was started from flags */
  playbooks?: PlaybookChoice[];
  /** preselect a playbook (netwiz run PLAYBOOK) */
  playbookId?: string;
  /** inputs given on the command line (--var) */
  preset?: Record<string, string>;
  loadChoices?: (playbookId: string, input: string, values: Record<string, string>) => Promise<string[]>;
  size?: TerminalSize;
  now?: () => number;
}

export function exitCodeFor(outcome: Outcome | null): number {
  if (!outcome) return 4;
  return outcome.status === 'concluded' ? 0 : outcome.status === 'inconclusive' ? 3 : 4;
}

type StaticItem = { kind: 'banner'; key: string } | { kind: 'step'; key: string; step: FinishedStep } | { kind: 'conclusion'; key: string; outcome: Outcome };

interface PromptState {
  forId: string | null;
  selected: number;
  text: string;
  error?: string;
}

function keyContextFor(snap: WizardSnapshot, start: StartState | null, helpOpen: boolean, quitOpen: boolean): KeyContext {
  if (quitOpen) return 'quit';
  if (helpOpen) return 'help';
  if (snap.phase === 'start' && start) {
    if (start.stage === 'playbook') return 'pick';
    if (start.stage === 'context') return 'confirm';
    if (start.stage === 'input') {
      const input = currentInput(start);
      return input && listFor(start, input) ? 'pick' : 'text';
    }
    return 'done';
  }
  if (snap.phase === 'ended') return 'done';
  const p = snap.prompt;
  if (p?.kind === 'ask') return p.effect.question.type === 'text' ? 'text' : p.effect.question.type === 'confirm' ? 'confirm' : 'pick';
  if (p?.kind === 'mutation') return 'mutation';
  if (p?.kind === 'restore') return 'restore';
  if (snap.running.length > 0) return 'running';
  return 'waiting';
}

function validText(q: QuestionSpec, value: string): string | null {
  if (q.pattern && !new RegExp(q.pattern).test(value)) return `must match ${q.pattern}`;
  return null;
}

export function WizardApp(props: WizardAppProps) {
  const { store, controller, cluster } = props;
  const snap = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const { columns, rows } = useTerminalSize(props.size);
  const width = Math.max(40, columns - 1);
  const [start, dispatchStart] = useReducer(
    startReducer,
    null,
    () => initialStart(props.playbooks ?? [], { ...(props.playbookId ? { playbookId: props.playbookId } : {}), ...(props.preset ? { preset: props.preset } : {}), namespace: cluster.namespace }),
  );
  const [helpOpen, setHelp] = useState(false);
  const [quitOpen, setQuit] = useState(false);
  const [stopping, setStopping] = useState<string | null>(null);
  const [prompt, setPrompt] = useState<PromptState>({ forId: null, selected: 0, text: '' });

  // the start screen is done: hand the choice to the controller exactly once
  const [started, setStarted] = useState(false);
  useEffect(() => {
    if (snap.phase === 'start' && start.stage === 'ready' && !started && start.playbookId) {
      setStarted(true);
      controller.start({ playbookId: start.playbookId, inputs: finalInputs(start) });
    }
  }, [snap.phase, start, started, controller]);

  // read input choices from the cluster when an input with `choices` comes up
  const input = snap.phase === 'start' ? currentInput(start) : undefined;
  useEffect(() => {
    if (!input?.choices || !props.loadChoices || !start.playbookId || start.choices[input.name]) return;
    const name = input.name;
    dispatchStart({ type: 'choices', input: name, state: { status: 'loading' } });
    props.loadChoices(start.playbookId, name, { ...start.values, ...start.preset }).then(
      (values) => dispatchStart({ type: 'choices', input: name, state: { status: 'ok', values } }),
      (err: unknown) => dispatchStart({ type: 'choices', input: name, state: { status: 'error', message: err instanceof Error ? err.message : String(err) } }),
    );
  }, [input, props.loadChoices, start.playbookId, start.choices]);

  // a new question resets the cursor to its default
  const askId = snap.prompt?.kind === 'ask' ? snap.prompt.effect.id : null;
  if (askId !== prompt.forId) {
    const q = snap.prompt?.kind === 'ask' ? snap.prompt.effect.question : undefined;
    const choices = q ? choicesOf(q) : [];
    const def = q?.default ?? '';
    const idx = q?.type === 'confirm' ? (def === 'no' || def === 'false' ? 1 : 0) : Math.max(0, choices.indexOf(def));
    setPrompt({ forId: askId, selected: idx, text: '' });
  }

  const ctx = keyContextFor(snap, start, helpOpen, quitOpen);
  keyTrace()?.('render', { phase: snap.phase, ctx, stage: start.stage, inputIndex: start.inputIndex, selected: start.selected, choices: Object.fromEntries(Object.entries(start.choices).map(([k, v]) => [k, v.status])) });
  const stop = (reason: string) => {
    if (snap.phase === 'start') {
      controller.exit(130);
      return;
    }
    if (snap.phase === 'ended') {
      controller.exit(exitCodeFor(snap.outcome));
      return;
    }
    setStopping(reason);
    store.restoreWithoutAsking();
    store.settleForAbort();
    controller.abort(reason);
  };

  const ask = snap.prompt?.kind === 'ask' ? snap.prompt : null;
  const answerAsk = (value: string | boolean) => store.reply({ type: 'answer', value });

  useWizardKeys(ctx, {
    interrupt: () => {
      // a second Ctrl-C while stopping answers the restore offer with yes
      if (snap.prompt?.kind === 'restore') store.reply(true);
      stop('operator pressed Ctrl-C');
    },
    help: () => setHelp(true),
    close: () => {
      setHelp(false);
      setQuit(false);
    },
    quit: () => {
      if (snap.phase === 'start') controller.exit(start.stage === 'wrong-context' ? 4 : 130);
      else if (snap.phase === 'ended') stop('quit');
      else setQuit(true);
    },
    yes: () => {
      if (quitOpen) {
        setQuit(false);
        stop('operator quit');
      } else if (snap.phase === 'start') dispatchStart({ type: 'yes' });
      else if (snap.prompt?.kind === 'mutation') store.reply('yes');
      else if (snap.prompt?.kind === 'restore') store.reply(true);
      else if (ask?.effect.question.type === 'confirm') answerAsk(true);
    },
    no: () => {
      if (quitOpen) setQuit(false);
      else if (snap.phase === 'start') dispatchStart({ type: 'no' });
      else if (snap.prompt?.kind === 'mutation') store.reply('no');
      else if (snap.prompt?.kind === 'restore') store.reply(false);
      else if (ask?.effect.question.type === 'confirm') answerAsk(false);
    },
    up: () => {
      if (snap.phase === 'start') dispatchStart({ type: 'up' });
      else if (ask) {
        const n = choicesOf(ask.effect.question).length || 1;
        setPrompt((p) => ({ ...p, selected: (p.selected - 1 + n) % n }));
      }
    },
    down: () => {
      if (snap.phase === 'start') dispatchStart({ type: 'down' });
      else if (ask) {
        const n = choicesOf(ask.effect.question).length || 1;
        setPrompt((p) => ({ ...p, selected: (p.selected + 1) % n }));
      }
    },
    submit: () => {
      if (helpOpen) return setHelp(false);
      if (snap.phase === 'ended') return stop('done');
      if (snap.phase === 'start') {
        if (start.stage === 'wrong-context') return controller.exit(4);
        return dispatchStart({ type: 'submit' });
      }
      if (!ask) return;
      const q = ask.effect.question;
      if (q.type === 'confirm') return answerAsk(prompt.selected === 0);
      if (q.type === 'choice') return answerAsk(choicesOf(q)[prompt.selected] ?? '');
      const value = prompt.text === '' ? (q.default ?? '') : prompt.text;
      const err = validText(q, value);
      if (err) return setPrompt((p) => ({ ...p, error: err }));
      answerAsk(value);
    },
    skip: () => {
      if (snap.phase === 'start') dispatchStart({ type: 'skip' });
      else if (snap.prompt?.kind === 'mutation') store.reply('skip');
      else if (ask) store.reply({ type: 'skip', reason: 'skipped by the operator (s)' });
    },
    back: () => {
      if (snap.phase === 'start') dispatchStart({ type: 'back' });
      else if (ask && snap.answeredQuestions > 0) store.reply({ type: 'back' });
    },
    cancel: () => {
      const first = snap.running[0];
      if (first) controller.cancel(first.effect.id);
    },
    text: (t) => {
      if (snap.phase === 'start') dispatchStart({ type: 'type', text: t });
      else setPrompt((p) => ({ ...p, text: p.text + t, error: undefined }));
    },
    erase: () => {
      if (snap.phase === 'start') dispatchStart({ type: 'erase' });
      else setPrompt((p) => ({ ...p, text: p.text.slice(0, -1), error: undefined }));
    },
  });

  const now = useNow(snap.running.length > 0, props.now);
  const catalog: Catalog = snap.catalog ?? {};
  const session = snap.session;

  const staticItems = useMemo<StaticItem[]>(() => {
    if (snap.phase === 'start') return [];
    const items: StaticItem[] = [{ kind: 'banner', key: 'banner' }];
    if (session) for (const step of finishedSteps(session, catalog)) items.push({ kind: 'step', key: step.key, step });
    const outcome = session?.outcome ?? snap.outcome;
    if (outcome) items.push({ kind: 'conclusion', key: 'conclusion', outcome });
    return items;
  }, [snap.phase, session, catalog, snap.outcome]);

  // keys that would do nothing here are not advertised
  const omit: KeyAction[] = [];
  if (snap.phase === 'start') {
    if (start.stage === 'playbook') omit.push('skip', 'back');
    if (start.stage === 'context') omit.push('skip');
    if (start.stage === 'input' && currentInput(start)?.required) omit.push('skip');
  } else if (snap.answeredQuestions === 0) omit.push('back');
  const hint = truncate(hintFor(ctx, omit), width);
  const rootTitle = session ? catalog[session.rootPlaybook]?.title : undefined;

  // ----- start screen -----
  if (snap.phase === 'start') {
    return (
      <Box flexDirection="column">
        <Header cluster={cluster} width={width} />
        {helpOpen ? <HelpOverlay width={width} /> : <StartScreen state={start} cluster={cluster} width={width} height={rows} />}
        <Text dimColor>{hint}</Text>
      </Box>
    );
  }

  // ----- live session: budget the live area to the terminal height -----
  const hyps = session ? hypothesisRows(session, catalog) : [];
  const hypBudget = rows >= 30 ? 10 : rows >= 20 ? 5 : 3;
  const picture = session ? latestPathPicture(session) : null;
  let used = 1 /* header */ + hypothesesHeight(hyps, hypBudget) + 1 /* hint */ + 1 /* cursor line */;
  if (picture) used += pathPictureHeight(picture, width);

  const staticView = (
    <Static items={staticItems}>
      {(item) =>
        item.kind === 'banner' ? (
          <Box key={item.key} flexDirection="column">
            <ClusterBanner cluster={cluster} width={width} />
            {rootTitle ? <Text bold>{`Playbook: ${rootTitle}`}</Text> : null}
          </Box>
        ) : item.kind === 'step' ? (
          <FinishedStepLine key={item.key} step={item.step} width={width} />
        ) : (
          <Box key={item.key} flexDirection="column">
            <Conclusion outcome={item.outcome} {...conclusionCause(catalog, session?.rootPlaybook, item.outcome)} width={width} />
          </Box>
        )
      }
    </Static>
  );

  let live: ReactElement;
  if (quitOpen) {
    live = <QuitDialog running={snap.running.length > 0} />;
  } else if (helpOpen) {
    live = <HelpOverlay width={width} />;
  } else if (snap.phase === 'ended') {
    live = (
      <Box flexDirection="column">
        {snap.error ? <Text bold>{`netwiz could not run the session: ${snap.error}`}</Text> : null}
        {snap.restoreAnswer !== null ? (
          <Text>{snap.restoreAnswer ? 'Changes made by this session were restored.' : 'Changes were kept; `netwiz undo` restores them later.'}</Text>
        ) : null}
        {snap.transcriptPath ? <Text>{`Transcript: ${snap.transcriptPath}`}</Text> : null}
      </Box>
    );
  } else if (snap.prompt?.kind === 'restore') {
    live = <RestorePrompt changes={snap.prompt.changes} width={width} />;
  } else if (snap.prompt?.kind === 'mutation') {
    const e = snap.prompt.effect;
    live = (
      <Box flexDirection="column">
        <StepHeader title={e.title} why={e.why} width={width} />
        <ConfirmMutation argv={e.argv} {...(e.undo ? { undo: e.undo } : {})} targetText={targetLabel(e.target, cluster.namespace)} width={width} />
      </Box>
    );
  } else if (ask) {
    const e = ask.effect;
    const headH = stepHeaderHeight({ why: e.why, width });
    const maxRows = Math.max(2, rows - used - headH - 2);
    live = (
      <Box flexDirection="column">
        <StepHeader title={e.title} why={e.why} width={width} />
        <AskPrompt question={e.question} selected={prompt.selected} text={prompt.text} {...(prompt.error ? { error: prompt.error } : {})} width={width} maxRows={maxRows} />
      </Box>
    );
  } else if (snap.running.length > 0) {
    const first = snap.running[0]!;
    const e = first.effect;
    const itemNote = e.index !== undefined ? `item ${e.index + 1}` : undefined;
    const headH = stepHeaderHeight({ why: e.why, argv: e.argv, width, ...(itemNote ? { itemNote } : {}) });
    const more = snap.running.length - 1;
    const tailH = Math.max(0, Math.min(15, rows - used - headH - 1 - (more ? 1 : 0)));
    live = (
      <Box flexDirection="column">
        <StepHeader title={e.title} why={e.why} argv={e.argv} target={e.target} namespace={cluster.namespace} width={width} {...(itemNote ? { itemNote } : {})} />
        <Spinner startedAt={first.startedAt} now={now} label={stopping ? 'stopping…' : `running (timeout ${formatElapsed(e.timeoutMs)})`} />
        {more ? <Text dimColor wrap="truncate-end">{moreRunningText(snap.running.map((r) => r.effect.title))}</Text> : null}
        <OutputTail tail={first.tail} height={tailH} width={width} />
      </Box>
    );
  } else if (snap.lastEnded) {
    const e = snap.lastEnded.effect;
    live = (
      <Box flexDirection="column">
        <StepHeader title={e.title} why={e.why} argv={e.argv} target={e.target} namespace={cluster.namespace} width={width} />
        <Text dimColor>{`finished in ${formatElapsed(snap.lastEnded.durationMs)}; deciding the next step…`}</Text>
      </Box>
    );
  } else {
    live = <Text dimColor>{stopping ? `Stopping (${stopping}): cancelling and restoring…` : 'Working…'}</Text>;
  }

  return (
    <Box flexDirection="column">
      {staticView}
      <Header cluster={cluster} width={width} {...(rootTitle ? { playbook: rootTitle } : {})} />
      <HypothesesPanel rows={hyps} maxRows={hypBudget} width={width} />
      {picture ? <PathPictureView picture={picture} width={width} /> : null}
      {live}
      <Text dimColor>{hint}</Text>
    </Box>
  );
}

function conclusionCause(catalog: Catalog, root: string | undefined, outcome: Outcome) {
  if (!outcome.cause) return {};
  // the cause may be declared by the root or by a sub-playbook
  const cause = (root ? findCause(catalog, root, outcome.cause) : undefined) ?? Object.values(catalog).flatMap((p) => p.causes).find((c) => c.id === outcome.cause);
  return cause ? { cause } : {};
}
