// A kill -9 of netwiz that lands right after it spawned a command must not leave the command
// running (found by the reliability kill loop: `kubectl exec` outlived netwiz when the kill
// fell between spawn and the registration of its process group with the watchdog).
// 20 real processes, each SIGKILLed right after spawning `sleep 120.MARKER`: half inside
// spawn itself (before any registration can happen), half a few ms later. After each, no
// process with the marker may be left once the watchdog has done its work.
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { processesWith } from './processes.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'exec', 'kill-after-spawn.ts');
const RUNS = 20;
/** how long the watchdog may take (node start-up + a /proc scan); the command lives 120 s */
const SETTLE_MS = 10_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const leftovers: number[] = [];

afterEach(() => {
  for (const pid of leftovers.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

async function killRun(marker: string, mode: string): Promise<{ spawned: boolean; signal: NodeJS.Signals | null; left: number[] }> {
  const { NETWIZ_NO_WATCHDOG: _, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, marker, mode], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += String(d)));
  const signal = await new Promise<NodeJS.Signals | null>((r) => child.on('close', (_c, s) => r(s)));
  const until = Date.now() + SETTLE_MS;
  let left = processesWith(marker);
  while (left.length > 0 && Date.now() < until) {
    await sleep(25);
    left = processesWith(marker);
  }
  leftovers.push(...left);
  return { spawned: /^spawned \d+$/m.test(out), signal, left };
}

describe.runIf(process.platform === 'linux')('kill -9 right after spawn', () => {
  it(`leaves nothing running in ${RUNS} kills`, { timeout: RUNS * (SETTLE_MS + 5_000) }, async () => {
    const report: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const marker = `${process.pid}${String(i).padStart(3, '0')}${randomInt(1000, 9999)}`;
      const mode = i % 2 === 0 ? 'in-spawn' : `after-${randomInt(0, 20)}`;
      const r = await killRun(marker, mode);
      // the command really ran and netwiz really died by the kill: otherwise the run proves nothing
      expect(r.spawned, `run ${i} (${mode}): the command was never spawned`).toBe(true);
      expect(r.signal, `run ${i} (${mode})`).toBe('SIGKILL');
      if (r.left.length > 0) report.push(`run ${i} (${mode}): left ${r.left.join(' ')}`);
    }
    expect(report).toEqual([]);
  });
});
