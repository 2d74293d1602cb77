// Injection through the cluster: pods whose names, labels, container names and annotations
// hold `$(…)`, backticks, `;`, quotes and escape codes (as far as the lab's API server
// accepts them), read by `netwiz run` with the real kubectl, then used as arguments of
// `kubectl exec` and `kubectl get`. Nothing may run — neither where netwiz runs nor where
// the lab runs the exec'd argv — and every name must reach the pod as exactly one argument.
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioPod } from '../../src/lab/scenario/model.js';
import { hostExecPlan, startLab, type TestLab } from '../helpers/lab.js';
import { FIXTURES, netwiz, recordCounts } from './helpers.js';

let lab: TestLab;
let dir: string;
let labCwd: string;
/** every argv the lab was asked to exec, as it arrived (after kubectl and the API server) */
const execs: { pod: string; argv: string[] }[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'netwiz-rel-injlab-'));
  labCwd = path.join(dir, 'lab-cwd');
  // execs run as host processes in an empty folder: a shell anywhere would leave a file there
  const { mkdirSync } = await import('node:fs');
  mkdirSync(labCwd);
  lab = await startLab('healthy', {
    dataPlane: 'none',
    exec: (pod: ScenarioPod, argv: string[]) => {
      execs.push({ pod: pod.name, argv });
      return { ...hostExecPlan(pod, argv), cwd: labCwd };
    },
  });
});
afterAll(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// names the API server takes: no '/', so markers are relative files (`pwned*`) in a cwd
const HOSTILE_PODS: { name: string; labels: Record<string, string>; container: string; note: string }[] = [
  { name: 'evil-$(touch pwned1)', labels: { app: 'web', tier: '$(touch pwned2)' }, container: 'c$(touch pwned3)', note: '\u001b]0;NW-TITLE\u0007' },
  { name: 'evil-`touch pwned4`', labels: { app: 'web', tier: '`touch pwned5`' }, container: 'c;touch pwned6', note: '\u001b[2J' },
  { name: "evil-';touch pwned7;'", labels: { app: 'web', tier: 'a;touch pwned8' }, container: 'c"q"', note: '"; touch pwned9' },
  { name: 'evil-\u001b]0;T\u0007-x', labels: { app: 'web', tier: '\u001b[31mred' }, container: 'c\u001b[2J', note: '\u009b6n' },
  { name: 'evil-&&touch pwned10||', labels: { app: 'web', tier: '|touch pwned11' }, container: 'c|x', note: '\u202e' },
];

describe('hostile names from the cluster, through real kubectl', () => {
  it('the API server accepts the hostile pods (else this test proves nothing)', async () => {
    for (const p of HOSTILE_PODS) {
      const pod = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: p.name, namespace: lab.namespace, labels: p.labels, annotations: { note: p.note } },
        spec: { nodeName: 'node-1', containers: [{ name: p.container, image: 'registry.lab.example/web:2.4' }] },
      };
      const r = await lab.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pod) });
      expect(r.exitCode, r.stderr).toBe(0);
    }
    const list = JSON.parse((await lab.kubectl(['get', 'pods', '-n', lab.namespace, '-l', 'app=web', '-o', 'json'])).stdout) as { items: { metadata: { name: string } }[] };
    const names = list.items.map((i) => i.metadata.name);
    for (const p of HOSTILE_PODS) expect(names).toContain(p.name);
  });

  it('netwiz run execs in and reads back every pod by its exact name; nothing runs', async () => {
    const cwd = path.join(dir, 'netwiz-cwd');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(cwd);
    const r = await netwiz(
      ['run', path.join(FIXTURES, 'rel-cluster-names.yaml'), '--json', '--var', `namespace=${lab.namespace}`, '--var', 'selector=app=web', '--transcript', path.join(dir, 't.jsonl')],
      { cwd, env: { ...lab.env, KUBECACHEDIR: lab.cacheDir, XDG_STATE_HOME: path.join(dir, 'state') }, killAfterMs: 120_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.cause).toBe('names-stayed-names');
    // no shell anywhere: no file appeared where netwiz or the lab's execs ran
    expect(readdirSync(cwd)).toEqual([]);
    expect(readdirSync(labCwd)).toEqual([]);
    expect(readdirSync(process.cwd()).filter((f) => f.startsWith('pwned'))).toEqual([]);
    for (let k = 1; k <= 11; k++) expect(existsSync(path.join(process.cwd(), `pwned${k}`))).toBe(false);
    // each hostile pod got exactly one exec, whose first argument is its exact name
    for (const p of HOSTILE_PODS) {
      const mine = execs.filter((e) => e.pod === p.name);
      expect(mine.length, `exec into ${JSON.stringify(p.name)}`).toBe(1);
      expect(mine[0]!.argv[0]).toBe('printf');
      expect(mine[0]!.argv[2]).toBe(p.name);
      // a list fact renders as JSON: one argument, the exact container name inside
      expect(JSON.parse(mine[0]!.argv[4]!)).toEqual([p.container]);
      expect(JSON.parse(mine[0]!.argv[3]!)).toEqual(p.labels);
    }
    // kubectl get POD by the exact name: one command per pod, all exit 0
    const gets = out.commands.filter((c: { argv: string[] }) => c.argv[1] === 'get' && c.argv[2] === 'pod');
    for (const p of HOSTILE_PODS) expect(gets.some((g: { argv: string[]; exit_code: number }) => g.argv[3] === p.name && g.exit_code === 0)).toBe(true);
    // and the operator's terminal got no raw escape code from a name or label
    expect(r.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    recordCounts('injection-lab', { hostilePods: HOSTILE_PODS.length, execs: execs.length, commands: out.commands.length, nothingRan: 'yes' });
  }, 150_000);
});
