// The playbook as the engine sees it: plain data, already validated and normalised by
// src/playbook (which also keeps the source positions for error messages).
// This file is a contract shared by playbook/, engine/, session/, ui/ and transcript/.

export type TargetKind = 'workstation' | 'pod' | 'node';

/** Where a command runs. Fields hold templates (`{{var}}`) until the engine renders them. */
export interface TargetSpec {
  kind: TargetKind;
  /** pod target: pod name; node target: unused */
  pod?: string;
  /** pod target: container; defaults to the pod's first container */
  container?: string;
  /** node target: node name */
  node?: string;
  /** pod target: namespace; defaults to the session namespace */
  namespace?: string;
}

/** A Kubernetes permission a step needs, checked by the RBAC preflight. */
export interface PermissionSpec {
  verb: string;
  resource: string;
  subresource?: string;
  /** template; defaults to the session namespace */
  namespace?: string;
}

export interface RunSpec {
  /** argv; each element is one template, rendered into exactly one argument */
  argv: string[];
  target: TargetSpec;
  timeoutMs: number;
  mutates: boolean;
  /** how to put back what a mutating command changed (argv templates) */
  undo?: string[];
  /** parser name from src/parsers registry; its fields become facts */
  parse?: string;
  /** under --read-only a mutating step jumps here instead (step id), else the session ends inconclusive */
  readOnlyAlternative?: string;
  /** extra permissions beyond what the target implies */
  requires?: PermissionSpec[];
}

export interface QuestionSpec {
  type: 'choice' | 'confirm' | 'text';
  prompt: string;
  choices?: string[];
  default?: string;
  /** regexp the text answer must match */
  pattern?: string;
}

export interface CallSpec {
  playbook: string;
  /** sub-playbook input name → template */
  with: Record<string, string>;
}

export interface ForeachSpec {
  /** CEL expression that evaluates to a list */
  items: string;
  /** name the current item is bound to inside `do` */
  as: string;
  concurrency: number;
  do: { run: RunSpec } | { call: CallSpec };
}

export interface ConcludeSpec {
  /** a cause id of this playbook, or 'inconclusive' */
  cause: string;
  /** evidence summary template */
  evidence: string;
  /** what to try next (mostly for inconclusive) */
  next?: string;
}

/** Effects on hypotheses: cause id → evidence line template. */
export type HypothesisEffects = Record<string, string>;

export interface Transition {
  /** CEL expression over facts; absent on `otherwise` */
  when?: string;
  /** next step id; absent = fall through to the following step in the list */
  next?: string;
  support?: HypothesisEffects;
  rule_out?: HypothesisEffects;
  confirm?: HypothesisEffects;
  /** facts set when this transition fires: name → template (rendered to string) */
  set?: Record<string, string>;
}

/**
 * One read of a `parallel` step: a read-only command that runs at the same time as its
 * siblings. Its result is its own fact (`as`, default its id) and its own history entry;
 * its transitions only add evidence (no next, no set): what to do next is decided by the
 * parallel step once every branch finished.
 */
export interface ParallelBranch {
  id: string;
  title: string;
  why: string;
  as?: string;
  /** CEL over the facts from before the step: when false the branch is skipped (not needed) */
  onlyIf?: string;
  run: RunSpec;
  /** evidence only: `next` and `set` are never present */
  transitions: Transition[];
  otherwise?: Transition;
}

interface StepCommon {
  id: string;
  title: string;
  why: string;
  /** fact name the step's result is stored under; default is the step id */
  as?: string;
  transitions: Transition[];
  otherwise?: Transition;
}

export type Step =
  | (StepCommon & { kind: 'run'; run: RunSpec })
  | (StepCommon & { kind: 'ask'; ask: QuestionSpec })
  | (StepCommon & { kind: 'call'; call: CallSpec })
  | (StepCommon & { kind: 'foreach'; foreach: ForeachSpec })
  /** independent read-only commands run at once; transitions run when all finished */
  | (StepCommon & { kind: 'parallel'; parallel: ParallelBranch[] })
  | (StepCommon & { kind: 'conclude'; conclude: ConcludeSpec });

export type StepKind = Step['kind'];

export interface InputChoicesSpec {
  argv: string[];
  target: TargetSpec;
  parse: string;
  /** field of each parsed item to offer (default: the item itself) */
  field?: string;
}

export interface InputSpec {
  name: string;
  prompt: string;
  default?: string;
  required: boolean;
  pattern?: string;
  choices?: InputChoicesSpec;
}

export interface FixSpec {
  text: string;
  /** shown to the operator, never run automatically */
  commands: string[][];
}

export interface Cause {
  id: string;
  title: string;
  explanation: string;
  fix: FixSpec;
  references: string[];
}

export interface Playbook {
  id: string;
  title: string;
  summary: string;
  inputs: InputSpec[];
  causes: Cause[];
  /** the first step is the entry point */
  steps: Step[];
  /** absolute path of the YAML file it came from */
  file: string;
}

/** Every playbook known to a session, by id (the root and its sub-playbooks). */
export type Catalog = Readonly<Record<string, Playbook>>;
