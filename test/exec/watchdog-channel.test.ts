// The lines netwiz sends its watchdog: a registration goes out at once, an unregistration
// rides on the next write (one pipe write per command instead of two, each write waking the
// watchdog process). Unit tests of the channel with a recording writer, then real
// processes: a kill -9 after a run of short commands still takes down a tree that only the
// process-group list can find.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WatchdogChannel } from '../../src/exec/process-group.js';

function recorder(delayMs = 100) {
  const writes: string[] = [];
  return { writes, ch: new WatchdogChannel((t) => writes.push(t), delayMs) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('WatchdogChannel', () => {
  it('writes a registration at once, and an unregistration with the next registration', () => {
    const { writes, ch } = recorder();
    ch.track(101);
    expect(writes).toEqual(['+101\n']);
    ch.untrack(101);
    expect(writes).toEqual(['+101\n']);
    ch.track(102);
    expect(writes).toEqual(['+101\n', '-101\n+102\n']);
    expect(ch.writes).toBe(2);
  });

  it('keeps the order of lines for the same group (a reused pid is registered again)', () => {
    const { writes, ch } = recorder();
    ch.track(7);
    ch.untrack(7);
    ch.track(7);
    expect(writes.join('')).toBe('+7\n-7\n+7\n');
  });

  it('sends waiting unregistrations after the delay when no registration comes', () => {
    vi.useFakeTimers();
    const { writes, ch } = recorder(100);
    ch.track(5);
    ch.track(6);
    ch.untrack(5);
    ch.untrack(6);
    vi.advanceTimersByTime(99);
    expect(writes).toEqual(['+5\n', '+6\n']);
    vi.advanceTimersByTime(1);
    expect(writes).toEqual(['+5\n', '+6\n', '-5\n-6\n']);
    // nothing waits any more: the timer does not fire again
    vi.advanceTimersByTime(1000);
    expect(writes).toHaveLength(3);
  });

  it('flush sends what waits, and nothing when nothing waits', () => {
    const { writes, ch } = recorder();
    ch.flush();
    expect(writes).toEqual([]);
    ch.track(9);
    ch.untrack(9);
    ch.flush();
    expect(writes).toEqual(['+9\n', '-9\n']);
  });
});

describe('the real watchdog after coalesced writes', () => {
  const fixtures = join(import.meta.dirname, '..', 'fixtures', 'exec');
  const running = (pid: number) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  };

  it('a kill -9 after short commands still kills a tree without environment, by its group', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netwiz-watchdog-'));
    const pidfile = join(dir, 'pids');
    const short = 6;
    const { NETWIZ_NO_WATCHDOG: _, ...env } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', join(fixtures, 'short-then-tree.ts'), pidfile, String(short)], {
      cwd: join(import.meta.dirname, '..', '..'),
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const writes = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /ready (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    // one write per command (short ones and the tree), not two
    expect(writes).toBe(short + 1);
    const pids = readFileSync(pidfile, 'utf8').split('\n').filter(Boolean).map(Number);
    expect(pids).toHaveLength(3);
    // the tree really has no marker to be found by: only the group list can reach it
    for (const pid of pids) expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toContain('NETWIZ_OWNER');
    child.kill('SIGKILL');
    for (let i = 0; i < 400 && pids.some(running); i++) await new Promise((r) => setTimeout(r, 25));
    const left = pids.filter(running);
    for (const pid of left) process.kill(pid, 'SIGKILL');
    expect(left).toEqual([]);
  });
});
