// Values offered for a playbook input, read from the cluster with the input's own
// `choices` command and parser (e.g. the services of a namespace).
import type { Catalog } from '../engine/model.js';
import type { FactValue } from '../engine/types.js';
import type { Executor } from '../exec/types.js';
import { getParser } from '../parsers/index.js';
import { renderArgv } from '../engine/template.js';

function pick(item: FactValue, field: string | undefined): string | null {
  if (field === undefined) return typeof item === 'string' || typeof item === 'number' ? String(item) : null;
  if (item && typeof item === 'object' && !Array.isArray(item)) {
    const v = item[field];
    return typeof v === 'string' || typeof v === 'number' ? String(v) : null;
  }
  return null;
}

/** `values`: inputs known so far, for `{{namespace}}`-style placeholders in the command. */
export async function loadInputChoices(catalog: Catalog, executor: Executor, playbookId: string, inputName: string, values: Record<string, string>, timeoutMs = 10_000): Promise<string[]> {
  const input = catalog[playbookId]?.inputs.find((i) => i.name === inputName);
  if (!input?.choices) return [];
  const { target, parse, field } = input.choices;
  const rendered = renderArgv(input.choices.argv, values);
  if (!rendered.ok) throw new Error(`needs ${rendered.missing.join(', ')} first`);
  const argv = rendered.value;
  const parser = getParser(parse);
  if (!parser) throw new Error(`unknown parser ${parse}`);
  const result = await executor.run({ argv, target, timeoutMs });
  if (result.exitCode !== 0) {
    const why = (result.stderr || result.spawnError || `exit ${result.exitCode}`).trim().split('\n')[0] ?? '';
    throw new Error(why.slice(0, 120));
  }
  const parsed = parser.parse({ stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode });
  if (!parsed.ok) throw new Error(parsed.error);
  const items = parsed.fields.items;
  if (!Array.isArray(items)) throw new Error(`parser ${parse} gave no items`);
  return [...new Set(items.map((i) => pick(i, field)).filter((v): v is string => v !== null))];
}
