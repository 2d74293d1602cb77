import { Box, Text } from 'ink';
import type { FinishedStep as Finished } from '../view-model.js';
import { truncate } from '../text.js';
import { useTone } from '../theme.js';

const MARK: Record<Finished['mark'], string> = { ok: '✓', skipped: '↷', failed: '✗', info: '·' };

/** One finished step, printed once into <Static> scrollback. */
export function FinishedStepLine({ step, width }: { step: Finished; width: number }) {
  const tone = useTone();
  const color = step.mark === 'failed' ? tone('red') : step.mark === 'ok' ? tone('green') : undefined;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text color={color}>{MARK[step.mark]} </Text>
        {truncate(`${step.title} — ${step.summary}`, width - 2)}
      </Text>
      {step.facts ? <Text dimColor wrap="truncate-end">{truncate(`    ${step.facts}`, width)}</Text> : null}
    </Box>
  );
}
