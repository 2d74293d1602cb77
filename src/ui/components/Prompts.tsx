// The questions the wizard asks. Views only: selection and typed text come in as props,
// key handling lives in hooks/use-wizard-keys.ts.
import { Box, Text } from 'ink';
import type { QuestionSpec } from '../../engine/model.js';
import { formatArgv, truncate, wrapLines } from '../text.js';
import { useTone } from '../theme.js';

/** A list with a moving cursor; shows a window of `maxRows` around the selection. */
export function ChoiceList({ choices, selected, maxRows, width }: { choices: string[]; selected: number; maxRows: number; width: number }) {
  const rows = Math.max(1, maxRows);
  const start = Math.min(Math.max(0, selected - Math.floor(rows / 2)), Math.max(0, choices.length - rows));
  const visible = choices.slice(start, start + rows);
  return (
    <Box flexDirection="column">
      {start > 0 ? <Text dimColor>  ↑ {start} more</Text> : null}
      {visible.map((c, i) => {
        const idx = start + i;
        const on = idx === selected;
        return (
          <Text key={idx} inverse={on} bold={on} wrap="truncate-end">
            {truncate(`${on ? '›' : ' '} ${c}`, width)}
          </Text>
        );
      })}
      {start + rows < choices.length ? <Text dimColor>  ↓ {choices.length - start - rows} more</Text> : null}
    </Box>
  );
}

export function TextField({ value, placeholder, error }: { value: string; placeholder?: string; error?: string }) {
  const tone = useTone();
  return (
    <Box flexDirection="column">
      <Text>
        {'› '}
        {value ? <Text bold>{value}</Text> : <Text dimColor>{placeholder ?? ''}</Text>}
        <Text inverse> </Text>
      </Text>
      {error ? <Text color={tone('red')}>{error}</Text> : null}
    </Box>
  );
}

export function choicesOf(q: QuestionSpec): string[] {
  return q.type === 'confirm' ? ['yes', 'no'] : (q.choices ?? []);
}

export function AskPrompt({ question, selected, text, error, width, maxRows }: { question: QuestionSpec; selected: number; text: string; error?: string; width: number; maxRows: number }) {
  return (
    <Box flexDirection="column">
      <Text bold color={useTone()('cyan')} wrap="truncate-end">
        {truncate(`? ${question.prompt}${question.type === 'confirm' ? ` (y/n${question.default ? `, default ${question.default}` : ''})` : ''}`, width)}
      </Text>
      {question.type === 'text' ? (
        <TextField value={text} placeholder={question.default ? `default: ${question.default}` : ''} {...(error ? { error } : {})} />
      ) : (
        <ChoiceList choices={choicesOf(question)} selected={selected} maxRows={maxRows} width={width} />
      )}
    </Box>
  );
}

/** A command that changes the cluster: the exact command, where, and how it is undone. */
export function ConfirmMutation({ argv, undo, targetText, width }: { argv: string[]; undo?: string[]; targetText: string; width: number }) {
  const tone = useTone();
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={tone('yellow')} paddingX={1}>
      <Text bold color={tone('yellow')}>! This step changes the cluster ({targetText})</Text>
      {wrapLines(`run:  ${formatArgv(argv)}`, width - 4, 2).map((l, i) => (
        <Text key={`r${i}`}>{l}</Text>
      ))}
      {undo ? (
        wrapLines(`undo: ${formatArgv(undo)}`, width - 4, 2).map((l, i) => <Text key={`u${i}`}>{l}</Text>)
      ) : (
        <Text bold>undo: none; this change is not restored automatically</Text>
      )}
      <Text bold>Run it? y yes · n no · s skip the step</Text>
    </Box>
  );
}

export function RestorePrompt({ changes, width }: { changes: { argv: string[]; undo: string[] }[]; width: number }) {
  const tone = useTone();
  const shown = changes.slice(0, 4);
  return (
    <Box flexDirection="column" borderStyle="single" borderColor={tone('yellow')} paddingX={1}>
      <Text bold>This session changed the cluster ({changes.length} change{changes.length === 1 ? '' : 's'}):</Text>
      {shown.map((c, i) => (
        <Text key={i} wrap="truncate-end">
          {truncate(`${formatArgv(c.argv)}  ⟲ ${formatArgv(c.undo)}`, width - 4)}
        </Text>
      ))}
      {changes.length > shown.length ? <Text dimColor>… and {changes.length - shown.length} more</Text> : null}
      <Text bold>Restore them now? y yes (recommended) · n keep them (netwiz undo restores later)</Text>
    </Box>
  );
}

export function QuitDialog({ running }: { running: boolean }) {
  return (
    <Box flexDirection="column" borderStyle="single" paddingX={1}>
      <Text bold>Quit netwiz?</Text>
      <Text>{running ? 'The running command is cancelled; ' : ''}anything this session changed is restored first.</Text>
      <Text bold>y quit · n or esc stay</Text>
    </Box>
  );
}
