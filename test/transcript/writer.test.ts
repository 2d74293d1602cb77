import type { SessionState } from '../../src/engine/types.js';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommandResult } from '../../src/engine/types.js';
import { loadTranscript, parseTranscript, replayFrames } from '../../src/transcript/reader.js';
import { defaultTranscriptPath, outputFileFor, sessionsDir } from '../../src/transcript/paths.js';
import { TranscriptWriter } from '../../src/transcript/writer.js';
import { CURL_PASSWORD, FIXTURES, recordDemoSession } from './helpers/record-session.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'nw-tr-'));

function result(partial: Partial<CommandResult>): CommandResult {
  return { exitCode: 0, stdout: '', stderr: '', durationMs: 5, timedOut: false, cancelled: false, ...partial };
}

/** every file under dir, recursively, with its content */
function filesUnder(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push({ path: p, text: readFileSync(p, 'utf8') });
  }
  return out;
}

describe('paths', () => {
  it('puts transcripts under $XDG_STATE_HOME/netwiz/sessions, else ~/.local/state', () => {
    expect(sessionsDir({ XDG_STATE_HOME: '/x/state', HOME: '/home/o' })).toBe('/x/state/netwiz/sessions');
    expect(sessionsDir({ HOME: '/home/o' })).toBe('/home/o/.local/state/netwiz/sessions');
    // a relative XDG_STATE_HOME is invalid per the spec and ignored
    expect(sessionsDir({ XDG_STATE_HOME: 'rel', HOME: '/home/o' })).toBe('/home/o/.local/state/netwiz/sessions');
    const p = defaultTranscriptPath('s-1/../x', new Date('2026-11-24T06:40:12.345Z'), { HOME: '/h' });
    expect(p).toBe('/h/.local/state/netwiz/sessions/20261124T064012Z-s-1_.._x.jsonl');
  });

  it('outputFileFor creates the output directory beside the transcript', () => {
    const d = tmp();
    const f = outputFileFor(join(d, 'a.jsonl'), 'e/7');
    expect(f).toBe(join(d, 'a.jsonl.d', 'e_7.out'));
    expect(statSync(join(d, 'a.jsonl.d')).isDirectory()).toBe(true);
    expect(statSync(join(d, 'a.jsonl.d')).mode & 0o777).toBe(0o700);
  });
});

describe('TranscriptWriter', () => {
  it('writes one stamped JSON line per event, each on disk as soon as onEvent returns', () => {
    const path = join(tmp(), 's.jsonl');
    const w = new TranscriptWriter({ path, now: () => new Date('2026-11-24T07:00:00.000Z') });
    w.onEvent({ type: 'session-end', status: 'aborted' });
    // no close yet: the line must already be in the file
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toEqual({ v: 1, seq: 1, ts: '2026-11-24T07:00:00.000Z', type: 'session-end', status: 'aborted' });
    w.onEvent({ type: 'restore', journalId: 'j1', argv: ['kubectl', 'scale', '--replicas=3'], ok: true });
    expect(JSON.parse(readFileSync(path, 'utf8').split('\n')[1]!).seq).toBe(2);
    w.close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('moves long outputs to <transcript>.d and keeps the line short and readable', () => {
    const dir = tmp();
    const path = join(dir, 's.jsonl');
    const w = new TranscriptWriter({ path, inlineLimit: 1000 });
    const big = Array.from({ length: 400 }, (_, i) => `line ${i} Authorization: Bearer tok${i}abcdefgh`).join('\n');
    w.onEvent({ type: 'engine-event', event: { type: 'command-finished', effectId: 'e9', result: result({ stdout: big }) } });
    w.close();
    const line = JSON.parse(readFileSync(path, 'utf8').trim());
    const r = line.event.result as CommandResult;
    expect(r.outputFile).toBe(join(dir, 's.jsonl.d', 'e9.out'));
    expect(r.truncated).toBe(true);
    expect(r.stdout.length).toBeLessThan(1200);
    expect(r.stdout).toContain('line 0 ');
    expect(r.stdout).toContain('line 399 ');
    expect(r.stdout).toContain(`whole output in ${r.outputFile}`);
    const whole = readFileSync(r.outputFile!, 'utf8');
    expect(whole.split('\n')).toHaveLength(400);
    expect(whole).not.toMatch(/tok\d+abcdefgh/);
    expect(r.stdout).not.toMatch(/tok\d+abcdefgh/);
  });

  it("redacts the executor's output files in place when the command finishes (in the background; whenIdle awaits it)", async () => {
    const dir = tmp();
    const path = join(dir, 's.jsonl');
    const w = new TranscriptWriter({ path, inlineLimit: 500 });
    const out = outputFileFor(path, 'e3');
    const kubeconfig = readFileSync(join(FIXTURES, 'kubeconfig-with-secrets.yaml'), 'utf8');
    writeFileSync(out, kubeconfig);
    writeFileSync(`${out}.stderr`, 'curl -u test:stderrpass http://h/\n');
    w.onEvent({ type: 'engine-event', event: { type: 'command-finished', effectId: 'e3', result: result({ stdout: kubeconfig, outputFile: out }) } });
    w.close();
    await w.whenIdle();
    const onDisk = readFileSync(out, 'utf8');
    expect(onDisk).toContain('client-key-data: [REDACTED]');
    expect(onDisk).not.toMatch(/client-key-data: LS0t/);
    expect(readFileSync(`${out}.stderr`, 'utf8')).toBe('curl -u test:[REDACTED] http://h/\n');
  });

  it('drops the kept copy of an output the line already holds whole', () => {
    const path = join(tmp(), 's.jsonl');
    const w = new TranscriptWriter({ path });
    const out = outputFileFor(path, 'e4');
    writeFileSync(out, 'short\n');
    w.onEvent({ type: 'engine-event', event: { type: 'command-finished', effectId: 'e4', result: result({ stdout: 'short\n', outputFile: out }) } });
    w.close();
    expect(existsSync(out)).toBe(false);
    const line = JSON.parse(readFileSync(path, 'utf8').trim());
    expect(line.event.result.stdout).toBe('short\n');
    expect(line.event.result.outputFile).toBeUndefined();
  });

  it('appending after a crash starts on a fresh line and continues the sequence', () => {
    const path = join(tmp(), 's.jsonl');
    const w = new TranscriptWriter({ path });
    w.onEvent({ type: 'session-end', status: 'running' });
    w.onEvent({ type: 'session-end', status: 'running' });
    w.close();
    appendFileSync(path, '{"v":1,"seq":3,"ts":"2026-11-24T0'); // killed mid-line
    const w2 = new TranscriptWriter({ path, append: true });
    w2.onEvent({ type: 'session-end', status: 'concluded' });
    w2.close();
    const t = loadTranscript(path);
    expect(t.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(t.events[2]!.type).toBe('session-end');
    expect(t.warnings).toHaveLength(1);
    expect(t.warnings[0]).toMatch(/s\.jsonl:3: damaged line skipped/);
  });

  it('keeps going (and reports) when the disk refuses a write', () => {
    const path = join(tmp(), 's.jsonl');
    const errors: Error[] = [];
    const w = new TranscriptWriter({ path, onError: (e) => errors.push(e) });
    w.close();
    expect(() => w.onEvent({ type: 'session-end', status: 'aborted' })).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toMatch(/after the transcript was closed/);
  });
});

describe('reading', () => {
  it('tolerates a truncated last line: warning, no throw, every earlier event kept', () => {
    const good = [1, 2, 3].map((seq) => JSON.stringify({ v: 1, seq, ts: 't', type: 'session-end', status: 'x' })).join('\n');
    for (let cut = 1; cut < 40; cut++) {
      const partial = JSON.stringify({ v: 1, seq: 4, ts: 't', type: 'state', state: { a: 1 } }).slice(0, cut);
      const t = parseTranscript(`${good}\n${partial}`, 'x.jsonl');
      expect(t.events).toHaveLength(3);
      expect(t.truncatedTail).toBe(true);
      expect(t.warnings).toEqual([expect.stringMatching(/^x\.jsonl:4: last line is incomplete/)]);
    }
  });

  it('reports a missing file with what to do next', () => {
    expect(() => loadTranscript('/nonexistent/n.jsonl')).toThrow(/cannot read transcript \/nonexistent\/n\.jsonl: no such file \(list past sessions with: netwiz sessions\)/);
  });
});

describe('a recorded session', () => {
  it('holds every step, a state per completed step, and no secret anywhere under its directory', async () => {
    const dir = tmp();
    const path = join(dir, 'sessions', 's.jsonl');
    const final = await recordDemoSession({ transcript: path });
    expect(final.status).toBe('concluded');
    const t = loadTranscript(path);
    expect(t.warnings).toEqual([]);
    expect(t.events[0]!.type).toBe('session-start');
    expect(t.events.at(-1)!.type).toBe('session-end');
    expect(t.events.map((e) => e.seq)).toEqual(t.events.map((_, i) => i + 1));
    // one state per completed step (written or rebuilt); the last one is the concluded state
    const lengths = t.states.map((s) => s.state.history.length);
    expect(lengths).toEqual([...new Set(lengths)].sort((a, b) => a - b));
    // sparse: the first state, the step after the long kubeconfig output, the end; the rest rebuilt
    expect(t.states.filter((s) => !s.rebuilt).length).toBe(3);
    expect(t.states.filter((s) => s.rebuilt).length).toBeGreaterThan(0);
    // the rebuilt states are the states a writer snapshotting every step records
    const dense = join(tmp(), 'dense.jsonl');
    await recordDemoSession({ transcript: dense, writer: { snapshotEverySteps: 1 } });
    const d = loadTranscript(dense);
    expect(d.states.every((s) => !s.rebuilt)).toBe(true);
    const shape = (x: SessionState) => ({
      status: x.status,
      history: x.history.map((h) => [h.stepId, h.kind, h.next]),
      hyp: Object.fromEntries(Object.entries(x.hypotheses).map(([k, h]) => [k, [h.status, h.evidence.map((e) => e.text)]])),
      pending: x.pending.map((p) => p.id),
      frames: x.frames.map((f) => [f.playbookId, f.stepId, Object.keys(f.facts).sort()]),
    });
    expect(t.states.map((s) => shape(s.state))).toEqual(d.states.map((s) => shape(s.state)));
    expect(t.states.at(-1)!.state.status).toBe('concluded');
    const start = t.events[0]!;
    expect(start.type === 'session-start' && start.playbookTitle).toBe('NodePort answers sometimes (transcript test)');
    const outcome = t.events.find((e) => e.type === 'outcome');
    expect(outcome && outcome.type === 'outcome' && outcome.cause?.title).toBe("Two workloads share the Service's selector");

    // nothing secret on disk: the curl -u password, the kubeconfig's key, cert, token, password
    const kubeconfig = readFileSync(join(FIXTURES, 'kubeconfig-with-secrets.yaml'), 'utf8');
    const secrets = [
      CURL_PASSWORD,
      ...[...kubeconfig.matchAll(/^\s*(?:client-key-data|client-certificate-data|token|password):\s*(\S+)$/gm)].map((m) => m[1]!),
    ];
    expect(secrets).toHaveLength(5);
    const files = filesUnder(dir);
    // the transcript and the one output long enough to be kept beside it (the kubeconfig)
    expect(files.map((f) => f.path.split('/').pop()).sort()).toEqual(['e1.out', 's.jsonl']);
    for (const f of files) {
      for (const s of secrets) {
        expect(f.text.includes(s), `${s.slice(0, 12)}… in ${f.path}`).toBe(false);
        // nor a recognisable piece of it (the middle: PEM base64 starts alike for every cert)
        const mid = Math.floor(s.length / 2);
        expect(f.text.includes(s.slice(mid, mid + 12)), `part of a secret in ${f.path}`).toBe(false);
      }
    }
  });
});

describe('outputs left raw by a crash', () => {
  it('are redacted by whatever next opens the transcript: resume (append), export, sessions', () => {
    const kubeconfig = readFileSync(join(FIXTURES, 'kubeconfig-with-secrets.yaml'), 'utf8');
    const key = /client-key-data: (\S+)/.exec(kubeconfig)![1]!;
    const entry = resolve(import.meta.dirname, '../../src/cli/entry.ts');
    const cases: [string, (path: string, dir: string) => void][] = [
      ['writer append', (path) => new TranscriptWriter({ path, append: true }).close()],
      ['netwiz export', (path) => {
        const r = spawnSync(process.execPath, ['--import', 'tsx', entry, 'export', path, '--format', 'json'], { encoding: 'utf8' });
        expect(r.status).toBe(0);
      }],
      ['netwiz sessions', (_path, dir) => {
        const r = spawnSync(process.execPath, ['--import', 'tsx', entry, 'sessions', '--dir', dir], { encoding: 'utf8' });
        expect(r.status).toBe(0);
      }],
    ];
    for (const [name, reopen] of cases) {
      const dir = tmp();
      const path = join(dir, 's.jsonl');
      const w = new TranscriptWriter({ path });
      w.onEvent({ type: 'session-start', sessionId: 's', netwizVersion: 't', playbook: 'p', inputs: {}, options: { readOnly: false, dryRun: false, yes: false } });
      // the executor was writing this when the process died: never redacted by the writer
      const out = outputFileFor(path, 'e1');
      writeFileSync(out, kubeconfig);
      writeFileSync(`${out}.redacting`, kubeconfig.slice(0, 100));
      // (no close: the process was killed)
      reopen(path, dir);
      expect(readFileSync(out, 'utf8'), name).not.toContain(key);
      expect(readFileSync(out, 'utf8'), name).toContain('client-key-data: [REDACTED]');
      expect(existsSync(`${out}.redacting`), name).toBe(false);
    }
  }, 60_000);
});

describe('replayFrames', () => {
  it('steps through every recorded state; the lines of each step lead to its state', async () => {
    const path = join(tmp(), 'r.jsonl');
    await recordDemoSession({ transcript: path });
    const t = loadTranscript(path);
    const frames = replayFrames(t);
    // every line belongs to exactly one frame, in order
    expect(frames.flatMap((f) => f.events.map((e) => e.seq))).toEqual(t.events.map((e) => e.seq));
    expect(frames.slice(0, -1).map((f) => f.state)).toEqual(t.states.map((s) => s.state));
    // history grows by one completed step per state frame
    const lengths = frames.slice(0, -1).map((f) => f.state.history.length);
    expect(lengths).toEqual([...lengths].sort((a, b) => a - b));
    // the final frame holds the outcome and the end, with the concluded state
    const last = frames.at(-1)!;
    expect(last.events.map((e) => e.type)).toContain('session-end');
    expect(last.state.status).toBe('concluded');
  });
});
