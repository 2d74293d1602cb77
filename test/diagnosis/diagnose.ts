// Runs the real diagnosis: a scenario lab (API server + netns data plane) and the bundled CLI
// `netwiz run intermittent-connectivity --yes --json` against it, with the real kubectl.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startLab, type TestLab } from '../helpers/lab.js';

const BIN = join(process.cwd(), 'bin', 'netwiz');

export interface RunResult {
  status: string;
  cause?: string;
  evidence: string[];
  hypotheses: { id: string; status: string; evidence: string[] }[];
  steps: { playbook: string; step: string; kind: string; summary: string; next: string | null }[];
  commands: { argv: string[]; target: { kind: string; pod?: string; node?: string }; exit_code: number | null }[];
  stepsTaken: number;
  questionsAsked: number;
  wallMs: number;
  transcript: string;
}

export interface Diagnosis {
  lab: TestLab;
  result: RunResult;
  exitCode: number | null;
  stderr: string;
  stateDir: string;
}

function netwiz(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `netwiz run PLAYBOOK --yes --json --var k=v…` against a running lab. */
export async function runPlaybook(
  lab: TestLab,
  playbook: string,
  vars: Record<string, string>,
  stateDir: string,
): Promise<{ result: RunResult; exitCode: number | null; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...lab.env, XDG_STATE_HOME: stateDir };
  delete env.NETWIZ_PLAYBOOKS;
  const args = ['run', playbook, '--yes', '--json'];
  for (const [k, v] of Object.entries(vars)) args.push('--var', `${k}=${v}`);
  const r = await netwiz(args, env);
  try {
    return { result: JSON.parse(r.stdout) as RunResult, exitCode: r.code, stderr: r.stderr };
  } catch {
    throw new Error(`netwiz run ${playbook} printed no JSON (exit ${r.code}): ${r.stdout.slice(0, 500)} ${r.stderr.slice(-2000)}`);
  }
}

/** Starts the scenario's lab and runs the root playbook with the scenario's entry inputs. */
export async function diagnose(scenario: string): Promise<Diagnosis> {
  const lab = await startLab(scenario, { dataPlane: 'netns' });
  const stateDir = await mkdtemp(join(tmpdir(), 'netwiz-diag-'));
  try {
    const r0 = await runPlaybook(lab, 'intermittent-connectivity', { namespace: lab.namespace, service: lab.service, client_pod: lab.clientPod }, stateDir);
    const result = r0.result;
    const r = { code: r0.exitCode, stderr: r0.stderr };
    // the measurements the issue asks for, per scenario
    const podCmds = result.commands.filter((c) => c.target.kind === 'pod').length;
    const nodeCmds = result.commands.filter((c) => c.target.kind === 'node').length;
    process.stdout.write(
      `[diagnosis] ${scenario}: ${result.status} ${result.cause ?? '-'}; steps ${result.stepsTaken}, commands ${result.commands.length} ` +
        `(pod ${podCmds}, node ${nodeCmds}), questions ${result.questionsAsked}, wall ${result.wallMs} ms\n`,
    );
    return { lab, result, exitCode: r.code, stderr: r.stderr, stateDir };
  } catch (e) {
    await lab.stop();
    await rm(stateDir, { recursive: true, force: true });
    throw e;
  }
}

export async function cleanup(d: Diagnosis | undefined): Promise<void> {
  if (!d) return;
  await d.lab.stop();
  await rm(d.stateDir, { recursive: true, force: true });
}

/**
 * One diagnosis for the whole test file: the lab is up and the root playbook has run in
 * beforeAll; both are cleaned up in afterAll. Call the result inside tests only.
 */
export function diagnosisForFile(scenario: string, timeoutMs = 180_000): () => Diagnosis {
  let d: Diagnosis | undefined;
  beforeAll(async () => {
    d = await diagnose(scenario);
  }, timeoutMs);
  afterAll(() => cleanup(d));
  return () => {
    if (d === undefined) throw new Error(`the ${scenario} diagnosis did not run (see the beforeAll error)`);
    return d;
  };
}

export function hypothesis(r: RunResult, id: string) {
  return r.hypotheses.find((h) => h.id === id);
}

/** Nothing the run concluded rests on an unobserved cause: no other root cause is supported. */
export function otherCausesNotSupported(r: RunResult, cause: string): string[] {
  const root = ['selector-overlap', 'tw-recycle-nat', 'dns-search-domain', 'externalip-conflict', 'overlay-mtu', 'bad-replica', 'healthy'];
  return r.hypotheses.filter((h) => root.includes(h.id) && h.id !== cause && (h.status === 'supported' || h.status === 'confirmed')).map((h) => h.id);
}
