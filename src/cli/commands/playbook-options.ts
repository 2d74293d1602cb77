// The `--playbooks DIR` option shared by validate, list and schema (repeatable).
import type { Command } from 'commander';

export function addPlaybooksOption(cmd: Command): Command {
  return cmd.option(
    '--playbooks <dir>',
    'extra folder of playbooks, searched after the built-in ones (repeatable; also $NETWIZ_PLAYBOOKS)',
    (v: string, prev: string[] | undefined) => [...(prev ?? []), v],
  );
}
