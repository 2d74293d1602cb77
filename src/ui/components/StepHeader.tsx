import { Box, Text } from 'ink';
import type { TargetSpec } from '../../engine/model.js';
import { formatArgv, truncate, wrapLines } from '../text.js';
import { targetLabel } from '../view-model.js';

export interface StepHeaderProps {
  title: string;
  why: string;
  argv?: string[];
  target?: TargetSpec;
  namespace?: string;
  width: number;
  /** foreach: "item 3 of 8: 10.244.1.5" */
  itemNote?: string;
}

export const WHY_LINES = 2;
export const CMD_LINES = 2;

export function stepHeaderHeight(p: Pick<StepHeaderProps, 'why' | 'argv' | 'width' | 'itemNote' | 'target'>): number {
  const why = wrapLines(`why: ${p.why}`, p.width, WHY_LINES).length;
  const cmd = p.argv ? wrapLines(`$ ${formatArgv(p.argv)}`, p.width, CMD_LINES).length + 1 : 0;
  return 1 + why + cmd;
}

/** Title, why, the exact command and where it runs. */
export function StepHeader({ title, why, argv, target, namespace, width, itemNote }: StepHeaderProps) {
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {truncate(`▶ ${title}${itemNote ? `  (${itemNote})` : ''}`, width)}
      </Text>
      {wrapLines(`why: ${why}`, width, WHY_LINES).map((l, i) => (
        <Text key={i} dimColor>
          {l}
        </Text>
      ))}
      {argv ? (
        <>
          {wrapLines(`$ ${formatArgv(argv)}`, width, CMD_LINES).map((l, i) => (
            <Text key={i}>{l}</Text>
          ))}
          <Text wrap="truncate-end">{truncate(`  on ${target ? targetLabel(target, namespace) : 'this workstation'}`, width)}</Text>
        </>
      ) : null}
    </Box>
  );
}
