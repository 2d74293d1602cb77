// Drives a program in a real terminal: tmux on a private socket, keys sent one at a time,
// the screen read back with capture-pane and polled until the expected text appears.
// CI variables are removed rather than set to false: Ink draws only the final frame when
// it believes it runs in CI (CI=true), and chalk turns colour off whenever CI is set at all,
// even CI=false; a person's terminal has neither.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export interface TerminalOptions {
  cols?: number;
  rows?: number;
  env?: Record<string, string>;
  cwd?: string;
}

export class Terminal {
  readonly socket = `nwt-${process.pid}-${randomBytes(3).toString('hex')}`;
  private alive = false;
  private readonly statusDir = mkdtempSync(path.join(tmpdir(), 'nwt-status-'));
  private readonly exitFile = path.join(this.statusDir, 'exit');

  constructor(
    readonly argv: string[],
    private readonly opts: TerminalOptions = {},
  ) {}

  private tmux(args: string[]): string {
    // the tmux server copies this environment into its panes
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'CI' && !k.startsWith('CI_') && k !== 'CONTINUOUS_INTEGRATION'));
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8', cwd: this.opts.cwd, env });
  }

  start(): this {
    const env = { ...this.opts.env, NW_EXIT_FILE: this.exitFile };
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    // argv after the options is exec'd by tmux as is (no shell); the pane stays after
    // the program exits so its exit status can be read
    this.tmux([
      'new-session', '-d', '-x', String(this.opts.cols ?? 100), '-y', String(this.opts.rows ?? 30),
      ...(this.opts.cwd ? ['-c', this.opts.cwd] : []), ...envArgs,
      process.execPath, fileURLToPath(new URL('./exit-status.mjs', import.meta.url)), ...this.argv,
      ';', 'set-option', '-t', '0', 'remain-on-exit', 'on',
    ]);
    this.alive = true;
    return this;
  }

  /** What a person sees now (plain text); `escapes` keeps colours and attributes. */
  screen(escapes = false): string {
    return this.tmux(['capture-pane', '-p', ...(escapes ? ['-e'] : []), '-t', '0']);
  }

  /** The screen plus everything scrolled off the top. */
  history(): string {
    return this.tmux(['capture-pane', '-p', '-S', '-', '-t', '0']);
  }

  /** One key: a tmux key name (Enter, Escape, Down, C-c) or literal text. */
  key(k: string): void {
    this.tmux(['send-keys', '-t', '0', k]);
  }

  type(text: string): void {
    for (const ch of text) this.tmux(['send-keys', '-t', '0', '-l', ch]);
  }

  /**
   * Keys that reach the program in one read, as when it reads the terminal late (a busy
   * event loop on a loaded machine): the program is stopped (SIGSTOP to the pane's process
   * group) while tmux writes the keys, so they wait together in the terminal, then resumed.
   */
  burst(keys: string[]): void {
    const pgid = Number(this.tmux(['list-panes', '-t', '0', '-F', '#{pane_pid}']).trim());
    if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`no pane process (${pgid})`);
    process.kill(-pgid, 'SIGSTOP');
    try {
      this.tmux(['send-keys', '-t', '0', ...keys]);
      // a second command: tmux has written the keys to the pane by the time it answers
      this.screen();
    } finally {
      process.kill(-pgid, 'SIGCONT');
    }
  }

  resize(cols: number, rows: number): void {
    this.tmux(['resize-window', '-t', '0', '-x', String(cols), '-y', String(rows)]);
  }

  /** Poll until the screen (or the whole history) shows `what`; fails with the screen. */
  async waitFor(what: string | RegExp, o: { history?: boolean; timeoutMs?: number } = {}): Promise<string> {
    const deadline = Date.now() + (o.timeoutMs ?? 30_000);
    let last = '';
    while (Date.now() < deadline) {
      last = o.history ? this.history() : this.screen();
      if (typeof what === 'string' ? last.includes(what) : what.test(last)) return last;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`terminal never showed ${String(what)} (${this.state()}); screen was:\n${last}`);
  }

  /** Poll until the screen differs from `before` (a key press took effect). */
  async waitForChange(before: string, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const now = this.screen();
      if (now !== before) return now;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`screen did not change in ${timeoutMs} ms (${this.state()}); it shows:\n${before}`);
  }

  /** For failure messages: whether the program still runs (a dead pane keeps its last screen). */
  private state(): string {
    const code = this.exitStatus();
    return code === null ? 'program still running' : `program exited with status ${code}`;
  }

  /** Exit status once the program has ended, else null. */
  exitStatus(): number | null {
    if (!existsSync(this.exitFile)) return null;
    const text = readFileSync(this.exitFile, 'utf8').trim();
    return text === '' ? null : Number(text);
  }

  async waitForExit(timeoutMs = 30_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const s = this.exitStatus();
      if (s !== null) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`program did not exit; screen:\n${this.screen()}`);
  }

  kill(): void {
    if (!this.alive) return;
    this.alive = false;
    try {
      this.tmux(['kill-server']);
    } catch {
      // already gone
    }
    rmSync(this.statusDir, { recursive: true, force: true });
    // tmux leaves its socket file behind; one per test run adds up
    rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, this.socket), { force: true });
  }
}
