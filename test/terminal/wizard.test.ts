// The wizard in a real terminal (tmux), as a person at 3 a.m. sees and drives it.
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, appendFileSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Terminal } from './tmux.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const netwiz = path.join(root, 'bin/netwiz');
const fixtures = path.join(root, 'test/fixtures/ui/playbooks');

const terminals: Terminal[] = [];
const scratch: string[] = [];
afterEach(() => {
  for (const t of terminals.splice(0)) t.kill();
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'nw-ui-'));
  scratch.push(d);
  return d;
}

function open(args: string[], o: { cols?: number; rows?: number; env?: Record<string, string> } = {}): Terminal {
  const state = tempDir();
  // no kubeconfig: the wizard must show that there is no kube context, and the demo needs none
  const t = new Terminal([process.execPath, netwiz, ...args], {
    cols: o.cols ?? 100,
    rows: o.rows ?? 30,
    cwd: root,
    env: { XDG_STATE_HOME: state, KUBECONFIG: path.join(state, 'no-kubeconfig'), HOME: state, TERM: 'xterm-256color', ...o.env },
  });
  terminals.push(t);
  return t.start();
}

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise((r) => srv.close(r));
  return port;
}

/** The change-then-wait fixture with a scratch log holding `firstLine`, past the context check. */
async function openChangeAndWait(firstLine: string, size: { cols?: number; rows?: number } = {}): Promise<{ t: Terminal; dir: string }> {
  const dir = tempDir();
  appendFileSync(path.join(dir, 'log'), `${firstLine}\n`);
  const t = open(['--playbooks', fixtures, '--playbook', 'ui-change-and-wait', '--var', `dir=${dir}`], size);
  await t.waitFor('Is that right? (y/n)');
  t.key('y');
  return { t, dir };
}

describe('netwiz in a terminal', () => {
  it('walks the local demo: start screen, first step, a question, the hypotheses changing, the conclusion', async () => {
    const port = await freePort();
    const t = open([]);
    let s = await t.waitFor('Pick a playbook');
    expect(s).toContain('context (no kube context)');
    // the intermittent-connectivity playbook, when present, is offered first
    if (s.includes('(intermittent-connectivity)')) expect(s).toMatch(/› .*\(intermittent-connectivity\)/);
    for (let i = 0; i < 20 && !/› Why does a service on this machine fail\?.*\(demo-local\)/.test(s); i++) {
      t.key('Down');
      s = await t.waitForChange(s);
    }
    expect(s).toMatch(/› Why does a service on this machine fail\?.*\(demo-local\)/);
    t.key('Enter');
    s = await t.waitFor('Is that right? (y/n)');
    expect(s).toContain('Kube context:  (none)');
    t.key('y');
    await t.waitFor('? Host name of the service');
    t.key('Enter'); // default localhost
    s = await t.waitFor('? TCP port of the service');
    expect(s).toContain('› 8080');
    // one key at a time, each seen on screen before the next (every screen in between is
    // checked; bursts read in one chunk are the 'keys read together' test's)
    for (const left of ['808', '80', '8']) {
      t.key('BSpace');
      await t.waitFor(new RegExp(`› ${left}\\s`));
    }
    t.key('BSpace');
    await t.waitFor('default: 8080');
    const digits = String(port);
    for (let i = 1; i <= digits.length; i++) {
      t.type(digits[i - 1]!);
      await t.waitFor(new RegExp(`› ${digits.slice(0, i)}\\s`));
    }
    t.key('Enter');
    // the first steps ran; the question waits for the operator
    s = await t.waitFor('? How does the service fail?');
    expect(s).toContain('✓ Resolve the host name');
    expect(s).toContain('✓ Look for a socket listening on the port');
    expect(s).toMatch(/▲ supported Nothing listens on the port — ss shows no socket listening on port \d+/);
    expect(s).toMatch(/✗ ruled out The host name does not resolve/);
    expect(s).toContain('› sometimes'); // the question's default
    t.key('Up');
    await t.waitFor('› timeout');
    t.key('Up');
    await t.waitFor('› refused');
    t.key('Enter');
    s = await t.waitFor('Root cause: Nothing listens on the port');
    expect(s).toMatch(/✓ CONFIRMED Nothing listens on the port/);
    expect(s).toContain('Fix (shown, not run)');
    expect(s).toContain('$ ss -ltnp');
    s = await t.waitFor(/Transcript: \S+\.jsonl/);
    const transcript = /Transcript: (\S+\.jsonl)/.exec(s)?.[1];
    expect(transcript && existsSync(transcript)).toBe(true);
    t.key('q');
    expect(await t.waitForExit()).toBe(0);
  });

  it('confirms a change with its undo, tails live output, cancels with c and restores at the end', async () => {
    const { t, dir } = await openChangeAndWait('first line of the log');
    let s = await t.waitFor('This step changes the cluster');
    expect(s).toContain(`run: mkdir ${dir}/marker`);
    expect(s).toContain(`undo: rmdir ${dir}/marker`);
    expect(existsSync(path.join(dir, 'marker'))).toBe(false);
    t.key('y');
    s = await t.waitFor('first line of the log');
    expect(existsSync(path.join(dir, 'marker'))).toBe(true);
    expect(s).toContain('▶ Follow the log until cancelled');
    expect(s).toContain(`$ tail -n +1 -f ${dir}/log`);
    expect(s).toMatch(/running \(timeout 10m00s\) \d+s/);
    appendFileSync(path.join(dir, 'log'), 'a line written while the wizard watches\n');
    await t.waitFor('a line written while the wizard watches');
    t.key('c');
    s = await t.waitFor('Restore them now?');
    expect(s).toContain('Root cause: The follow-up command never finished by itself');
    expect(s).toMatch(/▲ supported The follow-up command never finished by itself — tail was cancelled by the operator|✓ CONFIRMED/);
    t.key('y');
    s = await t.waitFor('Changes made by this session were restored.');
    expect(existsSync(path.join(dir, 'marker'))).toBe(false);
    t.key('Enter');
    expect(await t.waitForExit()).toBe(0);
  });

  it('Ctrl-C in the middle of a command cancels it, restores the change and leaves', async () => {
    const { t, dir } = await openChangeAndWait('waiting');
    await t.waitFor('Run it?');
    t.key('y');
    await t.waitFor('c/esc cancel');
    expect(existsSync(path.join(dir, 'marker'))).toBe(true);
    t.key('C-c');
    expect(await t.waitForExit()).toBe(4);
    expect(existsSync(path.join(dir, 'marker'))).toBe(false);
    // the tail process is gone too (its argv names our scratch folder)
    const left = spawnSync('pgrep', ['-f', `${dir}/log`], { encoding: 'utf8' });
    expect(left.stdout.trim()).toBe('');
  });

  it('q asks first, then quits and restores', async () => {
    const { t, dir } = await openChangeAndWait('waiting');
    await t.waitFor('Run it?');
    t.key('y');
    await t.waitFor('c/esc cancel');
    t.key('q');
    await t.waitFor('Quit netwiz?');
    t.key('Escape');
    await t.waitFor('c/esc cancel');
    expect(t.screen()).not.toContain('Quit netwiz?');
    t.key('q');
    await t.waitFor('Quit netwiz?');
    t.key('y');
    expect(await t.waitForExit()).toBe(4);
    expect(existsSync(path.join(dir, 'marker'))).toBe(false);
  });

  it('fits 80×24 and redraws for a new size', async () => {
    const { t } = await openChangeAndWait(Array.from({ length: 200 }, (_, i) => `log line ${i}`).join('\n'), { cols: 80, rows: 24 });
    await t.waitFor('Run it?');
    t.key('y');
    let s = await t.waitFor('log line 199');
    // the header with the cluster and the key hint are both on screen: the live area fits
    expect(s).toContain('netwiz  context (no kube context)');
    expect(s).toContain('c/esc cancel');
    expect(s).toMatch(/… \d+ earlier lines/);
    t.resize(60, 24);
    s = await t.waitFor(/c\/esc cancel/);
    for (const line of s.split('\n')) expect(line.length).toBeLessThanOrEqual(60);
    t.key('C-c');
    expect(await t.waitForExit()).toBe(4);
  });

  it('uses colour only without NO_COLOR', async () => {
    const sgrColour = /\u001B\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|38;5;\d+)m/;
    const coloured = open(['--playbook', 'demo-local']);
    await coloured.waitFor('Is that right?');
    expect(coloured.screen(true)).toMatch(sgrColour);
    const plain = open(['--playbook', 'demo-local'], { env: { NO_COLOR: '1' } });
    await plain.waitFor('Is that right?');
    const s = plain.screen(true);
    expect(s).not.toMatch(sgrColour);
    expect(s).toMatch(/\u001B\[(?:[0-9;]*;)?7(?:;[0-9;]*)?m/); // inverse still marks the cluster
  });
});

describe('keys read together', () => {
  // Keys pressed one after the other reach netwiz in one read when it reads the terminal
  // late (a busy event loop beside a loaded machine): two Enters arrive as "\r\r". Ink hands
  // such a run over as one input its keypress parser does not recognise, and the wizard
  // dropped every key of it: the wizard-lab test hung on its first input (two Enters, no
  // change) whenever the crash-loop test loaded the machine. Each key must act, in turn.
  it('acts on every key of a burst, each on the screen the one before it left', async () => {
    const trace = path.join(tempDir(), 'keys.jsonl');
    const t = open([], { env: { NETWIZ_DEBUG_KEYS: trace } });
    let s = await t.waitFor('Pick a playbook');
    const items = s.split('\n').filter((l) => /^[ ›] .*\([a-z0-9-]+\)\s*$/.test(l));
    expect(items.length, s).toBe(2);
    expect(items[0]).toMatch(/^›/);
    // three downs on a list of two (it wraps) land on the second
    t.burst(['j', 'j', 'j']);
    s = await t.waitFor(`› ${items[1]!.slice(2).trim()}`);
    // Enter picks that playbook, y answers the context question that Enter brought up
    t.burst(['Enter', 'y']);
    s = await t.waitFor('? Host name of the service');
    expect(s).not.toContain('Is that right? (y/n)');
    // the keys did come in single reads (the trace of NETWIZ_DEBUG_KEYS), so this is the case
    // that failed, and each resolved to its own action
    const lines = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { what: string; chunk?: string; input?: string; action?: string | null });
    expect(lines.filter((l) => l.what === 'stdin').map((l) => l.chunk)).toEqual(expect.arrayContaining(['jjj', '\ry']));
    expect(lines.filter((l) => l.what === 'key').map((l) => l.action)).toEqual(['down', 'down', 'down', 'submit', 'yes']);
    t.key('C-c');
    expect(await t.waitForExit()).toBe(130);
  });
});

describe('netwiz run in a terminal', () => {
  it('opens the wizard on the playbook; --plain keeps the progress lines', async () => {
    const t = open(['run', 'demo-local']);
    const s = await t.waitFor('Is that right? (y/n)');
    expect(s).toContain('Kube context:  (none)');
    expect(s).not.toContain('Pick a playbook');
    t.key('q');
    const plain = open(['run', 'demo-local', '--plain']);
    // no wizard: the plain driver aborts on the demo's first question, naming it
    const p = await plain.waitFor(/no answer|missing answer/i);
    expect(p).not.toContain('Is that right? (y/n)');
  });
});

describe('netwiz replay in a terminal', () => {
  it('steps through a recorded session: hypotheses narrow step by step, the conclusion at the end', async () => {
    const dir = tempDir();
    const port = await freePort();
    const transcript = path.join(dir, 'session.jsonl');
    const answers = path.join(dir, 'answers.yaml');
    writeFileSync(answers, 'symptom: refused\n');
    const run = spawnSync(process.execPath, [netwiz, 'run', 'demo-local', '--var', `port=${port}`, '--answers', answers, '--transcript', transcript], {
      encoding: 'utf8',
      env: { ...process.env, XDG_STATE_HOME: dir },
    });
    expect(run.status).toBe(0);
    const t = open(['replay', transcript]);
    let s = await t.waitFor(/step 1 of (\d+)/);
    const total = Number(/step 1 of (\d+)/.exec(s)![1]);
    expect(s).toContain('Replay (read-only)');
    expect(s).toMatch(/○ open\s+Nothing listens on the port/);
    expect(s).not.toContain('CONFIRMED');
    const seen: string[] = [];
    for (let i = 2; i <= total; i++) {
      t.key('Right');
      s = await t.waitFor(`step ${i} of ${total}`);
      seen.push(s);
    }
    // the panel narrowed on the way: a ruled-out cause, then the confirmed one
    expect(seen.some((f) => /✗ ruled out The host name does not resolve/.test(f) && !f.includes('CONFIRMED'))).toBe(true);
    expect(s).toMatch(/✓ CONFIRMED Nothing listens on the port/);
    expect(s).toContain('Root cause: Nothing listens on the port');
    t.key('q');
    expect(await t.waitForExit()).toBe(0);
  });
});

describe('netwiz without a terminal', () => {
  it('says why and falls back to the non-interactive run instead of crashing on raw mode', () => {
    const state = tempDir();
    const r = spawnSync(process.execPath, [netwiz, '--playbook', 'demo-local', '--var', 'port=1'], {
      input: '',
      encoding: 'utf8',
      env: { ...process.env, XDG_STATE_HOME: state },
      timeout: 60_000,
    });
    expect(r.stderr).toContain('no interactive terminal (stdin is not a terminal)');
    expect(r.stderr).toContain('running demo-local non-interactively');
    expect(r.stderr).not.toMatch(/Raw mode is not supported/);
    // the demo asks a question; without an answer the run aborts with exit 4, naming it
    expect(r.status).toBe(4);
    expect(readdirSync(path.join(state, 'netwiz', 'sessions')).some((f) => f.endsWith('.jsonl'))).toBe(true);
  });

  it('with no playbook it explains how to run without a terminal', () => {
    const r = spawnSync(process.execPath, [netwiz], { input: '', encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('netwiz run PLAYBOOK');
  });
});
