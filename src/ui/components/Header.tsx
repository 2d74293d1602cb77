import { Box, Text } from 'ink';
import { truncate } from '../text.js';
import { useTone } from '../theme.js';

export interface ClusterTarget {
  /** kube context, or null when kubectl has none */
  context: string | null;
  namespace: string;
  /** where the context came from: --context flag or kubeconfig's current-context */
  source: 'flag' | 'kubeconfig' | 'none';
}

/** One line, always on screen: which cluster every command goes to. */
export function Header({ cluster, playbook, width }: { cluster: ClusterTarget; playbook?: string; width: number }) {
  const tone = useTone();
  const ctx = cluster.context ?? '(no kube context)';
  const tail = playbook ? ` · ${playbook}` : '';
  const room = Math.max(10, width - ctx.length - cluster.namespace.length - 20);
  return (
    <Box>
      {/* the name never squeezes to "netw z" on a narrow terminal; the tail gives way first */}
      <Box flexShrink={0}>
        <Text>netwiz </Text>
      </Box>
      <Text inverse bold color={tone('cyan')}>{` context ${ctx} `}</Text>
      <Text> ns </Text>
      <Text bold>{cluster.namespace}</Text>
      <Text dimColor>{truncate(tail, room)}</Text>
    </Box>
  );
}
