// The executor's environment snapshot (one copy of process.env per session instead of
// execa's copy per command) and the cheap "is anything left in the group" check after each
// command. Real processes: the child prints its environment.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/exec/index.js';
import { groupExists } from '../../src/exec/process-group.js';
import { runLocal, snapshotEnv } from '../../src/exec/workstation.js';

const envOf = (stdout: string) => Object.fromEntries(stdout.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

describe('baseEnv', () => {
  it('is the whole environment: process.env is not added, env and the owner marker are', async () => {
    process.env.NW_TEST_ONLY_IN_PROCESS = 'yes';
    try {
      const r = await runLocal({ argv: ['env', '-0'], timeoutMs: 30_000, baseEnv: { PATH: process.env.PATH!, A: 'base', B: 'base' }, env: { B: 'env' } });
      const env = envOf(r.stdout);
      expect(env.A).toBe('base');
      expect(env.B).toBe('env');
      expect(env.NW_TEST_ONLY_IN_PROCESS).toBeUndefined();
      expect(env.NETWIZ_OWNER).toMatch(/^\d+-[0-9a-f]{12}$/);
    } finally {
      delete process.env.NW_TEST_ONLY_IN_PROCESS;
    }
  });

  it('without it, the command gets process.env as it is now', async () => {
    process.env.NW_TEST_NOW = 'now';
    try {
      const r = await runLocal({ argv: ['env', '-0'], timeoutMs: 30_000, env: { C: 'c' } });
      expect(envOf(r.stdout)).toMatchObject({ NW_TEST_NOW: 'now', C: 'c' });
    } finally {
      delete process.env.NW_TEST_NOW;
    }
  });

  it('snapshotEnv copies process.env and lays extra on top', () => {
    process.env.NW_TEST_SNAP = 'one';
    try {
      const snap = snapshotEnv({ NW_TEST_SNAP: 'two', X: 'x' });
      expect(snap.NW_TEST_SNAP).toBe('two');
      expect(snap.X).toBe('x');
      expect(snap.PATH).toBe(process.env.PATH);
      process.env.NW_TEST_SNAP = 'three';
      expect(snap.NW_TEST_SNAP).toBe('two');
    } finally {
      delete process.env.NW_TEST_SNAP;
    }
  });

  it("an executor's commands get process.env as of its first command, plus ExecutorOptions.env", async () => {
    process.env.NW_TEST_SESSION = 'first';
    const ex = createExecutor({}, { env: { NW_TEST_EXTRA: 'extra' } });
    try {
      const target = { kind: 'workstation' as const };
      const a = await ex.run({ argv: ['env', '-0'], target, timeoutMs: 30_000 });
      process.env.NW_TEST_SESSION = 'changed later';
      const b = await ex.run({ argv: ['env', '-0'], target, timeoutMs: 30_000 });
      for (const r of [a, b]) expect(envOf(r.stdout)).toMatchObject({ NW_TEST_SESSION: 'first', NW_TEST_EXTRA: 'extra' });
    } finally {
      delete process.env.NW_TEST_SESSION;
      await ex.close();
    }
  });
});

describe('groupExists', () => {
  it('says yes while a group has a process, no once it is gone, and leaves Error.stackTraceLimit as it was', async () => {
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    const pgid = child.pid!;
    const limit = Error.stackTraceLimit;
    expect(groupExists(pgid)).toBe(true);
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-pgid, 'SIGKILL');
    await exited;
    expect(groupExists(pgid)).toBe(false);
    expect(Error.stackTraceLimit).toBe(limit);
  });
});
