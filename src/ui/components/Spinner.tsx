import { Text } from 'ink';
import { formatElapsed } from '../text.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A spinner frame and elapsed time derived from `now`, so one clock drives every
 * running command and tests can render a fixed instant. */
export function Spinner({ startedAt, now, label }: { startedAt: number; now: number; label: string }) {
  const elapsed = now - startedAt;
  const frame = FRAMES[Math.floor(elapsed / 100) % FRAMES.length];
  return (
    <Text>
      <Text bold>{frame}</Text> {label} <Text bold>{formatElapsed(elapsed)}</Text>
    </Text>
  );
}
