// Running one argv on this machine: execa(file, args), never a shell. The outcome is data
// (exited / timed-out / cancelled / spawn-failed), never an exception: a ping that exits 1
// is evidence for the engine.
import { execa } from 'execa';
import type { CommandResult } from '../engine/types.js';
import { BoundedCapture, DEFAULT_WINDOW_BYTES } from './capture.js';
import { groupExists, killGroup, ownedChildEnv, trackGroup, untrackGroup } from './process-group.js';

export interface LocalRunOptions {
  argv: string[];
  timeoutMs: number;
  signal?: AbortSignal;
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** full stdout goes here; stderr to `${outputFile}.stderr` */
  outputFile?: string;
  stdin?: string;
  /** bytes of head and of tail kept in memory per stream */
  windowBytes?: number;
  /** time between SIGTERM and SIGKILL of the process group */
  killGraceMs?: number;
  env?: Record<string, string>;
  /**
   * The command's whole environment (process.env is then not added; `env` still is, on
   * top). An executor takes one snapshot of process.env per session and passes it here:
   * execa's own `{...process.env}` reads every variable through the C++ environment
   * accessor, ~30 µs per command on this machine, against ~2 µs for a plain object.
   */
  baseEnv?: Record<string, string>;
}

/** process.env as a plain object (variables without a value left out), for LocalRunOptions.baseEnv */
export function snapshotEnv(extra?: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return extra ? Object.assign(env, extra) : env;
}

export const DEFAULT_KILL_GRACE_MS = 2000;

export function stderrFileFor(outputFile: string): string {
  return `${outputFile}.stderr`;
}

function emptyResult(partial: Partial<CommandResult>): CommandResult {
  return {
    exitCode: null,
    stdout: '',
    stderr: '',
    durationMs: 0,
    timedOut: false,
    cancelled: false,
    ...partial,
  };
}

/** Run argv[0] with argv[1..] as a detached process group and classify what happened. */
export async function runLocal(opts: LocalRunOptions): Promise<CommandResult> {
  const [file, ...args] = opts.argv;
  if (!file) return emptyResult({ spawnError: 'empty argv: nothing to run' });
  if (opts.signal?.aborted) return emptyResult({ cancelled: true });
  const windowBytes = opts.windowBytes ?? DEFAULT_WINDOW_BYTES;
  const grace = opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
  const started = performance.now();

  const out = new BoundedCapture(
    windowBytes,
    opts.outputFile,
    opts.onOutput ? (t) => opts.onOutput!(t, 'stdout') : undefined,
  );
  // the stderr file is opened lazily: most commands write none
  let err: BoundedCapture | undefined;
  const errCapture = () =>
    (err ??= new BoundedCapture(
      windowBytes,
      opts.outputFile ? stderrFileFor(opts.outputFile) : undefined,
      opts.onOutput ? (t) => opts.onOutput!(t, 'stderr') : undefined,
    ));

  const subprocess = execa(file, args, {
    reject: false,
    buffer: false,
    // own session and process group, so the whole tree can be signalled at once
    detached: true,
    ...(opts.stdin !== undefined ? { input: opts.stdin } : { stdin: 'ignore' as const }),
    stripFinalNewline: false,
    // the owner marker is in the child's environment from its first instruction: if netwiz
    // is killed before trackGroup below, the watchdog still finds the child (and its children)
    ...(opts.baseEnv
      ? { env: { ...opts.baseEnv, ...opts.env, ...ownedChildEnv() }, extendEnv: false }
      : { env: { ...opts.env, ...ownedChildEnv() } }),
    // no execa timeout/cancelSignal: they would signal only the direct child; we signal
    // the whole group below and classify from our own flags
  });
  const pgid = subprocess.pid;
  if (pgid !== undefined) trackGroup(pgid);

  // backpressure: when the disk is slower than the command, stop reading (the pipe fills
  // and the command waits) instead of queueing the output in memory
  const stdout = subprocess.stdout;
  const stderr = subprocess.stderr;
  stdout?.on('data', (c: Buffer) => {
    if (!out.push(c)) {
      stdout.pause();
      out.onDrain(() => stdout.resume());
    }
  });
  stderr?.on('data', (c: Buffer) => {
    const cap = errCapture();
    if (!cap.push(c)) {
      stderr.pause();
      cap.onDrain(() => stderr.resume());
    }
  });

  let timedOut = false;
  let cancelled = false;
  let killing: Promise<void> | undefined;
  const stopTree = () => {
    if (pgid !== undefined) killing ??= killGroup(pgid, grace);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stopTree();
  }, Math.max(1, opts.timeoutMs));
  const onAbort = () => {
    cancelled = true;
    stopTree();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  // When the leader exits, whatever it left running in its group (a backgrounded child
  // holding our pipes open) goes too: nothing outlives its command.
  // (Most leaders leave nothing behind: one kill(-pgid, 0) says so, without the SIGTERM
  // and the async wait of killGroup.)
  subprocess.once('exit', () => {
    if (pgid !== undefined && !killing && groupExists(pgid)) killing = killGroup(pgid, Math.min(grace, 200));
  });

  const result = await subprocess;
  clearTimeout(timer);
  opts.signal?.removeEventListener('abort', onAbort);
  if (killing) await killing;
  if (pgid !== undefined) untrackGroup(pgid);

  await out.close().catch(() => undefined);
  await err?.close().catch(() => undefined);
  const errFile = opts.outputFile ? stderrFileFor(opts.outputFile) : undefined;

  const exitCode = typeof result.exitCode === 'number' ? result.exitCode : null;
  const spawnFailed = pgid === undefined || (result.failed && exitCode === null && !result.signal && !timedOut && !cancelled);
  const cause = (result as { cause?: unknown }).cause;
  const code = (cause as { code?: string } | undefined)?.code ?? (result as { code?: string }).code;

  const res: CommandResult = {
    exitCode: timedOut || cancelled ? (exitCode ?? null) : exitCode,
    stdout: out.text(opts.outputFile),
    stderr: err ? err.text(errFile) : '',
    durationMs: Math.round(performance.now() - started),
    timedOut: timedOut && !cancelled,
    cancelled,
  };
  if (spawnFailed) {
    res.exitCode = null;
    res.spawnError = code ? `${code}: cannot run ${file}` : (result.shortMessage ?? `cannot run ${file}`);
  }
  if (out.truncated || err?.truncated) res.truncated = true;
  if (opts.outputFile) res.outputFile = opts.outputFile;
  return res;
}
