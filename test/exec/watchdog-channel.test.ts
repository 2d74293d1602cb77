// The lines netwiz sends its watchdog: a registration goes out at once, an unregistration
// rides on the next write (one pipe write per command instead of two, each write waking the
// watchdog process). Unit tests of the channel with a recording writer, then real
// processes: a kill -9 after a run of short commands still takes down a tree that only the
// process-group list can find, with the lines in the registry file (the normal case: no
// pipe write at all) and, when no registry file can be made, down the pipe.
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, readdirSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openGroupRegistry, WatchdogChannel } from '../../src/exec/process-group.js';
import { pidsIn, running } from './processes.js';

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

  /** Runs the fixture with its TMPDIR set to tmp, waits for its tree, checks, kill -9s it, and says what is left running. */
  async function killAfterTree(tmp: string, check: (writes: number, registry: number) => void): Promise<number[]> {
    const dir = mkdtempSync(join(tmpdir(), 'netwiz-watchdog-'));
    const pidfile = join(dir, 'pids');
    const short = 6;
    const { NETWIZ_NO_WATCHDOG: _, ...env } = process.env;
    const child = spawn(process.execPath, ['--import', 'tsx', join(fixtures, 'short-then-tree.ts'), pidfile, String(short), tmp], {
      cwd: join(import.meta.dirname, '..', '..'),
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [writes, registry] = await new Promise<[number, number]>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /ready (\d+) (\d+)/.exec(out);
        if (m) resolve([Number(m[1]), Number(m[2])]);
      });
      child.once('exit', () => reject(new Error(`exited early: ${out}`)));
    });
    // one write per command (short ones and the tree), not two
    expect(writes).toBe(short + 1);
    check(writes, registry);
    const pids = pidsIn(pidfile);
    expect(pids).toHaveLength(3);
    // the tree really has no marker to be found by: only the group list can reach it
    for (const pid of pids) expect(readFileSync(`/proc/${pid}/environ`, 'utf8')).not.toContain('NETWIZ_OWNER');
    child.kill('SIGKILL');
    for (let i = 0; i < 400 && pids.some(running); i++) await new Promise((r) => setTimeout(r, 25));
    const left = pids.filter(running);
    for (const pid of left) process.kill(pid, 'SIGKILL');
    return left;
  }

  it('a kill -9 after short commands still kills a tree without environment, by its group (registry file)', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'netwiz-wdtmp-'));
    const left = await killAfterTree(tmp, (writes, registry) => {
      // every group line went to the registry file: no pipe write woke the watchdog
      expect(registry).toBe(writes);
      // the registry is unlinked as soon as it is open: nothing of it is on disk
      expect(readdirSync(tmp).filter((n) => n.startsWith('netwiz-groups-'))).toEqual([]);
    });
    expect(left).toEqual([]);
  });

  it('without a writable tmpdir the lines go down the pipe, and the kill -9 still kills the tree', async () => {
    // a tmpdir below a regular file: nothing can be created there
    const file = join(mkdtempSync(join(tmpdir(), 'netwiz-wdtmp-')), 'a-file');
    writeFileSync(file, '');
    const left = await killAfterTree(join(file, 'tmp'), (_writes, registry) => {
      expect(registry).toBe(0);
    });
    expect(left).toEqual([]);
  });
});

describe('openGroupRegistry', () => {
  it('opens an unlinked file, appends land in order, and a missing directory gives undefined', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'netwiz-wdreg-'));
    const fd = openGroupRegistry(tmp);
    expect(fd).toBeTypeOf('number');
    try {
      expect(readdirSync(tmp)).toEqual([]);
      writeSync(fd!, '+12\n');
      writeSync(fd!, '-12\n+13\n');
      const b = Buffer.alloc(fstatSync(fd!).size);
      readSync(fd!, b, 0, b.length, 0);
      expect(b.toString()).toBe('+12\n-12\n+13\n');
    } finally {
      closeSync(fd!);
    }
    expect(openGroupRegistry(join(tmp, 'missing'))).toBeUndefined();
  });
});
