// `netwiz run` end to end: the bundled CLI (bin/netwiz, rebuilt by the global setup) as a
// child process, real commands on this machine, exit codes and the --json result.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const BIN = join(process.cwd(), 'bin', 'netwiz');

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'netwiz-run-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function netwiz(args: string[], opts: { onStderr?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, XDG_STATE_HOME: join(dir, 'state') };
    delete env.NETWIZ_PLAYBOOKS;
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      opts.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function answers(map: Record<string, unknown>): Promise<string> {
  const file = join(dir, 'answers.json');
  await writeFile(file, JSON.stringify(map));
  return file;
}

async function playbookDir(files: Record<string, string>): Promise<string> {
  const pbDir = join(dir, 'playbooks');
  const { mkdir } = await import('node:fs/promises');
  await mkdir(pbDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(pbDir, name), text);
  return pbDir;
}

describe('netwiz run demo-local', () => {
  it('concludes nothing-listening on a closed port: exit 0 and the JSON result', async () => {
    const port = await closedPort();
    const transcript = join(dir, 't.jsonl');
    const r = await netwiz([
      'run', 'demo-local', '--var', 'host=127.0.0.1', '--var', `port=${port}`,
      '--answers', await answers({ symptom: 'refused' }), '--json', '--transcript', transcript,
    ]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({
      playbook: 'demo-local',
      status: 'concluded',
      cause: 'nothing-listening',
      causeTitle: 'Nothing listens on the port',
      questionsAsked: 1,
      transcript,
    });
    expect(out.evidence[0]).toBe(`nothing listens on 127.0.0.1:${port} and connections are refused`);
    const h = Object.fromEntries(out.hypotheses.map((x: { id: string; status: string }) => [x.id, x.status]));
    expect(h).toMatchObject({ 'name-not-resolving': 'ruled-out', 'nothing-listening': 'confirmed', 'flaky-listener': 'open' });
    expect(out.steps.map((s: { step: string }) => s.step)).toEqual([
      'resolve', 'listeners', 'symptom', 'connect', 'refused', 'first-probe', 'conclude-nothing',
    ]);
    expect(out.commands.map((c: { argv: string[]; exit_code: number }) => [c.argv[0], c.exit_code])).toEqual([
      ['getent', 0],
      ['ss', 0],
      ['curl', 7],
    ]);
    expect(out.commands[2].argv.at(-1)).toBe(`http://127.0.0.1:${port}/`);
    expect(out.stepsTaken).toBe(7);
    expect(typeof out.wallMs).toBe('number');
    // progress on stderr, the transcript on disk
    expect(r.stderr).toContain('▸ Connect with curl');
    expect(r.stderr).toContain('✔ concluded: nothing-listening');
    const lines = (await readFile(transcript, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((l) => l.type === 'outcome')).toBe(true);
  });

  describe('with a listening port', () => {
    let server: Server;
    let port: number;
    const sockets = new Set<Socket>();
    beforeEach(async () => {
      server = createServer((c) => {
        sockets.add(c);
        c.on('close', () => sockets.delete(c));
        c.end('hello\n');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });
    afterEach(async () => {
      for (const c of sockets) c.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    });

    it('probes in parallel, rules causes out and ends inconclusive: exit 3', async () => {
      const r = await netwiz([
        'run', 'demo-local', '--var', 'host=127.0.0.1', '--var', `port=${port}`,
        '--answers', await answers({ symptom: 'sometimes' }), '--json',
      ]);
      expect(r.code, r.stderr).toBe(3);
      const out = JSON.parse(r.stdout);
      expect(out.status).toBe('inconclusive');
      expect(out.cause).toBeNull();
      expect(out.next).toBe('The port works from here: try from where the failure is seen');
      expect(out.evidence[0]).toBe(`127.0.0.1:${port} accepted all 6 connections from this machine (you said: sometimes)`);
      const h = Object.fromEntries(out.hypotheses.map((x: { id: string; status: string }) => [x.id, x.status]));
      expect(h).toMatchObject({ 'nothing-listening': 'ruled-out', 'flaky-listener': 'ruled-out', 'demo-tcp-probe:connected': 'supported' });
      // one probe through the sub-playbook, then six from the foreach
      expect(out.commands.filter((c: { argv: string[] }) => c.argv[0] === 'curl')).toHaveLength(7);
      expect(r.stderr).toMatch(/\[5\] \$ curl/);
    });
  });

  it('an ask with no answer aborts naming the step and its prompt: exit 4', async () => {
    const r = await netwiz(['run', 'demo-local', '--var', `port=${await closedPort()}`, '--json']);
    expect(r.code).toBe(4);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe('aborted');
    expect(out.reason).toBe(
      'no answer for step symptom ("How does the service fail?") in non-interactive mode; add "symptom: <answer>" to --answers FILE',
    );
    expect(r.stderr).toContain('✖ aborted: no answer for step symptom');
  });

  it('an answer that is not one of the choices aborts with what was wrong: exit 4', async () => {
    const r = await netwiz(['run', 'demo-local', '--answers', await answers({ symptom: 'slow' })]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('answer for step symptom ("How does the service fail?"): "slow" is not one of: refused, timeout, sometimes');
  });
});

const MUTATING = `
id: change-file
title: Change a file and look at it
summary: A reversible change on this machine.
inputs:
  - name: file
    prompt: File to change
causes:
  - id: changed
    title: The change took effect
    explanation: x
    fix: {text: none}
steps:
  - id: before
    title: Read the file
    why: To know what to put back.
    run: {argv: [cat, '{{file}}']}
  - id: change
    title: Change the file
    why: A mutating step.
    run:
      argv: [${JSON.stringify(process.execPath)}, -e, 'require("fs").writeFileSync(process.argv[1], "changed")', '{{file}}']
      mutates: true
      undo: [${JSON.stringify(process.execPath)}, -e, 'require("fs").writeFileSync(process.argv[1], process.argv[2])', '{{file}}', '{{before.stdout}}']
      read_only_alternative: look-only
    transitions:
      - when: change.skipped
        next: not-changed
  - id: after
    title: Read it again
    why: Did the change take?
    run: {argv: [cat, '{{file}}']}
    transitions:
      - when: after.stdout == "changed"
        confirm: {changed: 'the file now says {{after.stdout}}'}
        next: done
  - id: done
    title: Done
    why: x
    conclude: {cause: changed, evidence: 'changed {{file}}'}
  - id: not-changed
    title: Not changed
    why: x
    conclude: {cause: inconclusive, evidence: 'not changed: {{change.reason}}'}
  - id: look-only
    title: Read-only path
    why: x
    conclude: {cause: inconclusive, evidence: 'took the read-only path'}
`;

describe('netwiz run: mutating steps', () => {
  async function setup(): Promise<{ pbDir: string; file: string }> {
    const file = join(dir, 'replicas');
    await writeFile(file, '3');
    return { pbDir: await playbookDir({ 'change-file.yaml': MUTATING }), file };
  }

  it('without --yes the change is not made', async () => {
    const { pbDir, file } = await setup();
    const r = await netwiz(['run', 'change-file', '--playbooks', pbDir, '--var', `file=${file}`, '--json']);
    expect(r.code, r.stderr).toBe(3);
    expect(JSON.parse(r.stdout).evidence[0]).toBe('not changed: the operator declined to run this change');
    expect(r.stderr).toContain('pass --yes to allow changes');
    expect(await readFile(file, 'utf8')).toBe('3');
  });

  it('with --yes it is made, journalled, and restored at the end of the session', async () => {
    const { pbDir, file } = await setup();
    const r = await netwiz(['run', 'change-file', '--playbooks', pbDir, '--var', `file=${file}`, '--yes', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'concluded', cause: 'changed' });
    expect(r.stderr).toContain('✎ changing:');
    expect(r.stderr).toMatch(/↺ restored: /);
    expect(await readFile(file, 'utf8')).toBe('3');
  });

  it('--dry-run runs nothing mutating and says what would have run', async () => {
    const { pbDir, file } = await setup();
    const r = await netwiz(['run', 'change-file', '--playbooks', pbDir, '--var', `file=${file}`, '--yes', '--dry-run', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).evidence[0]).toMatch(/^not changed: dry-run: would run .* -e require\("fs"\)/);
    expect(await readFile(file, 'utf8')).toBe('3');
  });

  it('--read-only takes the read-only alternative', async () => {
    const { pbDir, file } = await setup();
    const r = await netwiz(['run', 'change-file', '--playbooks', pbDir, '--var', `file=${file}`, '--read-only', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).evidence[0]).toBe('took the read-only path');
    expect(await readFile(file, 'utf8')).toBe('3');
  });
});

describe('netwiz run: usage and validation errors exit 2 and run nothing', () => {
  it('a playbook with errors: every error as file:line:col', async () => {
    const marker = join(dir, 'ran');
    const pbDir = await playbookDir({
      'broken.yaml': `id: broken
title: Broken
summary: x
steps:
  - id: a
    title: A
    why: x
    run: {argv: [touch, ${JSON.stringify(marker)}]}
    transitions:
      - when: 'a.ok &&'
        next: nowhere
`,
    });
    const r = await netwiz(['run', 'broken', '--playbooks', pbDir, '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/broken\.yaml:10:\d+: .*/);
    expect(r.stderr).toMatch(/broken\.yaml:11:\d+: .*nowhere/);
    expect(r.stderr).toContain('nothing was run');
    await expect(readFile(marker)).rejects.toThrow();
  });

  it('a missing required input is named', async () => {
    const pbDir = await playbookDir({ 'change-file.yaml': MUTATING });
    const r = await netwiz(['run', 'change-file', '--playbooks', pbDir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing input file (File to change): pass --var file=VALUE');
  });

  it('an unknown playbook, a bad --var and a bad --max-steps', async () => {
    const unknown = await netwiz(['run', 'no-such-playbook']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown playbook "no-such-playbook"; known: .*demo-local/);
    const badVar = await netwiz(['run', 'demo-local', '--var', 'novalue']);
    expect(badVar.code).toBe(2);
    expect(badVar.stderr).toContain('--var novalue: expected NAME=VALUE');
    const badMax = await netwiz(['run', 'demo-local', '--max-steps', 'lots']);
    expect(badMax.code).toBe(2);
    expect(badMax.stderr).toContain('--max-steps lots: expected a whole number');
  });
});

describe('netwiz run: step bound and Ctrl-C', () => {
  const LOOP = `
id: loop
title: Loops forever
summary: x
steps:
  - id: again
    title: Again
    why: x
    run: {argv: ['true']}
    transitions:
      - when: 'true'
        next: again
`;

  it('a looping playbook ends inconclusive at --max-steps: exit 3', async () => {
    const pbDir = await playbookDir({ 'loop.yaml': LOOP });
    const r = await netwiz(['run', 'loop', '--playbooks', pbDir, '--max-steps', '5', '--json']);
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout);
    expect(out.reason).toMatch(/step limit of 5 reached/);
    expect(out.commands).toHaveLength(5);
  });

  const SLEEPY = `
id: sleepy
title: Sleeps
summary: x
causes:
  - id: cancelled-ok
    title: The cancelled branch was taken
    explanation: x
    fix: {text: none}
steps:
  - id: long
    title: Sleep long
    why: x
    run: {argv: [sleep, '600'], timeout: 15m}
    transitions:
      - when: long.cancelled
        next: second
  - id: ran
    title: Ran
    why: x
    conclude: {cause: inconclusive, evidence: ran to the end}
  - id: second
    title: Sleep again
    why: x
    run: {argv: [sleep, '601'], timeout: 15m}
    transitions:
      - when: second.cancelled
        next: cancelled
  - id: cancelled
    title: Cancelled
    why: x
    conclude: {cause: cancelled-ok, evidence: 'cancelled twice'}
`;

  it('the first SIGINT cancels the running command and the step takes its cancelled branch', async () => {
    // no second step to sleep in: the cancelled branch concludes
    const oneSleep = SLEEPY.replace('next: second', 'next: cancelled').replace(/  - id: second[\s\S]*?next: cancelled\n/, '');
    expect(oneSleep).not.toContain('sleep, \'601\'');
    const pbDir = await playbookDir({ 'sleepy.yaml': oneSleep });
    let sent = false;
    const r = await netwiz(['run', 'sleepy', '--playbooks', pbDir, '--json'], {
      onStderr: (text, child) => {
        if (!sent && text.includes('$ sleep 600')) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.cause).toBe('cancelled-ok');
    expect(out.commands).toMatchObject([{ argv: ['sleep', '600'], cancelled: true, exit_code: null }]);
    expect(out.steps.map((s: { step: string }) => s.step)).toEqual(['long', 'cancelled']);
  });

  it('a second SIGINT ends the session aborted: exit 4', async () => {
    const pbDir = await playbookDir({ 'sleepy.yaml': SLEEPY });
    let sent = 0;
    const r = await netwiz(['run', 'sleepy', '--playbooks', pbDir, '--json'], {
      onStderr: (text, child) => {
        // Ctrl-C once in the first sleep (cancelled branch), once more in the second
        if (sent === 0 && text.includes('$ sleep 600')) {
          sent = 1;
          child.kill('SIGINT');
        } else if (sent === 1 && text.includes('$ sleep 601')) {
          sent = 2;
          child.kill('SIGINT');
        }
      },
    });
    expect(r.code, r.stderr).toBe(4);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ status: 'aborted', reason: 'interrupted by the operator (Ctrl-C twice)' });
    expect(out.commands.map((c: { cancelled: boolean }) => c.cancelled)).toEqual([true, true]);
  });

  it('SIGTERM ends the session at once: exit 4', async () => {
    const pbDir = await playbookDir({ 'sleepy.yaml': SLEEPY });
    let sent = false;
    const r = await netwiz(['run', 'sleepy', '--playbooks', pbDir, '--json'], {
      onStderr: (text, child) => {
        if (!sent && text.includes('$ sleep 600')) {
          sent = true;
          child.kill('SIGTERM');
        }
      },
    });
    expect(r.code, r.stderr).toBe(4);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ status: 'aborted', reason: 'stopped by SIGTERM' });
    expect(out.commands).toMatchObject([{ argv: ['sleep', '600'], cancelled: true }]);
  });

  it('aborting with Ctrl-C twice after a change restores it before exiting: exit 4', async () => {
    const file = join(dir, 'replicas');
    await writeFile(file, '3');
    // after the change: a sleep, and when that is cancelled another one (so the second
    // Ctrl-C always finds the session running)
    const sleeps = `  - id: after
    title: Sleep after the change
    why: x
    run: {argv: [sleep, '600'], timeout: 15m}
    transitions:
      - when: after.cancelled
        next: more
  - id: more
    title: Sleep more
    why: x
    run: {argv: [sleep, '601'], timeout: 15m}
    transitions:
      - when: 'true'
        next: done
`;
    const text = MUTATING.replace('id: change-file', 'id: change-then-sleep').replace(/ {2}- id: after\n[\s\S]*?next: done\n/, sleeps);
    expect(text).toContain("sleep, '601'");
    const pbDir = await playbookDir({ 'change-then-sleep.yaml': text });
    let sent = 0;
    const r = await netwiz(['run', 'change-then-sleep', '--playbooks', pbDir, '--var', `file=${file}`, '--yes', '--json'], {
      onStderr: (out, child) => {
        if (sent === 0 && out.includes('$ sleep 600')) {
          sent = 1;
          child.kill('SIGINT');
        } else if (sent === 1 && out.includes('$ sleep 601')) {
          sent = 2;
          child.kill('SIGINT');
        }
      },
    });
    expect(r.code, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/↺ restored: /);
    expect(await readFile(file, 'utf8')).toBe('3');
  });
});
