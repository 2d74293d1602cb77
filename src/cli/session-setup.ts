// Everything `netwiz run` and the wizard share before a session starts: the session
// options on the command line, loading and validating the catalog, the playbook's
// inputs from --var, the answers file, cluster options, the executor/journal/preflight.
// Errors here are usage errors (exit 2): nothing has run yet.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Catalog, InputSpec, Playbook, RunSpec } from '../engine/model.js';
import type { ClusterOptions } from '../exec/types.js';
import { reachableCatalog, stepRuns } from '../engine/reachable.js';
import { startupMark } from './startup-marks.js';

/** A problem with what the operator typed: exit 2, message printed as is. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly details: string[] = [],
  ) {
    super(message);
  }
}

export interface SessionCliOptions {
  var: string[];
  answers?: string;
  yes?: boolean;
  readOnly?: boolean;
  dryRun?: boolean;
  json?: boolean;
  playbooks: string[];
  context?: string;
  namespace?: string;
  kubeconfig?: string;
  debugImage?: string;
  transcript?: string;
  maxSteps?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** The options every session command takes (run, wizard). */
export function addSessionOptions(cmd: Command): Command {
  return cmd
    .option('--var <name=value>', 'playbook input (repeatable)', collect, [] as string[])
    .option('--playbooks <dir>', 'extra folder of playbooks, searched after the built-in ones (repeatable; also $NETWIZ_PLAYBOOKS)', collect, [] as string[])
    .option('--yes', 'run mutating steps without asking (each is still journalled and restored)')
    .option('--read-only', 'never run a mutating step: take its read-only alternative or end inconclusive')
    .option('--dry-run', 'run nothing that changes the cluster; show what would run')
    .option('--context <name>', 'kubeconfig context for every kubectl call')
    .option('-n, --namespace <ns>', 'namespace for every kubectl call')
    .option('--kubeconfig <file>', 'kubeconfig file (default $KUBECONFIG, ~/.kube/config)')
    .option('--debug-image <image>', 'image of debug containers and node pods (default nicolaka/netshoot)')
    .option('--transcript <file>', 'write the session transcript here (default under $XDG_STATE_HOME/netwiz/sessions)')
    .option('--max-steps <n>', 'end the session inconclusive after this many steps (default 500)');
}

/** `--var a=b --var c=d=e` → {a: 'b', c: 'd=e'}. */
export function parseVars(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--var ${item}: expected NAME=VALUE`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

export function parseMaxSteps(v: string | undefined): number {
  if (v === undefined) return 500;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--max-steps ${v}: expected a whole number of at least 1`);
  return n;
}

/** yaml's parse(), loaded on first use. */
async function yamlParser(): Promise<(text: string) => unknown> {
  // in the bundle a CommonJS package loaded with import() is its default export only
  // (esbuild's split chunk); from source it has the named exports as well
  const m = (await import('yaml')) as unknown as { parse?: (text: string) => unknown; default?: { parse: (text: string) => unknown } };
  return m.parse ?? m.default!.parse;
}

/** Answers file: YAML or JSON map of `step-id` (or `playbook:step-id`) → answer (a list = one per time asked). */
export type Answers = Record<string, unknown>;

export async function loadAnswers(file: string | undefined): Promise<Answers> {
  if (file === undefined) return {};
  // the YAML parser loads only when there is an answers file: it is not on the start-up
  // path of every netwiz command (it was in the entry chunk, ~8 ms of each start)
  const parseYaml = await yamlParser();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`--answers ${file}: cannot read it (${e instanceof Error ? e.message : String(e)})`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new UsageError(`--answers ${file}: not valid YAML/JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new UsageError(`--answers ${file}: expected a map of step id → answer, e.g. "pick-symptom: timeout"`);
  }
  return doc as Answers;
}

export function clusterOptionsFrom(o: SessionCliOptions, env: NodeJS.ProcessEnv = process.env): ClusterOptions {
  // A single $KUBECONFIG file is recorded (the journal's undo must reach the same cluster);
  // a list (a:b) is kubectl's to merge, so it stays in the environment.
  const fromEnv = env.KUBECONFIG && !env.KUBECONFIG.includes(path.delimiter) ? env.KUBECONFIG : undefined;
  const kubeconfig = o.kubeconfig ?? fromEnv;
  return {
    ...(o.context !== undefined ? { context: o.context } : {}),
    ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
    ...(kubeconfig ? { kubeconfig } : {}),
    ...(o.debugImage !== undefined ? { debugImage: o.debugImage } : {}),
  };
}

export function newSessionId(): string {
  return `nw-${randomBytes(6).toString('hex')}`;
}

export interface LoadedSessionCatalog {
  catalog: Catalog;
  root: Playbook;
  warnings: string[];
}

/**
 * Loads every playbook on the search path (plus PLAYBOOK itself when it is a file) and
 * refuses on any validation error, each reported as file:line:col.
 */
export async function loadSessionCatalog(playbookArg: string, dirs: readonly string[]): Promise<LoadedSessionCatalog> {
  // the cache (playbook/cache.ts) answers from disk when nothing changed, without loading
  // the YAML/zod/CEL validator at all; diagnostics and warnings are the same either way
  const [cache, search, pb] = await Promise.all([
    import('../playbook/cache.js'),
    import('../playbook/search-path.js'),
    import('../playbook/diagnostics.js'),
  ]);
  const isFile = /\.ya?ml$/.test(playbookArg) || playbookArg.includes('/');
  let load;
  let rootId = playbookArg;
  if (isFile) {
    const file = path.resolve(playbookArg);
    if (!existsSync(file)) throw new UsageError(`playbook file ${playbookArg} does not exist`);
    const onPath = search.playbookSearchPath(dirs).flatMap(search.playbookFilesIn).filter((f) => f !== file);
    load = await cache.loadPlaybookFilesCached([...onPath, file]);
    rootId = load.summaries.find((s) => s.file === file)?.id ?? '';
  } else {
    load = await cache.loadCatalogCached(dirs);
  }
  const refuse = (errors: typeof load.errors, what: string) => {
    const lines = pb.sortDiagnostics(errors).map((d) => pb.formatDiagnostic(d));
    return new UsageError(`${errors.length} playbook error${errors.length === 1 ? '' : 's'} ${what}; nothing was run (fix them, then netwiz validate)`, lines);
  };
  const root = load.catalog[rootId];
  if (!root) {
    // the playbook may be one of the invalid ones: then its errors are the message
    const candidates = new Set(
      load.summaries.filter((s) => s.id === rootId || s.id === playbookArg).map((s) => s.file),
    );
    const own = load.errors.filter(
      (e) => candidates.has(path.resolve(e.file)) || path.basename(e.file).replace(/\.ya?ml$/, '') === playbookArg || path.resolve(e.file) === path.resolve(playbookArg),
    );
    if (own.length > 0) throw refuse(own, `in ${playbookArg}`);
    const known = Object.keys(load.catalog).sort();
    throw new UsageError(
      `unknown playbook "${playbookArg}"; known: ${known.length > 0 ? known.join(', ') : 'none'} (netwiz list shows them)`,
    );
  }
  // errors in the playbooks this session can reach stop it; a broken runbook elsewhere on
  // the search path (someone's $NETWIZ_PLAYBOOKS) must not block every other playbook
  const files = new Set(Object.values(reachableCatalog(load.catalog, rootId)).map((p) => p.file));
  const relevant = load.errors.filter((e) => files.has(path.resolve(e.file)));
  if (relevant.length > 0) throw refuse(relevant, `in ${root.id} or the playbooks it calls`);
  const others = load.errors.filter((e) => !files.has(path.resolve(e.file)));
  const warnings = [
    ...load.warnings.map((w) => pb.formatDiagnostic(w)),
    ...pb.sortDiagnostics(others).map((d) => `${pb.formatDiagnostic(d)} (playbook not used by ${root.id}; ignored)`),
  ];
  return { catalog: load.catalog, root, warnings };
}

export { reachableCatalog } from '../engine/reachable.js';

/** Required inputs that neither --var nor a default fills (the wizard asks for these). */
export function unresolvedInputs(root: Playbook, vars: Record<string, string>): InputSpec[] {
  return root.inputs.filter((i) => i.required && vars[i.name] === undefined && i.default === undefined);
}

/** True when some step of these playbooks talks to a cluster (kubectl, pod or node target). */
export function needsCluster(catalog: Catalog): boolean {
  const touches = (run: RunSpec) => run.target.kind !== 'workstation' || /(^|\/)kubectl$/.test(run.argv[0] ?? '');
  // stepRuns: run, a foreach of runs, and every branch of a parallel step
  return Object.values(catalog).some((pb) => pb.steps.some((s) => stepRuns(s).some((r) => touches(r.run))));
}

/**
 * What a session needs besides the catalog: the executor, the mutation journal, the RBAC
 * preflight (only when a reachable playbook talks to a cluster) and the transcript writer.
 * Shared by `netwiz run` and the wizard so both behave the same.
 */
export async function sessionServices(a: {
  sessionId: string;
  catalog: Catalog;
  rootId: string;
  inputs: Record<string, string>;
  cluster: ClusterOptions;
  transcriptPath?: string;
}) {
  // the writer and paths, not transcript/index.js: that one also brings the exporters,
  // resume and the session list, which a session never uses
  const [exec, journalMod, rbac, transcript, paths] = await Promise.all([
    import('../exec/index.js'),
    import('../exec/journal.js'),
    import('../exec/rbac.js'),
    import('../transcript/writer.js'),
    import('../transcript/paths.js'),
  ]);
  startupMark('services-modules');
  const transcriptPath = a.transcriptPath ?? paths.defaultTranscriptPath(a.sessionId);
  const reachable = reachableCatalog(a.catalog, a.rootId);
  // Before a cluster session starts: delete debug/node pods that a crashed earlier session
  // of this host left behind (best effort; no kubectl at all unless the live-session
  // registry says some session did not clean up). Then the RBAC preflight, which the driver
  // runs beside the first read-only steps.
  const cluster = needsCluster(reachable);
  if (cluster) {
    const { sweepStranded } = await import('../exec/sweep.js');
    await sweepStranded(a.cluster, { keep: [a.sessionId] }).catch(() => []);
  }
  startupMark('sweep');
  // (Deferring the preflight a turn so the first command spawns first was measured in
  // bench/time-to-cause: the first command started ~30 ms sooner, the commands after it as
  // much later, since the preflight's kubectl then competed with them; no net gain.)
  const preflight = cluster ? () => rbac.preflight(reachable, a.cluster, { inputs: a.inputs }) : undefined;
  return {
    executor: exec.createExecutor(a.cluster, { sessionId: a.sessionId }),
    journal: journalMod.createJournal(),
    ...(preflight ? { preflight } : {}),
    transcriptPath,
    writer: transcript.openTranscriptWriter({ path: transcriptPath, catalog: a.catalog }),
    outputFile: (effectId: string) => paths.outputFileFor(transcriptPath, effectId),
  };
}

/** --var values checked against the playbook's inputs: defaults, required, pattern. */
export function resolveInputs(root: Playbook, vars: Record<string, string>): Record<string, string> {
  const inputs: Record<string, string> = { ...vars };
  const problems: string[] = [];
  for (const input of root.inputs) {
    let v = inputs[input.name];
    if (v === undefined && input.default !== undefined) v = inputs[input.name] = input.default;
    if (v === undefined) {
      if (input.required) problems.push(`missing input ${input.name} (${input.prompt}): pass --var ${input.name}=VALUE`);
      continue;
    }
    if (input.pattern !== undefined) {
      let ok = true;
      try {
        ok = new RegExp(input.pattern).test(v);
      } catch {
        ok = true;
      }
      if (!ok) problems.push(`input ${input.name}="${v}" does not match ${input.pattern}`);
    }
  }
  const unknown = Object.keys(vars).filter((k) => !root.inputs.some((i) => i.name === k));
  if (problems.length > 0) throw new UsageError(problems[0]!, problems.slice(1));
  if (unknown.length > 0 && root.inputs.length > 0) {
    // extra facts are harmless, but a typo in a name is worth a word
    process.stderr.write(`netwiz: note: ${root.id} has no input named ${unknown.join(', ')} (it has ${root.inputs.map((i) => i.name).join(', ')})\n`);
  }
  return inputs;
}

/** Prints a usage error the same way everywhere and returns exit code 2. */
export function reportUsageError(e: UsageError, command: string): number {
  process.stderr.write(`netwiz ${command}: ${e.message}\n`);
  for (const d of e.details) process.stderr.write(`${d}\n`);
  return 2;
}
