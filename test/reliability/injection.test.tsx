// Injection: operator inputs (--var), answers (--answers) and command output holding
// `$(…)`, backticks, `;`, newlines, quotes, ANSI escapes and terminal control codes.
// Nothing may run (marker files, and no stray file in the working directory), and nothing
// may reach a terminal raw: `netwiz run`'s progress on stderr, the Ink TUI (every frame
// rendered with ink-testing-library) and the Markdown/JSON/sh exports.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { render, cleanup } from 'ink-testing-library';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createExecutor } from '../../src/exec/index.js';
import { loadPlaybookFiles } from '../../src/playbook/index.js';
import { startDriver } from '../../src/session/driver.js';
import { exportTranscript, loadTranscript } from '../../src/transcript/index.js';
import type { Interaction } from '../../src/session/types.js';
import { WizardApp, type WizardController } from '../../src/ui/App.js';
import { WizardStore } from '../../src/ui/wizard-store.js';
import { FIXTURES, netwiz, recordCounts } from './helpers.js';

const PLAYBOOK = path.join(FIXTURES, 'rel-inject.yaml');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'netwiz-rel-inj-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => cleanup());

/** Hostile strings: each tries to run `touch MARKER` through a shell, or to act on a terminal. */
function hostile(marker: string): string[] {
  return [
    `$(touch ${marker})`,
    `\`touch ${marker}\``,
    `x; touch ${marker}`,
    `x && touch ${marker} || touch ${marker}`,
    `x\ntouch ${marker}\n`,
    `'; touch ${marker}; echo '`,
    `"; touch ${marker}; echo "`,
    `\u001b]0;NW-TITLE\u0007\u001b[2J\u001b[H\u001b[5;38;5;199mblink`,
    `\u001bc\u001b[?1049h\u001b[6n\u001bP1$r\u001b\\`,
    `\u009b31m\u202eevil\u2066`,
    `x\r\u001b[1Aover\b\b`,
    `| touch ${marker} > ${marker}`,
  ];
}

/** Raw terminal controls: ESC, BEL, other C0 except \t \n, DEL, C1 (incl. 8-bit CSI), bidi overrides. */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
function rawControls(text: string): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(new RegExp(RAW_CONTROL.source, 'g'))) {
    found.push(`U+${m[0].codePointAt(0)!.toString(16).padStart(4, '0')} at ${m.index}: ${JSON.stringify(text.slice(Math.max(0, m.index! - 20), m.index! + 20))}`);
  }
  return found;
}

let tried = 0;
let cliRuns = 0;

describe('netwiz run with hostile --var, --answers and command output', () => {
  const cases = hostile('MARK');
  const transcripts: string[] = [];

  it('runs nothing, keeps each value as one argument, and writes no raw control to stderr', async () => {
    for (const [i, template] of cases.entries()) {
      const cwd = path.join(dir, `run-${i}`);
      mkdirSync(cwd, { recursive: true });
      const marker = path.join(cwd, 'pwned');
      const label = template.replaceAll('MARK', marker);
      const note = cases[(i + 5) % cases.length]!.replaceAll('MARK', marker);
      const answers = path.join(dir, `answers-${i}.json`);
      writeFileSync(answers, JSON.stringify({ note }));
      const transcript = path.join(dir, `t-${i}.jsonl`);
      const r = await netwiz(
        ['run', PLAYBOOK, '--var', `label=${label}`, '--var', `marker=${marker}`, '--answers', answers, '--json', '--transcript', transcript],
        { cwd, env: { XDG_STATE_HOME: path.join(dir, 'state') }, killAfterMs: 60_000 },
      );
      tried += 2;
      cliRuns++;
      expect(r.code, r.stderr).toBe(0);
      expect(existsSync(marker), `case ${i}: ${JSON.stringify(label)} ran`).toBe(false);
      // nothing at all appeared where a shell would have written (cwd of netwiz)
      expect(readdirSync(cwd)).toEqual([]);
      const out = JSON.parse(r.stdout);
      expect(out.cause).toBe('text-stayed-text');
      // each value went through as exactly one argv element, unchanged
      const byStep = out.commands.map((c: { argv: string[] }) => c.argv);
      expect(byStep[0]).toEqual(['printf', '%s\\n', label]);
      expect(byStep[1]).toEqual(['printf', '%s\\n', note]);
      expect(byStep[3]![0]).toBe('printf');
      expect(byStep[3]![2]).toMatch(/NW-TITLE/); // the hostile output line, as one argument
      expect(out.commands.every((c: { exit_code: number }) => c.exit_code === 0)).toBe(true);
      // the operator's terminal gets no raw escape or control code from any of it
      expect(rawControls(r.stderr), `stderr of case ${i}`).toEqual([]);
      transcripts.push(transcript);
    }
  }, 300_000);

  it('the Markdown, JSON and sh exports keep the text but make every control inert', async () => {
    expect(transcripts.length).toBe(cases.length);
    // through the real CLI for the first few, in process (same exporter) for the rest
    const exportAs = async (i: number, transcript: string, format: 'md' | 'json' | 'sh'): Promise<string> => {
      if (i >= 3) return exportTranscript(loadTranscript(transcript), format);
      const r = await netwiz(['export', transcript, '--format', format]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout;
    };
    for (const [i, transcript] of transcripts.entries()) {
      const md = { stdout: await exportAs(i, transcript, 'md') };
      expect(rawControls(md.stdout), `md export ${i}`).toEqual([]);
      expect(md.stdout).toContain('NW-TITLE');
      const js = { stdout: await exportAs(i, transcript, 'json') };
      // JSON escapes every C0 control (ESC, BEL…); C1 and bidi characters stay raw there (see RELIABILITY.md)
      expect(rawControls(js.stdout).filter((c) => /^U\+00[01]/.test(c) || c.startsWith('U+007f')), `json export ${i}`).toEqual([]);
      JSON.parse(js.stdout);
      const sh = { stdout: await exportAs(i, transcript, 'sh') };
      // comments (titles, why, evidence) are inert; quoted arguments keep their exact bytes so
      // that the runbook replays the same command (see RELIABILITY.md, known limits)
      const comments = sh.stdout.split('\n').filter((l) => l.startsWith('#'));
      expect(comments.length).toBeGreaterThan(3);
      expect(rawControls(comments.join('\n')), `sh export ${i} comments`).toEqual([]);
      const file = path.join(dir, `runbook-${i}.sh`);
      writeFileSync(file, sh.stdout, { mode: 0o700 });
      execFileSync('sh', ['-n', file]);
      const cwd = path.join(dir, `rb-${i}`);
      mkdirSync(cwd, { recursive: true });
      const ran = spawnSync('sh', [file], { cwd, timeout: 30_000, encoding: 'utf8', env: { PATH: process.env.PATH!, HOME: cwd, KUBECONFIG: '/dev/null' } });
      expect(ran.error).toBeUndefined();
      expect(readdirSync(cwd)).toEqual([]);
      expect(existsSync(path.join(dir, `run-${i}`, 'pwned'))).toBe(false);
      tried += 3;
    }
  }, 300_000);
});

describe('the Ink TUI renders hostile output inert', () => {
  it('no raw ESC/CSI/OSC from a real session reaches any rendered frame', async () => {
    const load = loadPlaybookFiles([PLAYBOOK]);
    expect(load.errors).toEqual([]);
    const marker = path.join(dir, 'tui-pwned');
    const label = hostile(marker).join(' ');
    const note = `\u001b]0;NOTE-TITLE\u0007 $(touch ${marker}) \u001b[2J`;
    const store = new WizardStore({ flushMs: 5 });
    store.beginSession(load.catalog, path.join(dir, 'tui.jsonl'));
    const calls: string[] = [];
    const controller: WizardController = {
      start: () => calls.push('start'),
      cancel: () => calls.push('cancel'),
      abort: () => calls.push('abort'),
      exit: () => calls.push('exit'),
    };
    const { frames, lastFrame } = render(
      <WizardApp store={store} controller={controller} cluster={{ context: null, namespace: 'default', source: 'none' }} size={{ columns: 120, rows: 60 }} />,
    );
    // the operator's answer comes from here; everything else is the real driver and executor
    const interaction: Interaction = {
      ...store.interaction,
      ask: async () => ({ type: 'answer', value: note }),
    };
    const handle = startDriver({
      sessionId: 'rel-tui',
      catalog: load.catalog,
      rootPlaybook: 'rel-inject',
      inputs: { label, marker },
      options: { readOnly: false, dryRun: false, yes: false, maxSteps: 50 },
      cluster: {},
      executor: createExecutor({}, { sessionId: 'rel-tui' }),
      interaction,
      observers: [],
      hooks: store.hooks,
    });
    const outcome = await handle.done;
    expect(outcome).toMatchObject({ status: 'concluded', cause: 'text-stayed-text' });
    store.end(outcome);
    for (let i = 0; i < 100 && !(lastFrame() ?? '').includes('Hostile text stayed text'); i++) await new Promise((r) => setTimeout(r, 20));
    const all = frames.join('\n');
    expect(lastFrame()).toContain('Hostile text stayed text');
    // the output's text is there (made visible), its sequences are not
    expect(all).toContain('NW-TITLE');
    // the output's own colour/blink SGR is gone...
    expect(all).not.toContain('\u001b[5;38;5;199m');
    // ...and once Ink's own styling (SGR) is set aside, no ESC, CSI, OSC, DCS, BEL, C1 or
    // bidi override is left from the output, the input or the answer
    expect(rawControls(all.replace(/\u001b\[[0-9;]*m/g, ''))).toEqual([]);
    expect(existsSync(marker)).toBe(false);
    tried += 3;
    recordCounts('injection', { inputs: tried, cliRuns, hostileStrings: hostile('x').length, nothingRan: 'yes' });
  }, 120_000);
});
