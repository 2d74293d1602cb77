// Contract between the session driver and the command executor.
import type { TargetSpec } from '../engine/model.js';
import type { CommandResult } from '../engine/types.js';

/** kubectl options that apply to every call, exactly as kubectl users pass them. */
export interface ClusterOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  /** image for debug containers and node pods (default nicolaka/netshoot) */
  debugImage?: string;
  /** kubectl binary, default 'kubectl' */
  kubectl?: string;
}

export interface RunRequest {
  /** already rendered: one element per argument, never joined into a shell string */
  argv: string[];
  target: TargetSpec;
  timeoutMs: number;
  signal?: AbortSignal;
  /** streamed output; called with chunks, coalesced by the caller if it renders */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** where to keep the full output (the transcript's output dir); omitted = memory only */
  outputFile?: string;
  stdin?: string;
}

export interface Executor {
  run(req: RunRequest): Promise<CommandResult>;
  /** delete what the executor created (node pods, debug pods); idempotent */
  close(): Promise<void>;
}
