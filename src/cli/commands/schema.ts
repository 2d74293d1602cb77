// `netwiz schema`: the JSON Schema of the playbook format (committed as
// schema/playbook.schema.json so editors' YAML plugins can complete playbooks).
import type { Command } from 'commander';
import { addPlaybooksOption } from './playbook-options.js';

export async function schemaText(): Promise<string> {
  const { playbookJsonSchema } = await import('../../playbook/schema.js');
  return JSON.stringify(playbookJsonSchema(), null, 2) + '\n';
}

export function registerSchema(program: Command): void {
  // --playbooks is accepted for symmetry with validate/list; the schema does not depend on it
  addPlaybooksOption(program.command('schema').description('print the JSON Schema of the playbook YAML format')).action(async () => {
    process.stdout.write(await schemaText());
  });
}
