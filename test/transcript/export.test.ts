import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import MarkdownIt from 'markdown-it';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Effect, SessionState } from '../../src/engine/types.js';
import { exportTranscript, jsonInert, sessionDocument } from '../../src/transcript/export.js';
import { mdCode, mdFence } from '../../src/transcript/export-md.js';
import { loadTranscript, parseTranscript } from '../../src/transcript/reader.js';
import { shellQuote } from '../../src/transcript/shell-quote.js';
import { TranscriptWriter } from '../../src/transcript/writer.js';
import { CURL_PASSWORD, FIXTURES, recordDemoSession } from './helpers/record-session.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'nw-exp-'));
const md = new MarkdownIt({ html: true });

// ---- a hostile session: names, text and output written to break out of every format ----
const EVIL_POD = `web-1$(touch PWNED1)\`touch PWNED2\`'"; touch PWNED3 #\n touch PWNED4`;
const EVIL_NS = `shop';touch PWNED5;'`;
const EVIL_TITLE = 'Check | the ``` pipes | and <script>alert(1)</script> [link](http://x)';
const EVIL_WHY = 'why line one\ntouch PWNED6; # second line\r\n\u001b[31mred\u001b[0m';
const EVIL_OUTPUT = [
  'PING 10.244.1.7: 56 data bytes',
  '\u001b]0;pwned title\u0007\u001b[2J\u001b[1;1Hcleared screen',
  '```',
  '````',
  '| not | a | table |',
  '</details><script>alert(2)</script>',
  'bidi: \u202Eevil\u202C and bell \u0007 and CSI \u009b31m',
  '64 bytes from 10.244.1.7: icmp_seq=1 ttl=64 time=0.051 ms',
].join('\n');

function hostileState(pending: Effect[], status: SessionState['status']): SessionState {
  return {
    version: 1,
    rootPlaybook: 'evil',
    status,
    frames: [{ playbookId: 'evil', stepId: 'ping', facts: {} }],
    hypotheses: {
      'mtu | x': { causeId: 'mtu | x', playbookId: 'evil', status: 'supported', evidence: [{ seq: 1, stepId: 'ping', playbookId: 'evil', effect: 'support', text: 'loss | 50% `x`' }] },
    },
    history: [{ seq: 1, playbookId: 'evil', stepId: 'ping', kind: 'run', summary: 'exit 1 | lost', next: 'scale' }],
    pending,
    stepsTaken: 1,
    nextEffectSeq: 3,
    options: { readOnly: false, dryRun: false, maxSteps: 500 },
  };
}

function writeHostileTranscript(path: string): void {
  const w = new TranscriptWriter({ path });
  const ping: Effect = {
    type: 'run', id: 'e1', playbookId: 'evil', stepId: 'ping', title: EVIL_TITLE, why: EVIL_WHY,
    argv: ['ping', '-c', '3', `10.0.0.1;touch PWNED7`], target: { kind: 'pod', pod: EVIL_POD, namespace: EVIL_NS, container: 'c$(x)' },
    timeoutMs: 1000, mutates: false,
  };
  const scale: Effect = {
    type: 'run', id: 'e2', playbookId: 'evil', stepId: 'scale', title: 'Scale\n#!/bin/rm', why: 'isolate',
    argv: ['kubectl', 'scale', `deployment/${EVIL_POD}`, '--replicas=1'], target: { kind: 'workstation' },
    timeoutMs: 1000, mutates: true, undo: ['kubectl', 'scale', `deployment/${EVIL_POD}`, '--replicas=3'],
  };
  const node: Effect = {
    type: 'run', id: 'e3', playbookId: 'evil', stepId: 'sysctl', title: 'sysctl', why: 'node',
    argv: ['sysctl', 'net.ipv4.tcp_tw_recycle'], target: { kind: 'node', node: `node-1$(touch PWNED8)` },
    timeoutMs: 1000, mutates: false,
  };
  const local: Effect = {
    type: 'run', id: 'e4', playbookId: 'evil', stepId: 'echo', title: 'echo', why: 'local',
    argv: ['printf', '%s\\n', '$(touch PWNED9)', '`touch PWNED10`', 'a\nb'], target: { kind: 'workstation' },
    timeoutMs: 1000, mutates: false,
  };
  const skipped: Effect = { ...local, id: 'e5', stepId: 'skipme', title: 'skipped one', argv: ['touch', 'PWNED11'] };
  w.onEvent({
    type: 'session-start', sessionId: 'evil-1', netwizVersion: '0.1.0', playbook: 'evil', inputs: { pod: EVIL_POD },
    context: `ctx'$(touch PWNED12)`, namespace: EVIL_NS, options: { readOnly: false, dryRun: false, yes: false },
  });
  w.onEvent({ type: 'effect', effect: ping });
  w.onEvent({ type: 'command-start', effectId: 'e1', argv: ping.argv, target: ping.target, startedAt: '2026-11-24T07:00:00Z' });
  w.onEvent({ type: 'engine-event', event: { type: 'command-finished', effectId: 'e1', result: { exitCode: 1, stdout: EVIL_OUTPUT, stderr: '\u001b[31merror\u001b[0m', durationMs: 2000, timedOut: false, cancelled: false } } });
  w.onEvent({ type: 'state', state: hostileState([scale], 'running') });
  for (const e of [scale, node, local]) {
    if (e.type !== 'run') continue;
    w.onEvent({ type: 'effect', effect: e });
    w.onEvent({ type: 'command-start', effectId: e.id, argv: e.argv, target: e.target, startedAt: '2026-11-24T07:00:01Z' });
    if (e === scale) w.onEvent({ type: 'mutation', effectId: 'e2', argv: e.argv, undo: e.undo!, journalId: 'j1' });
    w.onEvent({ type: 'engine-event', event: { type: 'command-finished', effectId: e.id, result: { exitCode: 0, stdout: 'ok', stderr: '', durationMs: 10, timedOut: false, cancelled: false } } });
  }
  w.onEvent({ type: 'effect', effect: skipped });
  w.onEvent({ type: 'engine-event', event: { type: 'skipped', effectId: 'e5', reason: 'read-only;\ntouch PWNED13' } });
  w.onEvent({ type: 'restore', journalId: 'evil-1', argv: scale.type === 'run' ? scale.undo! : [], ok: true });
  w.onEvent({ type: 'outcome', outcome: { status: 'inconclusive', evidence: ['loss | 50%'], next: 'capture `on` node', reason: 'no cause | confirmed' } });
  w.onEvent({ type: 'session-end', status: 'inconclusive' });
  w.close();
}

/** cells per row of every table in rendered Markdown */
function tableShapes(markdown: string): number[][] {
  const tokens = md.parse(markdown, {});
  const shapes: number[][] = [];
  let cur: number[] | undefined;
  let cells = 0;
  for (const t of tokens) {
    if (t.type === 'table_open') shapes.push((cur = []));
    if (t.type === 'tr_open') cells = 0;
    if (t.type === 'th_open' || t.type === 'td_open') cells++;
    if (t.type === 'tr_close') cur?.push(cells);
  }
  return shapes;
}

describe('fences and code spans', () => {
  it('a fence is longer than any backtick run in its body', () => {
    const body = 'a\n```\nb\n``````\nc';
    const f = mdFence(body);
    expect(f.startsWith('```````\n')).toBe(true);
    const tokens = md.parse(f, {});
    expect(tokens.filter((t) => t.type === 'fence')).toHaveLength(1);
    expect(tokens[0]!.content).toBe(`${body}\n`);
  });

  it('inline code survives backticks and pipes inside a table cell', () => {
    const cell = mdCode('a `b` | c');
    const rendered = md.render(`| x |\n|---|\n| ${cell} |\n`);
    expect(rendered).toContain('<code>a `b` | c</code>');
  });

  it('shell quoting keeps every hostile string one literal word', () => {
    for (const s of [EVIL_POD, EVIL_NS, '', "'", '$(x)', 'a b', '~root', '*']) {
      const out = execFileSync('sh', ['-c', `printf '%s' ${shellQuote(s)}`], { encoding: 'utf8' });
      expect(out).toBe(s);
    }
  });
});

describe('export of a hostile session', () => {
  let dir: string;
  let path: string;
  beforeAll(() => {
    dir = tmp();
    path = join(dir, 'evil.jsonl');
    writeHostileTranscript(path);
  });

  it('Markdown: control characters inert, fences unbroken, tables keep their shape, no raw HTML', () => {
    const out = exportTranscript(loadTranscript(path), 'md');
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(out).toContain('cleared screen');
    expect(out).toContain('\u2407'); // the bell, made visible
    const tokens = md.parse(out, {});
    const fences = tokens.filter((t) => t.type === 'fence');
    // 4 commands (the skipped one is shown inline), the ping's output and stderr, 3 "ok" outputs
    expect(fences).toHaveLength(4 + 2 + 3);
    const output = fences.find((f) => f.content.includes('PING 10.244.1.7'))!;
    expect(output.content).toContain('````\n| not | a | table |\n</details><script>alert(2)</script>');
    expect(output.content).toContain('64 bytes from 10.244.1.7');
    // every table row has as many cells as its header
    const shapes = tableShapes(out);
    expect(shapes).toHaveLength(3); // summary, timeline, hypotheses
    for (const rows of shapes) expect(new Set(rows).size).toBe(1);
    expect(shapes[1]![0]).toBe(5);
    const html = md.render(out);
    expect(html).not.toMatch(/<script|<\/details>|<a href/);
    // headings are one line each whatever the title held
    expect(out).toContain('### 2. Scale ⏎ #!/bin/rm\n');
    expect(out).toContain('Not run on workstation (skipped: read-only; ⏎ touch PWNED13): `touch PWNED11`');
  });

  it('shell runbook: sh -n passes, and running it runs no injected command', () => {
    const script = join(dir, 'runbook.sh');
    const text = exportTranscript(loadTranscript(path), 'sh');
    writeFileSync(script, text, { mode: 0o700 });
    expect(text.startsWith('#!/bin/sh\n')).toBe(true);
    expect(text).toContain('set -u');
    expect(text).not.toMatch(/^set -e/m);
    expect(spawnSync('sh', ['-n', script]).status).toBe(0);
    // the mutation is followed by its undo, commented out; the skipped command is only a comment
    expect(text).toMatch(/# CHANGES THE CLUSTER:\nk scale [\s\S]*?--replicas=1 \|\| failed 2 \$\?\n# undo: k scale [^\n]*--replicas=3\n/);
    expect(text).toMatch(/^# not run \(skipped: read-only; ⏎ touch PWNED13\): touch PWNED11$/m);

    const work = join(dir, 'run');
    execFileSync('mkdir', ['-p', work]);
    const argLog = join(dir, 'kubectl-args');
    const r = spawnSync('sh', [script], {
      cwd: work,
      env: { PATH: `${resolve(FIXTURES, 'bin')}:/usr/bin:/bin`, NETWIZ_TEST_ARGLOG: argLog },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(readdirSync(work)).toEqual([]); // no PWNED file anywhere it could land
    expect(existsSync(join(dir, 'PWNED1'))).toBe(false);
    // kubectl got the hostile names back as single, unchanged arguments
    const calls = readFileSync(argLog, 'utf8').split('\u001e').filter(Boolean).map((l) => l.split('\0').slice(0, -1));
    const exec = calls.find((c) => c.includes('exec'))!;
    expect(exec).toEqual(['--context', `ctx'$(touch PWNED12)`, 'exec', '-n', EVIL_NS, EVIL_POD, '-c', 'c$(x)', '--', 'ping', '-c', '3', '10.0.0.1;touch PWNED7']);
    const debug = calls.find((c) => c.includes('debug'))!;
    expect(debug).toContain('node/node-1$(touch PWNED8)');
    expect(r.stdout).toContain('$(touch PWNED9)\n`touch PWNED10`\na\nb\n');
  });

  it('JSON: one versioned document holding every line, parseable', () => {
    const text = exportTranscript(loadTranscript(path), 'json');
    const doc = JSON.parse(text);
    expect(doc.format).toBe('netwiz-session');
    expect(doc.version).toBe(1);
    expect(doc.steps.map((s: { stepId: string }) => s.stepId)).toEqual(['ping', 'scale', 'sysctl', 'echo', 'skipme']);
    expect(doc.events).toHaveLength(loadTranscript(path).events.length);
    expect(doc.steps[1].commands[0].restored).toEqual({ ok: true, argv: ['kubectl', 'scale', `deployment/${EVIL_POD}`, '--replicas=3'] });
    expect(doc.status).toBe('inconclusive');
  });

  it('JSON: C1 controls and bidi overrides are escaped, so cat of the export is inert', () => {
    const hostile = { s: 'a\u009b31mred\u202eevil\u001b]0;title\u0007' };
    const text = jsonInert(JSON.stringify(hostile));
    expect(text).not.toMatch(/[\u0000-\u001f\u0080-\u009f\u202e]/);
    expect(JSON.parse(text)).toEqual(hostile);
  });
});

describe('export of a recorded session', () => {
  let path: string;
  beforeAll(async () => {
    path = join(tmp(), 'demo.jsonl');
    await recordDemoSession({ transcript: path });
  });

  it('Markdown names the symptom, cause, evidence, fix, each step and the hypotheses', () => {
    const out = exportTranscript(loadTranscript(path), 'md');
    expect(out).toMatch(/^# netwiz session: NodePort answers sometimes \(transcript test\)$/m);
    expect(out).toContain("**Outcome:** concluded: Two workloads share the Service's selector (`label-collision`)");
    expect(out).toContain('| **Symptom / playbook** | curl to the NodePort fails at random with timeouts and refusals.');
    expect(out).toContain('endpoints of palo-fe hold pods of two workloads; curl exit 7');
    expect(out).toContain('`kubectl label pods -l app=palo,role=be app=palo-be --overwrite`');
    expect(out).toContain('| **Cluster context** | `lab-admin` |');
    expect(out).toMatch(/## Timeline\n\n\| # \| time \| step \| command \/ question \| result \|/);
    for (const title of ['Show the kubeconfig in use', 'Repeat the failing load request', 'Probe each endpoint in turn', 'List the Service\'s endpoints', 'Scale the deployment to one replica', 'Do the failures match the BE pods?']) {
      expect(out).toMatch(new RegExp(`^### \\d\\. ${title.replace(/[?]/g, '\\?')}$`, 'm'));
    }
    expect(out).toContain('**Why:** Endpoints of two different workloads behind one Service would explain random RSTs.');
    expect(out).toContain('curl: (7) Failed connect to palo-fe.shop.svc:28030; Connection refused');
    expect(out).toContain('**Decision:** exit 7 in');
    expect(out).toMatch(/\| `label-collision` \| confirmed \| support: curl failed to connect \(exit 7\)/);
    expect(out).toMatch(/\| `overlay-mtu` \| ruled-out \| rule\\_out: failures are per endpoint, not per size \|/);
    expect(out).toContain('Undo, not restored in this session');
    expect(out).not.toContain(CURL_PASSWORD);
    expect(out).toContain("curl --location-trusted -u 'test:[REDACTED]'");
    for (const rows of tableShapes(out)) expect(new Set(rows).size).toBe(1);
  });

  it('JSON holds the steps, decisions, hypotheses and outcome', () => {
    const doc = sessionDocument(loadTranscript(path));
    expect(doc.steps).toHaveLength(6);
    expect(doc.steps[2]!.commands).toHaveLength(3); // the foreach's three items
    expect(doc.steps[2]!.commands.map((c) => c.item)).toEqual(['10.244.1.7', '10.244.2.9', '10.244.3.4']);
    expect(doc.steps[1]!.decision?.next).toBe('probes');
    expect(doc.outcome?.cause).toBe('label-collision');
    expect(doc.cause?.fix.text).toBe('Give each workload its own label and select on it.');
    expect(doc.hypotheses.map((h) => [h.causeId, h.status]).sort()).toEqual([['label-collision', 'confirmed'], ['overlay-mtu', 'ruled-out']]);
    expect(JSON.stringify(doc)).not.toContain(CURL_PASSWORD);
  });

  it('every field of the JSON document is described in docs/transcript-format.md', () => {
    const docs = readFileSync(resolve(import.meta.dirname, '../../docs/transcript-format.md'), 'utf8');
    const doc = sessionDocument(loadTranscript(path));
    const keys = new Set<string>([
      ...Object.keys(doc),
      ...doc.steps.flatMap((s) => Object.keys(s)),
      ...doc.steps.flatMap((s) => s.commands.flatMap((c) => Object.keys(c))),
    ]);
    for (const k of keys) expect(docs, `field ${k}`).toContain(`"${k}"`);
    expect(docs).toContain(`"version": ${doc.version}`);
  });

  it('the shell runbook replays the commands in order and passes sh -n', () => {
    const out = exportTranscript(loadTranscript(path), 'sh');
    const cmds = out.split('\n').filter((l) => l && !l.startsWith('#') && l.includes('|| failed'));
    expect(cmds.map((l) => l.split(' ')[0])).toEqual(['cat', 'curl', 'sleep', 'sleep', 'sleep', 'cat', 'true']);
    const f = join(tmp(), 'r.sh');
    writeFileSync(f, out);
    expect(spawnSync('sh', ['-n', f]).status).toBe(0);
    expect(out).toContain('# question: Do the failing connections go to the BE pods\' IPs?\n# answer: true');
  });

  it('the export CLI writes each format; an unknown format is a usage error', () => {
    const entry = resolve(import.meta.dirname, '../../src/cli/entry.ts');
    const outFile = join(tmp(), 'x.md');
    const r = spawnSync(process.execPath, ['--import', 'tsx', entry, 'export', path, '--format', 'md', '-o', outFile], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(readFileSync(outFile, 'utf8')).toBe(exportTranscript(loadTranscript(path), 'md'));
    const bad = spawnSync(process.execPath, ['--import', 'tsx', entry, 'export', path, '--format', 'pdf'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('unknown format "pdf"; use one of md, json, sh');
    const missing = spawnSync(process.execPath, ['--import', 'tsx', entry, 'export', '/nope.jsonl'], { encoding: 'utf8' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('cannot read transcript /nope.jsonl: no such file');
  });
});

describe('export of something that is not a whole transcript', () => {
  it('exports what it can and carries the warnings', () => {
    const t = parseTranscript('garbage\n{"v":1,"seq":1,"ts":"2026-11-24T07:00:00Z","type":"effect","effect":{"type":"ask","id":"e1","playbookId":"p","stepId":"s","title":"T","why":"W","question":{"type":"text","prompt":"Q?"}}}\n{"v":1,', 'x.jsonl');
    const out = exportTranscript(t, 'md');
    expect(out).toContain('> [!WARNING]');
    expect(out).toContain('x.jsonl:1: damaged line skipped');
    expect(out).toContain('x.jsonl:3: last line is incomplete');
    expect(out).toContain('no session-start line');
    expect(out).toContain('### 1. T');
    expect(() => JSON.parse(exportTranscript(t, 'json'))).not.toThrow();
    expect(exportTranscript(t, 'sh')).toContain('# question: Q?');
  });
});
