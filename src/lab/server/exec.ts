// `kubectl exec` over WebSocket (subprotocol v5.channel.k8s.io, v4 as a fallback): runs the
// data plane's argv for the pod with execa (no shell), streams stdout/stderr as channel
// frames and reports the exit status on channel 3 exactly as a kubelet would, so kubectl
// prints the same output and exits with the same code.
import { execa } from 'execa';
import type { WebSocket } from 'ws';
import type { SpawnPlan } from '../dataplane.js';

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

function frame(channel: number, data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Buffer.concat([Buffer.from([channel]), body]);
}

export function successStatus(): object {
  return { metadata: {}, status: 'Success' };
}

export function exitStatus(argv: string[], code: number): object {
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command [${argv.join(' ')}], exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

export function internalErrorStatus(message: string): object {
  return { metadata: {}, status: 'Failure', message, reason: 'InternalError', details: { causes: [{ message }] }, code: 500 };
}

/** Sends a final status on channel 3 and closes normally (kubectl reads code 1000 as "done"). */
export function finishWithStatus(ws: WebSocket, status: object): void {
  if (ws.readyState !== ws.OPEN) return;
  ws.send(frame(ERROR, JSON.stringify(status)), () => ws.close(1000));
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 };

export async function runExec(ws: WebSocket, plan: SpawnPlan, argv: string[], opts: { stdin: boolean; tty?: boolean }): Promise<number> {
  const child = execa(plan.file, plan.args, {
    reject: false,
    buffer: false,
    stdin: opts.stdin ? 'pipe' : 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    ...(plan.env ? { env: plan.env } : {}),
    // kubectl owns the exec's lifetime: it ends when the process does or kubectl hangs up.
    // Its own process group, so a hang-up kills everything it started (timeout, sh -c …).
    detached: true,
  });
  const send = (ch: number, data: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(frame(ch, data));
  };
  child.stdout?.on('data', (d: Buffer) => send(STDOUT, d));
  // a terminal has one output stream: with -t the kubelet sends stderr on stdout too
  child.stderr?.on('data', (d: Buffer) => send(opts.tty ? STDOUT : STDERR, d));
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
    if (!isBinary && buf.length === 0) return;
    const ch = buf[0];
    if (ch === STDIN && child.stdin && !child.stdin.destroyed) child.stdin.write(buf.subarray(1));
    else if (ch === CLOSE && buf[1] === STDIN) child.stdin?.end();
    else if (ch === RESIZE) {
      /* no tty in the lab: resize is accepted and ignored */
    }
  });
  ws.on('close', () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  });
  child.stdin?.on('error', () => {
    /* the process exited before reading all of stdin: like a closed pipe, not an error of ours */
  });
  const result = await child;
  let code: number;
  if (result.failed && result.exitCode === undefined && !result.signal) {
    // spawn failure: the container runtime's words for a missing executable
    const cause = result.originalMessage || result.shortMessage || 'cannot start process';
    finishWithStatus(
      ws,
      internalErrorStatus(`error executing command in container: failed to exec in container: failed to start exec: OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0] ?? ''}": ${/ENOENT/.test(cause) ? 'executable file not found in $PATH' : cause}: unknown`),
    );
    return 126;
  }
  code = result.exitCode ?? (result.signal ? 128 + (SIGNALS[result.signal] ?? 15) : 1);
  finishWithStatus(ws, code === 0 ? successStatus() : exitStatus(argv, code));
  return code;
}

/** the `command` query parameters, in order */
export function commandOf(url: URL): string[] {
  return url.searchParams.getAll('command');
}
