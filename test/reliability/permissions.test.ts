// Permissions: a lab user who may read but not scale, exec or create pods (the scenario
// API server enforces the denials; kubectl auth can-i answers from them). `netwiz run`
// must name each missing permission before the step that needs it, never attempt those
// commands, and still run every read and conclude.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type TestLab } from '../helpers/lab.js';
import { FIXTURES, ROOT, netwiz, recordCounts } from './helpers.js';

let lab: TestLab;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'netwiz-rel-perm-'));
  lab = await startLab(path.join(ROOT, 'test/fixtures/lab/rbac-deny.yaml'), { dataPlane: 'none', exec: 'host' });
});
afterAll(async () => {
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a user who may not scale, exec or create pods', () => {
  it('the lab really denies them (else the test proves nothing)', async () => {
    const scale = await lab.kubectl(['scale', 'deployment/web', '-n', lab.namespace, '--replicas=1']);
    expect(scale.exitCode).toBe(1);
    expect(scale.stderr).toMatch(/forbidden/i);
    const exec = await lab.kubectl(['exec', lab.clientPod, '-n', lab.namespace, '--', 'true']);
    expect(exec.exitCode).toBe(1);
    expect(exec.stderr).toMatch(/forbidden/i);
  });

  it('netwiz run names each missing permission, attempts none of them, and still reaches every read', async () => {
    const r = await netwiz(
      ['run', path.join(FIXTURES, 'rel-perms.yaml'), '--yes', '--json', '--var', `namespace=${lab.namespace}`, '--var', `client_pod=${lab.clientPod}`, '--transcript', path.join(dir, 't.jsonl')],
      { env: { ...lab.env, KUBECACHEDIR: lab.cacheDir, XDG_STATE_HOME: path.join(dir, 'state') }, killAfterMs: 120_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.cause).toBe('reads-reached');
    const step = (id: string) => out.steps.find((s: { step: string }) => s.step === id);
    // each denied step is skipped, and says which permission is missing
    expect(step('scale').summary).toMatch(/missing: patch deployments\/scale/);
    expect(step('exec-in-pod').summary).toMatch(/missing: create pods\/exec/);
    expect(step('on-node').summary).toMatch(/missing: create pods\b/);
    // the same on stderr, each before the step after it starts (nothing is tried first)
    const err = r.stderr;
    const at = (s: string | RegExp) => err.search(s);
    expect(at(/missing: patch deployments\/scale/)).toBeGreaterThan(at('▸ Scale web to one replica'));
    expect(at(/missing: patch deployments\/scale/)).toBeLessThan(at('▸ Run a command in the client pod'));
    expect(at(/missing: create pods\/exec in ns shop/)).toBeLessThan(at('▸ Run a command on the node'));
    expect(at(/missing: create pods in ns/)).toBeLessThan(at('▸ Read the Service'));
    // none of the forbidden commands was attempted: only the two reads ran
    expect(out.commands.map((c: { argv: string[] }) => c.argv.slice(0, 3).join(' '))).toEqual(['kubectl get pods', 'kubectl get service']);
    expect(out.commands.every((c: { exit_code: number }) => c.exit_code === 0)).toBe(true);
    // the cluster is as it was
    const d = await lab.kubectl(['get', 'deployment', 'web', '-n', lab.namespace, '-o', 'jsonpath={.spec.replicas}']);
    expect(d.stdout).toBe('2');
    recordCounts('permissions', { deniedSteps: 3, namedBeforeUse: 3, forbiddenAttempted: 0, readsReached: 2 });
  }, 150_000);
});
