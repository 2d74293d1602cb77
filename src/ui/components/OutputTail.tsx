import { Box, Text } from 'ink';
import type { TailSnapshot } from '../output-tail.js';
import { truncate } from '../text.js';

/** The last `height` lines of a command's output; always exactly `height` lines tall
 * when there is output, so the live area does not jump. */
export function OutputTail({ tail, height, width }: { tail: TailSnapshot; height: number; width: number }) {
  if (height <= 0) return null;
  // tail.lines includes an unterminated last line; totalLines counts finished ones
  const count = Math.max(tail.totalLines, tail.lines.length);
  const showNote = count > height;
  const hidden = showNote ? count - (height - 1) : 0;
  const lines = showNote ? (height > 1 ? tail.lines.slice(-(height - 1)) : []) : tail.lines.slice(-height);
  return (
    <Box flexDirection="column">
      {showNote ? (
        <Text dimColor>{truncate(`  … ${hidden} earlier line${hidden === 1 ? '' : 's'} (${formatBytes(tail.totalBytes)}; full output in the transcript)`, width)}</Text>
      ) : null}
      {lines.length === 0 ? <Text dimColor>  (no output yet)</Text> : null}
      {lines.map((l, i) => (
        <Text key={i} dimColor wrap="truncate-end">
          {truncate(`  │ ${l}`, width)}
        </Text>
      ))}
    </Box>
  );
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
