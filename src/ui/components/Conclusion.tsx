import { Box, Text } from 'ink';
import type { Cause } from '../../engine/model.js';
import type { Outcome } from '../../engine/types.js';
import { formatArgv, wrapLines } from '../text.js';
import { useTone } from '../theme.js';

export interface ConclusionProps {
  outcome: Outcome;
  cause?: Cause;
  width: number;
}

/** Cause, the evidence that proves it, and the fix: commands shown, never run. */
export function Conclusion({ outcome, cause, width }: ConclusionProps) {
  const tone = useTone();
  const w = Math.max(20, width - 2);
  const heading =
    outcome.status === 'concluded'
      ? `Root cause: ${cause?.title ?? outcome.cause ?? '?'}`
      : outcome.status === 'inconclusive'
        ? 'Inconclusive: no cause was proven'
        : `Stopped: ${outcome.reason ?? 'session aborted'}`;
  return (
    <Box flexDirection="column" marginTop={1}>
      <Text bold inverse color={tone(outcome.status === 'concluded' ? 'green' : 'yellow')}>{` ${heading} `}</Text>
      {cause && outcome.status === 'concluded'
        ? wrapLines(cause.explanation, w, 4).map((l, i) => <Text key={`x${i}`}>{l}</Text>)
        : null}
      {outcome.evidence.length ? (
        <>
          <Text bold>Evidence</Text>
          {outcome.evidence.map((e, i) =>
            wrapLines(`• ${e}`, w, 3).map((l, j) => <Text key={`e${i}-${j}`}>{j === 0 ? l : `  ${l}`}</Text>),
          )}
        </>
      ) : null}
      {cause && outcome.status === 'concluded' ? (
        <>
          <Text bold>Fix (shown, not run)</Text>
          {wrapLines(cause.fix.text, w, 3).map((l, i) => (
            <Text key={`f${i}`}>{l}</Text>
          ))}
          {cause.fix.commands.map((c, i) => (
            <Text key={`c${i}`} color={tone('cyan')}>
              {`  $ ${formatArgv(c)}`}
            </Text>
          ))}
          {cause.references.length ? <Text dimColor>{`See: ${cause.references.join('  ')}`}</Text> : null}
        </>
      ) : null}
      {outcome.next ? (
        <>
          <Text bold>Next</Text>
          {wrapLines(outcome.next, w, 3).map((l, i) => (
            <Text key={`n${i}`}>{l}</Text>
          ))}
        </>
      ) : null}
    </Box>
  );
}
