import { Box, Text } from 'ink';
import type { HypothesisStatus } from '../../engine/types.js';
import { fitHypotheses, type HypothesisRow } from '../view-model.js';
import { truncate } from '../text.js';
import { useTone, type Tone } from '../theme.js';

export const STATUS_GLYPH: Record<HypothesisStatus, string> = {
  open: '○',
  supported: '▲',
  'ruled-out': '✗',
  confirmed: '✓',
};
export const STATUS_WORD: Record<HypothesisStatus, string> = {
  open: 'open',
  supported: 'supported',
  'ruled-out': 'ruled out',
  confirmed: 'CONFIRMED',
};
const STATUS_TONE: Record<HypothesisStatus, Tone | null> = { open: null, supported: 'yellow', 'ruled-out': 'gray', confirmed: 'green' };

/** Height in lines the panel takes for these rows and budget. */
export function hypothesesHeight(rows: HypothesisRow[], maxRows: number): number {
  const { shown, collapsedOpen } = fitHypotheses(rows, maxRows);
  return 1 + Math.max(1, shown.length + (collapsedOpen.length ? 1 : 0));
}

export function HypothesesPanel({ rows, maxRows, width }: { rows: HypothesisRow[]; maxRows: number; width: number }) {
  const tone = useTone();
  const { shown, collapsedOpen } = fitHypotheses(rows, maxRows);
  const counts = rows.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
  const tally = (['confirmed', 'supported', 'open', 'ruled-out'] as const)
    .filter((s) => counts[s])
    .map((s) => `${counts[s]} ${STATUS_WORD[s].toLowerCase()}`)
    .join(', ');
  return (
    <Box flexDirection="column">
      <Text bold>
        Hypotheses <Text dimColor>{tally ? `(${tally})` : ''}</Text>
      </Text>
      {rows.length === 0 ? <Text dimColor>  (none yet)</Text> : null}
      {shown.map((r) => {
        const t = STATUS_TONE[r.status];
        const head = ` ${STATUS_GLYPH[r.status]} ${STATUS_WORD[r.status].padEnd(9)} `;
        const body = r.evidence ? `${r.title} — ${r.evidence}` : r.title;
        return (
          <Text key={r.key} wrap="truncate-end">
            <Text color={t ? tone(t) : undefined} bold={r.status === 'confirmed'}>{head}</Text>
            <Text dimColor={r.status === 'ruled-out'}>{truncate(body, Math.max(10, width - head.length))}</Text>
          </Text>
        );
      })}
      {collapsedOpen.length ? (
        <Text dimColor wrap="truncate-end">{truncate(` ○ open      ${collapsedOpen.join(', ')}`, width)}</Text>
      ) : null}
    </Box>
  );
}
