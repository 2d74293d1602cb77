import { Box, Text } from 'ink';
import { askedInputs, currentInput, currentPlaybook, listFor, type StartState } from '../start-flow.js';
import { truncate, wrapLines } from '../text.js';
import { useTone } from '../theme.js';
import type { ClusterTarget } from './Header.js';
import { ChoiceList, TextField } from './Prompts.js';

/** The cluster every command will go to, big enough that nobody misses it at 3 a.m. */
export function ClusterBanner({ cluster, width }: { cluster: ClusterTarget; width: number }) {
  const tone = useTone();
  return (
    <Box flexDirection="column" borderStyle="double" borderColor={tone('cyan')} paddingX={1} width={Math.min(width, 78)}>
      <Text>
        Kube context: <Text bold inverse>{` ${cluster.context ?? '(none)'} `}</Text>
        <Text dimColor>{cluster.source === 'flag' ? '  (from --context)' : cluster.source === 'kubeconfig' ? '  (kubeconfig current-context)' : ''}</Text>
      </Text>
      <Text>
        Namespace:    <Text bold inverse>{` ${cluster.namespace} `}</Text>
      </Text>
    </Box>
  );
}

export function StartScreen({ state, cluster, width, height }: { state: StartState; cluster: ClusterTarget; width: number; height: number }) {
  const tone = useTone();
  const pb = currentPlaybook(state);
  const listRows = Math.max(3, height - 12);
  if (state.stage === 'playbook') {
    const sel = state.playbooks[state.selected];
    return (
      <Box flexDirection="column">
        <Text bold>What do you see? Pick a playbook:</Text>
        {state.playbooks.length === 0 ? <Text color={tone('red')}>No playbooks found. Add YAML files to playbooks/ or pass --playbooks DIR.</Text> : null}
        <ChoiceList choices={state.playbooks.map((p) => `${p.title}  (${p.id})`)} selected={state.selected} maxRows={listRows} width={width} />
        {sel
          ? wrapLines(sel.summary, width - 2, 3).map((l, i) => (
              <Text key={i} dimColor>
                {`  ${l}`}
              </Text>
            ))
          : null}
      </Box>
    );
  }
  if (state.stage === 'context' || state.stage === 'wrong-context') {
    return (
      <Box flexDirection="column">
        <Text bold wrap="truncate-end">{truncate(`Playbook: ${pb?.title ?? '?'}`, width)}</Text>
        <ClusterBanner cluster={cluster} width={width} />
        {state.stage === 'context' ? (
          <Text bold>Every command of this session goes to this cluster. Is that right? (y/n)</Text>
        ) : (
          <Text color={tone('yellow')}>Nothing was run. Start again with the right cluster: netwiz --context NAME --namespace NS</Text>
        )}
      </Box>
    );
  }
  if (state.stage === 'input') {
    const input = currentInput(state);
    if (!input) return null;
    const asked = askedInputs(state);
    const list = listFor(state, input);
    const choices = state.choices[input.name];
    return (
      <Box flexDirection="column">
        <Text bold wrap="truncate-end">{truncate(`Playbook: ${pb?.title ?? '?'}  ·  input ${state.inputIndex + 1} of ${asked.length}`, width)}</Text>
        <Text bold color={tone('cyan')} wrap="truncate-end">{truncate(`? ${input.prompt}${input.required ? '' : ' (optional)'}`, width)}</Text>
        {list ? (
          <ChoiceList choices={list} selected={state.selected} maxRows={listRows} width={width} />
        ) : (
          <TextField value={state.text} placeholder={input.default ? `default: ${input.default}` : ''} {...(state.error ? { error: state.error } : {})} />
        )}
        {choices?.status === 'loading' ? <Text dimColor>  reading choices from the cluster…</Text> : null}
        {choices?.status === 'error' ? <Text dimColor wrap="truncate-end">{truncate(`  could not read choices (${choices.message}); type a value`, width)}</Text> : null}
      </Box>
    );
  }
  return <Text dimColor>Starting…</Text>;
}
