// The first frame printed before Ink loads (src/ui/first-frame.ts, launch.ts) in a real
// terminal (tmux): it shows at once, Ink's first frame replaces it without leaving a
// duplicate line or a fragment, on wide and narrow panes, also when it wrapped or scrolled
// the screen; and nothing is printed when stdout is not a terminal or in CI.
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { BOOT_STATUS, eraseSequence, wrapWords } from '../../src/ui/first-frame.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const netwiz = path.join(root, 'bin/netwiz');
const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * A tmux server whose working folder is a scratch dir, so `pipe-pane 'cat >>raw.out'` (a
 * fixed command line: no path is interpolated into it) records the pane's bytes there.
 */
class Pane {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'nw-ff-'));
  private readonly socket = `nwff-${process.pid}-${randomBytes(3).toString('hex')}`;
  constructor(
    argv: string[],
    size: { cols: number; rows: number },
    envOf: (p: Pane) => Record<string, string> = () => ({}),
  ) {
    const env = envOf(this);
    const all = { XDG_STATE_HOME: this.dir, HOME: this.dir, KUBECONFIG: path.join(this.dir, 'none'), TERM: 'xterm-256color', NW_GO_FILE: this.file('go'), NW_EXIT_FILE: this.file('exit'), ...env };
    // the program starts in the repo (tsx resolves from there); the server, and so the
    // pipe-pane job, in this.dir
    this.tmux(['new-session', '-d', '-c', root, '-x', String(size.cols), '-y', String(size.rows), ...Object.entries(all).flatMap(([k, v]) => ['-e', `${k}=${v}`]), ...argv, ';', 'set-option', '-t', '0', 'remain-on-exit', 'on']);
  }
  file(name: string): string {
    return path.join(this.dir, name);
  }
  tmux(args: string[]): string {
    // as a person's terminal: no CI variables (Ink draws only the final frame in CI)
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'CI' && !k.startsWith('CI_') && k !== 'CONTINUOUS_INTEGRATION'));
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8', cwd: this.dir, env });
  }
  /** start recording every byte the pane's program writes, then let start-on-go.mjs go */
  record(): void {
    this.tmux(['pipe-pane', '-t', '0', 'cat >>raw.out']);
    writeFileSync(this.file('go'), '');
  }
  raw(): string {
    return existsSync(this.file('raw.out')) ? readFileSync(this.file('raw.out'), 'utf8') : '';
  }
  screen(): string {
    return this.tmux(['capture-pane', '-p', '-t', '0']);
  }
  /** the screen and everything scrolled off it */
  history(): string {
    return this.tmux(['capture-pane', '-p', '-S', '-', '-t', '0']);
  }
  /** the history with lines the terminal wrapped joined again */
  joined(): string {
    return this.tmux(['capture-pane', '-p', '-J', '-S', '-', '-t', '0']);
  }
  key(k: string): void {
    this.tmux(['send-keys', '-t', '0', k]);
  }
  async waitFor(test: (screen: string) => boolean, what: string, read: () => string = () => this.screen()): Promise<string> {
    const deadline = Date.now() + 30_000;
    let last = '';
    while (Date.now() < deadline) {
      last = read();
      if (test(last)) return last;
      await new Promise((r) => setTimeout(r, 40));
    }
    throw new Error(`never saw ${what}; screen:\n${this.screen()}`);
  }
  kill(): void {
    try {
      this.tmux(['kill-server']);
    } catch {
      // gone already
    }
    rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, this.socket), { force: true });
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const panes: Pane[] = [];
afterEach(() => {
  for (const p of panes.splice(0)) p.kill();
});
function pane(argv: string[], size: { cols: number; rows: number }, env: Record<string, string> | ((p: Pane) => Record<string, string>) = {}): Pane {
  const p = new Pane(argv, size, typeof env === 'function' ? env : () => env);
  panes.push(p);
  return p;
}

const lines = (s: string) => s.split('\n').map((l) => l.trimEnd());
const count = (s: string, needle: string) => s.split(needle).length - 1;
// any piece of the boot line left behind (Ink's own header says "(no kube context)", so
// the fragments are chosen to be found only in the boot line)
const FRAGMENTS = ['reading the', 'context and', `${version} ·`, 'playbooks…'];

describe('the erase sequence in a real terminal', () => {
  const probe = [process.execPath, '--import', 'tsx', path.join(root, 'test/terminal/first-frame-probe.ts')];

  for (const size of [{ cols: 100, rows: 20 }, { cols: 24, rows: 20 }, { cols: 11, rows: 20 }]) {
    it(`removes the frame and nothing else (${size.cols} columns)`, async () => {
      const p = pane(probe, size, { NW_ABOVE: 'ABOVE-LINE' });
      const before = await p.waitFor((s) => s.includes('ABOVE-LINE') && /playbooks…\s*$/.test(s.trimEnd()), 'the pre-printed frame');
      // the frame is there, wrapped where it does not fit
      const frameRows = lines(before).filter((l) => l !== '').slice(1);
      expect(frameRows.join(size.cols > 60 ? '' : ' ').replace(/ +/g, ' ')).toBe(`netwiz 9.9.9 · ${BOOT_STATUS}`);
      expect(frameRows.length).toBe(wrapWords(`netwiz 9.9.9 · ${BOOT_STATUS}`, size.cols).length);
      p.key('x');
      const after = await p.waitFor((s) => s.includes('INK-FRAME'), 'the stand-in Ink frame');
      expect(lines(after).filter((l) => l !== '')).toEqual(['ABOVE-LINE', 'INK-FRAME']);
    });
  }

  it('stays right when printing the frame scrolled the screen', async () => {
    const above = Array.from({ length: 9 }, (_, i) => `line-${i + 1}`).join('\n');
    const p = pane(probe, { cols: 24, rows: 6 }, { NW_ABOVE: above });
    await p.waitFor((s) => /playbooks…\s*$/.test(s.trimEnd()), 'the pre-printed frame');
    p.key('x');
    await p.waitFor((s) => s.includes('INK-FRAME'), 'the stand-in Ink frame');
    const all = lines(p.history()).filter((l) => l !== '');
    // every line above once and in order, directly followed by the new frame, no fragment
    expect(all.slice(-10)).toEqual([...above.split('\n'), 'INK-FRAME']);
    for (const f of FRAGMENTS) expect(p.history()).not.toContain(f);
  });
});

describe('netwiz prints the wizard first frame before Ink and Ink replaces it', () => {
  const wrapper = [process.execPath, path.join(root, 'test/terminal/start-on-go.mjs'), process.execPath, netwiz];

  for (const [size, env] of [
    [{ cols: 100, rows: 30 }, {}],
    [{ cols: 40, rows: 30 }, { CI: 'false' }],
  ] as const) {
    it(`${size.cols} columns${'CI' in env ? ', CI=false' : ''}: the boot line is printed first, then Ink's start screen with the header once`, async () => {
      const p = pane(wrapper, size, { NW_ABOVE: 'ABOVE-LINE', ...env });
      p.record();
      await p.waitFor((s) => s.includes('What do you see?'), 'the playbook list');
      const raw = p.raw();
      // the pre-printed frame came before anything Ink wrote (Ink hides the cursor first)
      const inkStart = raw.indexOf('\u001B[?25l');
      expect(inkStart).toBeGreaterThan(0);
      const pre = raw.slice(0, inkStart);
      expect(pre.replace(/\u001B\[\d*m/g, '')).toContain(`netwiz ${version} · ${BOOT_STATUS}`.split(' ').slice(0, 3).join(' '));
      expect(pre).toContain(BOOT_STATUS.split(' ').at(-1) ?? '');
      // and was erased by exactly its own rows
      const rows = wrapWords(`netwiz ${version} · ${BOOT_STATUS}`, size.cols).length;
      expect(pre.endsWith(eraseSequence({ rows }) + '\u001B[?2026h')).toBe(true);
      const seen = p.history();
      expect(count(seen, 'ABOVE-LINE')).toBe(1);
      expect(lines(seen).filter((l) => l.startsWith('netwiz '))).toHaveLength(1);
      for (const f of FRAGMENTS) expect(seen).not.toContain(f);
      // the line above netwiz is where it was: directly above the header
      const ls = lines(seen);
      expect(ls[ls.indexOf('ABOVE-LINE') + 1]).toMatch(/^netwiz /);
    });
  }

  it('prints nothing before Ink with CI=true (Ink then draws only its final frame)', async () => {
    const p = pane(wrapper, { cols: 100, rows: 30 }, { CI: 'true', NW_ABOVE: 'ABOVE-LINE' });
    p.record();
    // keys typed early wait for the start screen; q there leaves
    p.key('q');
    await p.waitFor(() => existsSync(p.file('exit')), 'netwiz to exit', () => '');
    await p.waitFor((r) => r.includes('Pick a playbook'), "Ink's final frame", () => p.raw());
    expect(p.raw()).not.toContain('reading the kube');
  });

  it('prints nothing when stdout is not a terminal', async () => {
    const p = pane(wrapper, { cols: 100, rows: 30 }, (q) => ({ NW_STDOUT_FILE: q.file('stdout.txt') }));
    p.record();
    await p.waitFor(() => existsSync(p.file('exit')), 'netwiz to exit', () => '');
    expect(readFileSync(p.file('exit'), 'utf8')).toBe('2');
    expect(p.joined()).toContain('stdout is not a terminal');
    expect(readFileSync(p.file('stdout.txt'), 'utf8')).toBe('');
    expect(p.raw()).not.toContain('reading the kube');
  });

  it('prints nothing without any terminal (piped, cron)', () => {
    const r = spawnSync(process.execPath, [netwiz], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/nonexistent' } });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no interactive terminal');
  });
});
