// Read-only replay of a finished session: step through the engine states the transcript
// recorded (one per completed step) and see the hypotheses narrow as they did live.
// Nothing runs; the transcript is the only input.
import { useState } from 'react';
import { Box, Text } from 'ink';
import type { Catalog, Cause } from '../engine/model.js';
import type { Outcome, SessionState } from '../engine/types.js';
import { hintFor } from './keys.js';
import { latestPathPicture } from './path-hops.js';
import { truncate } from './text.js';
import { finishedSteps, hypothesisRows } from './view-model.js';
import { useTerminalSize, type TerminalSize } from './hooks/use-terminal-size.js';
import { useWizardKeys } from './hooks/use-wizard-keys.js';
import { Header, type ClusterTarget } from './components/Header.js';
import { HypothesesPanel, hypothesesHeight } from './components/HypothesesPanel.js';
import { PathPictureView, pathPictureHeight } from './components/PathPictureView.js';
import { FinishedStepLine } from './components/FinishedStep.js';
import { Conclusion } from './components/Conclusion.js';
import { HelpOverlay } from './components/HelpOverlay.js';

export interface ReplayProps {
  states: { ts: string; state: SessionState }[];
  catalog: Catalog;
  cluster: ClusterTarget;
  playbookTitle?: string;
  outcome?: Outcome;
  /** the concluded cause as the transcript recorded it (works without the playbook) */
  cause?: Cause;
  transcriptPath: string;
  onExit(code: number): void;
  size?: TerminalSize;
}

export function ReplayApp(props: ReplayProps) {
  const { states, catalog } = props;
  const { columns, rows } = useTerminalSize(props.size);
  const width = Math.max(40, columns - 1);
  const last = Math.max(0, states.length - 1);
  const [index, setIndex] = useState(0);
  const [help, setHelp] = useState(false);
  useWizardKeys(help ? 'help' : 'replay', {
    prev: () => setIndex((i) => Math.max(0, i - 1)),
    next: () => setIndex((i) => Math.min(last, i + 1)),
    help: () => setHelp(true),
    close: () => setHelp(false),
    submit: () => setHelp(false),
    quit: () => props.onExit(0),
    interrupt: () => props.onExit(0),
  });

  const snap = states[index];
  if (!snap) {
    return (
      <Box flexDirection="column">
        <Text bold>{`${props.transcriptPath}: no completed step recorded; nothing to replay.`}</Text>
        <Text dimColor>q quit</Text>
      </Box>
    );
  }
  const state = snap.state;
  const hyps = hypothesisRows(state, catalog);
  const hypBudget = rows >= 30 ? 10 : 5;
  const picture = latestPathPicture(state);
  const atEnd = index === last;
  const showConclusion = atEnd && props.outcome;
  let used = 3 + hypothesesHeight(hyps, hypBudget) + (picture ? pathPictureHeight(picture, width) : 0);
  if (showConclusion) used += 8 + (props.outcome?.evidence.length ?? 0);
  const steps = finishedSteps(state, catalog);
  const room = Math.max(2, rows - used - 2);
  const shown = steps.slice(-Math.max(1, Math.floor(room / 2)));

  return (
    <Box flexDirection="column">
      <Header cluster={props.cluster} width={width} {...(props.playbookTitle ? { playbook: props.playbookTitle } : {})} />
      <Text bold wrap="truncate-end">
        {truncate(`Replay (read-only) · step ${index + 1} of ${states.length} · ${snap.ts}`, width)}
      </Text>
      {help ? (
        <HelpOverlay width={width} />
      ) : (
        <>
          {steps.length > shown.length ? <Text dimColor>{`  … ${steps.length - shown.length} earlier steps`}</Text> : null}
          {shown.map((s) => (
            <FinishedStepLine key={s.key} step={s} width={width} />
          ))}
          <HypothesesPanel rows={hyps} maxRows={hypBudget} width={width} />
          {picture ? <PathPictureView picture={picture} width={width} /> : null}
          {showConclusion && props.outcome ? <Conclusion outcome={props.outcome} {...(props.cause ? { cause: props.cause } : {})} width={width} /> : null}
        </>
      )}
      <Text dimColor>{truncate(hintFor('replay'), width)}</Text>
    </Box>
  );
}
