// `netwiz lab up/down/status` as functions: start the lab server as a detached process,
// find it again through lab.json, and take it (and its data plane) down idempotently.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { loadScenarioFile, resolveScenarioRef } from './scenario/load.js';
import {
  isLabServerAlive,
  labDir,
  labFiles,
  listLabDirs,
  readLabRecord,
  removeLabDir,
  writeLabRecord,
  type LabRecord,
} from './lab-state.js';
import { labContextName } from './server/serve.js';

export interface DataPlaneCheck {
  ok: boolean;
  /** what is missing and how to get it */
  reason?: string;
}

/** The netns data plane needs root and iproute2's `ip`. */
export function checkDataPlanePrerequisites(): DataPlaneCheck {
  const missing: string[] = [];
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    missing.push('root (network namespaces, veths and nftables need it: run `sudo netwiz lab up …`)');
  }
  const ip = spawnSync('ip', ['-V'], { stdio: 'ignore' });
  if (ip.error || ip.status !== 0) missing.push('iproute2 (the `ip` command: `apt-get install iproute2`)');
  if (!missing.length) return { ok: true };
  return {
    ok: false,
    reason: `the lab's data plane needs ${missing.join(' and ')}; without it the lab serves the Kubernetes API only (kubectl get/describe/scale/patch work, kubectl exec does not)`,
  };
}

export interface LabUpOptions {
  name?: string;
  /** 'auto': build the data plane when root and iproute2 are there; 'off': API only */
  dataPlane?: 'auto' | 'off' | 'require';
  env?: NodeJS.ProcessEnv;
  /** how long to wait for the server to be ready */
  timeoutMs?: number;
  /** argv that starts this CLI again (default: the running one) */
  cliArgv?: string[];
}

export class LabError extends Error {}

function selfArgv(): string[] {
  // re-run this very CLI: bundled (dist/netwiz.mjs) or from source under tsx
  return [process.execPath, ...process.execArgv, process.argv[1]!];
}

export async function labUp(ref: string, o: LabUpOptions = {}): Promise<LabRecord> {
  const env = o.env ?? process.env;
  const file = resolveScenarioRef(ref);
  const scenario = loadScenarioFile(file); // file:line errors before anything starts
  const name = o.name ?? scenario.name;
  const dir = labDir(name, env);
  const existing = readLabRecord(dir);
  if (existing && isLabServerAlive(existing.pid, dir)) {
    throw new LabError(`lab "${name}" is already up (pid ${existing.pid}, ${existing.server ?? 'starting'}); run \`netwiz lab down ${name}\` first, or pick another --name`);
  }
  if (existsSync(dir)) {
    // a dead lab's leftovers: down removes what its ledger still lists, then the dir
    const r = await labDown(name, { env });
    if (r.errors.length) throw new LabError(`netwiz lab: lab "${name}" left things behind that could not be removed: ${r.errors.join('; ')}`);
  }
  let useDataPlane = false;
  let reason: string | undefined;
  if (o.dataPlane !== 'off') {
    const check = checkDataPlanePrerequisites();
    if (!check.ok && o.dataPlane === 'require') throw new LabError(`netwiz lab: ${check.reason}`);
    useDataPlane = check.ok;
    reason = check.reason;
  } else reason = 'the lab was started with --api-only: pods have no network namespace to exec in';
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = labFiles(dir);
  mkdirSync(files.cache, { recursive: true });
  const rec: LabRecord = {
    name,
    scenario: scenario.name,
    scenarioFile: file,
    state: 'starting',
    pid: 0,
    kubeconfig: files.kubeconfig,
    context: labContextName(name),
    namespace: scenario.entry.namespace,
    service: scenario.entry.service,
    clientPod: scenario.entry.clientPod,
    expectedCause: scenario.expectedCause,
    cacheDir: files.cache,
    logFile: files.log,
    dataPlane: { enabled: useDataPlane, ...(reason && !useDataPlane ? { reason } : {}) },
    startedAt: new Date().toISOString(),
  };
  writeLabRecord(dir, rec);
  const [cmd, ...args] = o.cliArgv ?? selfArgv();
  const serveArgs = [...args, 'lab', '__serve', '--dir', dir, '--name', name, '--scenario', file, ...(useDataPlane ? ['--data-plane'] : [])];
  if (!useDataPlane && reason) serveArgs.push('--api-only-reason', reason);
  const fd = openSync(files.log, 'a');
  const child = spawn(cmd!, serveArgs, { detached: true, stdio: ['ignore', fd, fd], env: { ...env } });
  closeSync(fd);
  child.unref();
  writeLabRecord(dir, { ...rec, pid: child.pid ?? 0 });
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  for (;;) {
    const cur = readLabRecord(dir);
    if (cur?.state === 'ready') return cur;
    if (cur?.state === 'failed') {
      await labDown(name, { env }).catch(() => undefined);
      throw new LabError(`netwiz lab: ${cur.error ?? 'the server failed to start'} (log: ${files.log})`);
    }
    if (child.exitCode !== null || (child.pid !== undefined && !isLabServerAlive(child.pid, dir) && Date.now() > Date.parse(rec.startedAt) + 2000)) {
      throw new LabError(`netwiz lab: the lab server exited before it was ready (log: ${files.log})`);
    }
    if (Date.now() > deadline) {
      await labDown(name, { env }).catch(() => undefined);
      throw new LabError(`netwiz lab: the lab server was not ready after ${Math.round((o.timeoutMs ?? 60_000) / 1000)} s (log: ${files.log})`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface LabStatusEntry {
  name: string;
  dir: string;
  running: boolean;
  record?: LabRecord;
}

export function labStatus(env: NodeJS.ProcessEnv = process.env): LabStatusEntry[] {
  return listLabDirs(env).map(({ name, dir }) => {
    const record = readLabRecord(dir);
    return { name, dir, running: !!record && isLabServerAlive(record.pid, dir), ...(record ? { record } : {}) };
  });
}

export interface LabDownReport {
  name: string;
  found: boolean;
  steps: string[];
  errors: string[];
}

async function waitForExit(pid: number, dir: string, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isLabServerAlive(pid, dir)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isLabServerAlive(pid, dir);
}

/** Stops the server (which takes its data plane down), cleans up from the ledger after a crash, removes the state dir. */
export async function labDown(name: string, o: { env?: NodeJS.ProcessEnv } = {}): Promise<LabDownReport> {
  const env = o.env ?? process.env;
  const dir = labDir(name, env);
  const report: LabDownReport = { name, found: existsSync(dir), steps: [], errors: [] };
  if (!report.found) return report;
  const rec = readLabRecord(dir);
  if (rec && isLabServerAlive(rec.pid, dir)) {
    process.kill(rec.pid, 'SIGTERM');
    if (await waitForExit(rec.pid, dir, 30_000)) report.steps.push(`stopped server pid ${rec.pid}`);
    else {
      process.kill(rec.pid, 'SIGKILL');
      await waitForExit(rec.pid, dir, 2000);
      report.steps.push(`killed server pid ${rec.pid} (it did not stop within 30 s)`);
    }
  }
  const ledger = labFiles(dir).ledger;
  if (existsSync(ledger)) {
    const { downFromLedger, readLedger, liveEntries } = await import('./netns/index.js');
    if (liveEntries(readLedger(ledger)).length > 0) {
      const r = await downFromLedger(ledger);
      report.steps.push(`data plane removed from the ledger (${r.removed.length} objects)`);
      report.errors.push(...r.errors);
    }
  }
  if (report.errors.length === 0) {
    removeLabDir(dir);
    report.steps.push(`removed ${dir}`);
  }
  return report;
}

export async function labDownAll(env: NodeJS.ProcessEnv = process.env): Promise<LabDownReport[]> {
  const out: LabDownReport[] = [];
  for (const { name } of listLabDirs(env)) out.push(await labDown(name, { env }));
  return out;
}

