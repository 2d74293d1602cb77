import { Box, Text } from 'ink';
import { helpRows } from '../keys.js';
import { truncate } from '../text.js';

export function HelpOverlay({ width }: { width: number }) {
  const rows = helpRows();
  const w = Math.max(...rows.map((r) => r.label.length));
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1}>
      <Text bold>Keys</Text>
      {rows.map((r) => (
        <Text key={`${r.label}${r.help}`} wrap="truncate-end">
          {truncate(`${r.label.padEnd(w)}  ${r.help}`, width - 4)}
        </Text>
      ))}
      <Text dimColor>esc or ? closes this help</Text>
    </Box>
  );
}
