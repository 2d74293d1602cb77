// Public face of exec/: the executor, the leftover sweep, the journal and RBAC preflight.
export type { ClusterOptions, Executor, RunRequest } from './types.js';
export { createExecutor, ClusterExecutor, type ExecutorOptions } from './cluster-executor.js';
export { runLocal, type LocalRunOptions, stderrFileFor } from './workstation.js';
export { sweepLeftovers, type SweptPod } from './sweep.js';
export {
  kubectlArgv,
  withClusterOptions,
  podExecArgv,
  nodeCommand,
  nodePodManifest,
  toolMissing,
  targetLabel,
  DEFAULT_DEBUG_IMAGE,
} from './kubectl.js';
export {
  record,
  pending,
  pendingEntries,
  restoreSession,
  readJournal,
  sessionsWithPending,
  journalFile,
  createJournal,
  type MutationJournal,
  type JournalEntry,
  type JournalRecordInput,
  type RestoreResult,
} from './journal.js';
export { preflight, preflightReport, createPreflight, reachablePlaybooks, permissionsForCatalog, permissionsForRun, canI, dryRunArgv, supportsServerDryRun, type Permission, type PreflightReport } from './rbac.js';
export { formatArgv, quoteArg } from './format.js';
export { stateDir, journalDir, markSessionLive, unmarkSessionLive, liveSessions } from './state-dir.js';
