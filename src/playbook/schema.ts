// The YAML authoring format of playbooks (playbooks/FORMAT.md) as a zod schema.
// It checks shape only; cross-references (next, cause ids, parsers, sub-playbooks,
// variables) are checked in semantics.ts. No transforms here, so the same schema
// also yields the JSON Schema editors use (`netwiz schema`).
import { z } from 'zod';

const text = z.string();
const scalarText = z.union([z.string(), z.number(), z.boolean()]);

export const DURATION_PATTERN = '^[0-9]+(ms|s|m|h)$';
const duration = z
  .union([z.number().int().nonnegative(), z.string().regex(new RegExp(DURATION_PATTERN), 'a duration like 500ms, 10s or 2m')])
  .describe('milliseconds, or a duration such as 500ms, 10s, 2m');

const argv = z
  .array(z.union([z.string(), z.number(), z.boolean()]))
  .min(1)
  .describe('a command as an argv array; each element is one argument, {{var}} placeholders allowed');

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and -');
const factName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a name of letters, digits and _ (usable in CEL)');

export const targetKinds = ['workstation', 'pod', 'node'] as const;

const targetFields = {
  target: z.enum(targetKinds).optional().describe('where the command runs (default workstation)'),
  pod: text.optional().describe('pod target: pod name template'),
  container: text.optional(),
  node: text.optional().describe('node target: node name template'),
  namespace: text.optional(),
};

const permission = z.strictObject({
  verb: text,
  resource: text,
  subresource: text.optional(),
  namespace: text.optional(),
});

const runSpec = z.strictObject({
  argv,
  ...targetFields,
  timeout: duration.optional(),
  mutates: z.boolean().optional(),
  undo: argv.optional().describe('argv that puts back what a mutating command changed'),
  parse: text.optional().describe('parser name; its fields become facts'),
  read_only_alternative: text.optional().describe('step id taken instead under --read-only'),
  requires: z.array(permission).optional(),
});

const askSpec = z.strictObject({
  type: z.enum(['choice', 'confirm', 'text']),
  prompt: text,
  choices: z.array(scalarText).optional(),
  default: scalarText.optional(),
  pattern: text.optional(),
});

const callSpec = z.strictObject({
  playbook: text,
  with: z.record(z.string(), scalarText).optional(),
});

const foreachSpec = z.strictObject({
  items: text.describe('CEL expression that yields a list'),
  as: factName,
  concurrency: z.number().int().min(1).max(64).optional(),
  do: z.strictObject({ run: runSpec.optional(), call: callSpec.optional() }),
});

const concludeSpec = z.strictObject({
  cause: text.describe('a cause id of this playbook, or inconclusive'),
  evidence: text.optional(),
  next: text.optional(),
});

const effects = z.record(z.string(), text);

const transition = z.strictObject({
  when: text.describe('CEL expression over facts'),
  next: text.optional(),
  support: effects.optional(),
  rule_out: effects.optional(),
  confirm: effects.optional(),
  set: z.record(z.string(), scalarText).optional(),
});

const otherwise = z.union([
  text.describe('step id'),
  z.strictObject({
    next: text.optional(),
    support: effects.optional(),
    rule_out: effects.optional(),
    confirm: effects.optional(),
    set: z.record(z.string(), scalarText).optional(),
  }),
]);

// A branch of a `parallel` step gathers evidence only: where to go next and what to set
// is decided by the parallel step once every branch finished, with all their facts.
const BRANCH_DECIDES_NOT =
  "a branch of a parallel step only adds evidence (support, rule_out, confirm); put 'next' and 'set' in the parallel step's own transitions";
// (a refinement, not z.never(): the loader then reports this message at the key's value;
// `not: {}` keeps editors flagging the key through the JSON Schema)
const notInBranch = z
  .unknown()
  .refine((v) => v === undefined, { error: BRANCH_DECIDES_NOT })
  .optional()
  .meta({ description: BRANCH_DECIDES_NOT, not: {} });

const branchTransition = z.strictObject({
  when: text.describe('CEL expression over facts'),
  support: effects.optional(),
  rule_out: effects.optional(),
  confirm: effects.optional(),
  next: notInBranch,
  set: notInBranch,
});

const branchOtherwise = z.strictObject({
  support: effects.optional(),
  rule_out: effects.optional(),
  confirm: effects.optional(),
  next: notInBranch,
  set: notInBranch,
});

const parallelBranch = z
  .strictObject({
    id,
    title: text,
    why: text,
    as: factName.optional().describe('fact name of the result (default: the branch id)'),
    only_if: text.optional().describe('CEL over the facts from before the step; when false the branch is skipped as not needed'),
    run: runSpec,
    transitions: z.array(branchTransition).optional(),
    otherwise: branchOtherwise.optional(),
  })
  .describe('one read-only command, run at the same time as the other branches');

const step = z.strictObject({
  id,
  title: text,
  why: text,
  as: factName.optional().describe('fact name of the result (default: the step id)'),
  run: runSpec.optional(),
  ask: askSpec.optional(),
  call: callSpec.optional(),
  foreach: foreachSpec.optional(),
  parallel: z
    .array(parallelBranch)
    .min(2)
    .optional()
    .describe('independent read-only commands run at once; the step\'s transitions run when every one finished'),
  conclude: concludeSpec.optional(),
  transitions: z.array(transition).optional(),
  otherwise: otherwise.optional(),
});

const input = z.strictObject({
  name: factName,
  prompt: text,
  default: scalarText.optional(),
  required: z.boolean().optional(),
  pattern: text.optional(),
  choices: z
    .strictObject({
      argv,
      ...targetFields,
      parse: text,
      field: text.optional(),
    })
    .optional(),
});

const cause = z.strictObject({
  id,
  title: text,
  explanation: text,
  fix: z.strictObject({
    text,
    commands: z.array(argv).optional(),
  }),
  references: z.array(text).optional(),
});

export const playbookSchema = z
  .strictObject({
    id: id.describe('unique playbook id; matches the file name'),
    title: text,
    summary: text,
    inputs: z.array(input).optional(),
    causes: z.array(cause).optional(),
    steps: z.array(step).min(1).describe('the first step is the entry point'),
  })
  .meta({ title: 'netwiz playbook', description: 'A netwiz diagnosis playbook (see playbooks/FORMAT.md)' });

export type PlaybookDoc = z.infer<typeof playbookSchema>;
export type StepDoc = z.infer<typeof step>;
export type RunDoc = z.infer<typeof runSpec>;
export type CallDoc = z.infer<typeof callSpec>;
export type TransitionDoc = z.infer<typeof transition>;
export type BranchDoc = z.infer<typeof parallelBranch>;
export type InputDoc = z.infer<typeof input>;

/** The JSON Schema of the authoring format, as printed by `netwiz schema`. */
export function playbookJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(playbookSchema, { target: 'draft-7' }) as Record<string, unknown>;
}
