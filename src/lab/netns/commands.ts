// Running the builder's commands: argv arrays through execa, never a shell string, so a pod
// or namespace name can never run code. A failure names the command and what it said.
import { execa } from 'execa';

export class LabCommandError extends Error {
  constructor(
    readonly argv: string[],
    readonly exitCode: number | undefined,
    readonly stderr: string,
  ) {
    super(`netwiz lab: \`${argv.join(' ')}\` failed (exit ${exitCode ?? '?'}): ${stderr.trim() || 'no error output'}`);
  }
}

export interface RunOptions {
  input?: string;
  /** tolerate failure (e.g. deleting what may already be gone) */
  allowFail?: boolean;
  timeoutMs?: number;
}

export async function run(file: string, args: string[], opts: RunOptions = {}): Promise<{ stdout: string; exitCode: number }> {
  const r = await execa(file, args, {
    reject: false,
    timeout: opts.timeoutMs ?? 15_000,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: 'ignore' as const }),
  });
  const exitCode = r.exitCode ?? -1;
  if (exitCode !== 0 && !opts.allowFail) {
    throw new LabCommandError([file, ...args], r.exitCode, `${r.stderr}${r.timedOut ? ' (timed out)' : ''}`);
  }
  return { stdout: r.stdout, exitCode };
}

/** `ip -n NS …`: iproute2 acting on a namespace without entering it */
export function ipn(ns: string, args: string[], opts: RunOptions = {}): Promise<{ stdout: string; exitCode: number }> {
  return run('ip', ['-n', ns, ...args], opts);
}

/** a command inside a namespace: `ip netns exec NS file args…` */
export function inNetns(ns: string, file: string, args: string[], opts: RunOptions = {}): Promise<{ stdout: string; exitCode: number }> {
  return run('ip', ['netns', 'exec', ns, file, ...args], opts);
}
