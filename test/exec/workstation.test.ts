// Real processes, no mocks: exit codes as data, spawn failures, whole-tree cancellation
// and timeout (including a tree that ignores SIGTERM), bounded capture of a big output.
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/exec/index.js';
import { runLocal } from '../../src/exec/workstation.js';
import { BoundedCapture } from '../../src/exec/capture.js';
import { killByMarkerArgv } from '../../src/exec/kubectl.js';
import { pidsIn, running } from './processes.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'exec');
const tmp = () => mkdtempSync(join(tmpdir(), 'netwiz-exec-'));

describe('runLocal: outcomes are data', () => {
  it('reports a non-zero exit with its output, without throwing', async () => {
    const r = await runLocal({ argv: ['sh', '-c', 'echo out; echo err >&2; exit 3'], timeoutMs: 30_000 });
    expect(r).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false, cancelled: false });
    expect(r.spawnError).toBeUndefined();
  });

  it('a ping-style failure (exit 1) is a result, not an exception', async () => {
    const r = await runLocal({ argv: ['false'], timeoutMs: 30_000 });
    expect(r.exitCode).toBe(1);
  });

  it('classifies a missing binary as spawn-failed', async () => {
    const r = await runLocal({ argv: ['/nonexistent/netwiz-no-such-tool', 'x'], timeoutMs: 30_000 });
    expect(r.exitCode).toBeNull();
    expect(r.spawnError).toMatch(/ENOENT/);
  });

  it('feeds stdin and passes argv elements verbatim (no shell)', async () => {
    const r = await runLocal({ argv: ['cat'], stdin: 'hello\n$(id)\n', timeoutMs: 30_000 });
    expect(r.stdout).toBe('hello\n$(id)\n');
    const echo = await runLocal({ argv: ['printf', '%s|', '$(touch /tmp/x)', 'a;b', '`id`', 'a\nb'], timeoutMs: 30_000 });
    expect(echo.stdout).toBe('$(touch /tmp/x)|a;b|`id`|a\nb|');
  });

  it('streams output to onOutput as it comes', async () => {
    const chunks: [string, string][] = [];
    const r = await runLocal({
      argv: ['sh', '-c', 'echo one; echo two >&2'],
      timeoutMs: 30_000,
      onOutput: (c, s) => chunks.push([c, s]),
    });
    expect(r.exitCode).toBe(0);
    expect(chunks.filter(([, s]) => s === 'stdout').map(([c]) => c).join('')).toBe('one\n');
    expect(chunks.filter(([, s]) => s === 'stderr').map(([c]) => c).join('')).toBe('two\n');
  });

  it('returns cancelled without spawning when the signal is already aborted', async () => {
    const dir = tmp();
    const r = await runLocal({ argv: ['touch', join(dir, 'ran')], timeoutMs: 30_000, signal: AbortSignal.abort() });
    expect(r.cancelled).toBe(true);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
  });
});

describe('runLocal: nothing is left behind', () => {
  it('cancelling `sleep 600` kills it', async () => {
    const ac = new AbortController();
    let pid = 0;
    const p = runLocal({
      argv: ['sh', '-c', 'echo $$; exec sleep 600'],
      timeoutMs: 600_000,
      signal: ac.signal,
      onOutput: (c) => {
        pid = Number(c.trim());
        ac.abort();
      },
    });
    const r = await p;
    expect(r).toMatchObject({ cancelled: true, timedOut: false, exitCode: null });
    expect(pid).toBeGreaterThan(0);
    expect(running(pid)).toBe(false);
  });

  it('cancelling a tree kills the backgrounded children too', async () => {
    const dir = tmp();
    const pidfile = join(dir, 'pids');
    const ac = new AbortController();
    const r = await runLocal({
      argv: [join(fixtures, 'tree.sh'), pidfile],
      timeoutMs: 600_000,
      signal: ac.signal,
      onOutput: (c) => {
        if (c.includes('ready')) ac.abort();
      },
    });
    expect(r.cancelled).toBe(true);
    const pids = pidsIn(pidfile);
    expect(pids).toHaveLength(3);
    expect(pids.filter(running)).toEqual([]);
  });

  it('a tree that ignores SIGTERM is SIGKILLed after the grace period', async () => {
    const dir = tmp();
    const pidfile = join(dir, 'pids');
    const ac = new AbortController();
    const r = await runLocal({
      argv: [join(fixtures, 'stubborn.sh'), pidfile],
      timeoutMs: 600_000,
      killGraceMs: 300,
      signal: ac.signal,
      onOutput: (c) => {
        if (c.includes('ready')) ac.abort();
      },
    });
    expect(r.cancelled).toBe(true);
    const pids = pidsIn(pidfile);
    expect(pids).toHaveLength(2);
    expect(pids.filter(running)).toEqual([]);
  });

  it('a timeout kills the whole tree and says timed out', async () => {
    const dir = tmp();
    const pidfile = join(dir, 'pids');
    const r = await runLocal({ argv: [join(fixtures, 'stubborn.sh'), pidfile], timeoutMs: 1500, killGraceMs: 300 });
    expect(r).toMatchObject({ timedOut: true, cancelled: false, exitCode: null });
    const pids = pidsIn(pidfile);
    expect(pids).toHaveLength(2);
    expect(pids.filter(running)).toEqual([]);
  });

  it('children a command backgrounds and abandons do not outlive it', async () => {
    const dir = tmp();
    const pidfile = join(dir, 'pids');
    const r = await runLocal({
      argv: ['sh', '-c', 'sleep 600 > /dev/null 2>&1 & echo $! > "$1"', 'sh', pidfile],
      timeoutMs: 600_000,
    });
    expect(r).toMatchObject({ exitCode: 0, timedOut: false, cancelled: false });
    const pids = pidsIn(pidfile);
    expect(pids).toHaveLength(1);
    expect(pids.filter(running)).toEqual([]);
  });

  it('the executor cancels a workstation step the same way', async () => {
    const dir = tmp();
    const pidfile = join(dir, 'pids');
    const ac = new AbortController();
    const ex = createExecutor({});
    const r = await ex.run({
      argv: [join(fixtures, 'tree.sh'), pidfile],
      target: { kind: 'workstation' },
      timeoutMs: 600_000,
      signal: ac.signal,
      onOutput: (c) => {
        if (c.includes('ready')) ac.abort();
      },
    });
    await ex.close();
    expect(r).toMatchObject({ cancelled: true, via: 'workstation' });
    expect(pidsIn(pidfile).filter(running)).toEqual([]);
  });
});

describe('kill -9 of netwiz itself', () => {
  it('the watchdog kills the command tree it was running', async () => {
    const { spawn } = await import('node:child_process');
    const dir = tmp();
    const pidfile = join(dir, 'pids');
    const root = join(import.meta.dirname, '..', '..');
    const child = spawn(process.execPath, ['--import', 'tsx', join(fixtures, 'run-then-wait.ts'), pidfile], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
      child.once('exit', () => reject(new Error('exited early')));
    });
    const pids = pidsIn(pidfile);
    expect(pids).toHaveLength(3);
    expect(pids.filter(running)).toHaveLength(3);
    child.kill('SIGKILL');
    // the watchdog sees its pipe close and SIGKILLs the group; wait for that (bounded)
    for (let i = 0; i < 200 && pids.some(running); i++) await new Promise((r) => setTimeout(r, 25));
    expect(pids.filter(running)).toEqual([]);
  });
});

describe('the remote kill by environment marker', () => {
  it('kills the marked tree and nothing else, even a marker that shares a prefix', async () => {
    const dir = tmp();
    // started, not awaited: the trees run until killed
    const ac = new AbortController();
    const marked = runLocal({ argv: ['env', 'NETWIZ_RUN=t-abc', join(fixtures, 'tree.sh'), join(dir, 'a')], timeoutMs: 600_000 });
    const other = runLocal({ argv: ['env', 'NETWIZ_RUN=t-abcd', join(fixtures, 'tree.sh'), join(dir, 'b')], timeoutMs: 600_000, signal: ac.signal });
    const ready = (f: string) => existsSync(f) && pidsIn(f).length === 3;
    while (!ready(join(dir, 'a')) || !ready(join(dir, 'b'))) await new Promise((r) => setTimeout(r, 20));
    const kill = await runLocal({ argv: killByMarkerArgv('NETWIZ_RUN=t-abc'), timeoutMs: 60_000 });
    expect(kill.exitCode).toBe(0);
    expect((await marked).exitCode).toBeNull(); // killed by signal
    expect(pidsIn(join(dir, 'a')).filter(running)).toEqual([]);
    expect(pidsIn(join(dir, 'b')).filter(running)).toHaveLength(3);
    ac.abort();
    await other;
    expect(pidsIn(join(dir, 'b')).filter(running)).toEqual([]);
  });

  it('refuses a marker that is not netwiz-made', () => {
    expect(() => killByMarkerArgv('X=$(id)')).toThrow(/bad run marker/);
  });
});

describe('bounded capture', () => {
  it('keeps 50 MB on disk exactly, and only a window in memory', async () => {
    const dir = tmp();
    const outputFile = join(dir, 'out.txt');
    const n = 6_700_000;
    // bytes of `seq 1 n`: every number's digits plus a newline
    let expected = 0;
    for (let d = 1, lo = 1; lo <= n; d++, lo *= 10) expected += (Math.min(n, lo * 10 - 1) - lo + 1) * (d + 1);
    expect(expected).toBeGreaterThan(50 * 1024 * 1024);
    let streamed = 0;
    const r = await runLocal({
      argv: ['seq', '1', String(n)],
      timeoutMs: 600_000,
      outputFile,
      onOutput: (c) => {
        streamed += Buffer.byteLength(c);
      },
    });
    expect(r.exitCode).toBe(0);
    expect(r.truncated).toBe(true);
    expect(r.outputFile).toBe(outputFile);
    expect(statSync(outputFile).size).toBe(expected);
    expect(streamed).toBe(expected);
    // head + tail windows (64 KiB each) plus the omission marker
    expect(Buffer.byteLength(r.stdout)).toBeLessThan(2 * 64 * 1024 + 200);
    expect(r.stdout.startsWith('1\n2\n3\n')).toBe(true);
    expect(r.stdout.endsWith(`${n - 1}\n${n}\n`)).toBe(true);
    expect(r.stdout).toMatch(new RegExp(`bytes omitted; full output in ${outputFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const omitted = Number(/\[… (\d+) bytes omitted/.exec(r.stdout)![1]);
    const [head, tail] = r.stdout.split(/\n\[… \d+ bytes omitted[^\]]*\]\n/);
    expect(Buffer.byteLength(head!) + omitted + Buffer.byteLength(tail!)).toBe(expected);
  });

  it('holds at most head + tail + one chunk in memory however much is pushed', () => {
    const cap = new BoundedCapture(1024);
    let maxHeld = 0;
    for (let i = 0; i < 10_000; i++) {
      cap.push(Buffer.alloc(700, 65 + (i % 26)));
      maxHeld = Math.max(maxHeld, cap.heldBytes);
    }
    expect(cap.byteCount).toBe(7_000_000);
    expect(maxHeld).toBeLessThanOrEqual(1024 + 1024 + 700);
    expect(cap.truncated).toBe(true);
  });

  it('is not truncated when the output fits', async () => {
    const dir = tmp();
    const r = await runLocal({ argv: ['seq', '1', '1000'], timeoutMs: 30_000, outputFile: join(dir, 'o') });
    expect(r.truncated).toBeUndefined();
    expect(r.stdout).toBe(readFileSync(join(dir, 'o'), 'utf8'));
  });

  it('keeps stderr beside stdout on disk', async () => {
    const dir = tmp();
    const outputFile = join(dir, 'o');
    await runLocal({ argv: ['sh', '-c', 'echo a; echo b >&2'], timeoutMs: 30_000, outputFile });
    expect(readFileSync(outputFile, 'utf8')).toBe('a\n');
    expect(readFileSync(`${outputFile}.stderr`, 'utf8')).toBe('b\n');
  });
});
