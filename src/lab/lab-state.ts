// Where a running lab keeps what `netwiz lab status/down` need to find it again:
// $XDG_STATE_HOME/netwiz/labs/<name>/ holds lab.json (pid, port, kubeconfig, …), the
// kubeconfig, the server log, kubectl's cache dir and the data plane's ledger.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stateDir } from '../exec/state-dir.js';

/** What a client needs to talk to a lab and to diagnose its scenario. */
export interface LabAccess {
  kubeconfig: string;
  context: string;
  namespace: string;
  service: string;
  clientPod: string;
  expectedCause: string;
  /** kubectl discovery cache of this lab (pass --cache-dir to keep labs apart) */
  cacheDir: string;
}

export interface LabRecord extends LabAccess {
  name: string;
  scenario: string;
  scenarioFile: string;
  state: 'starting' | 'ready' | 'failed' | 'stopped';
  /** server process id */
  pid: number;
  port?: number;
  server?: string;
  logFile: string;
  dataPlane: { enabled: boolean; reason?: string; prefix?: string; ledger?: string; warnings?: string[] };
  startedAt: string;
  /** set when state is 'failed' */
  error?: string;
}

export function labsRoot(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(stateDir(env), 'labs');
}

export function labDir(name: string, env: NodeJS.ProcessEnv = process.env): string {
  if (!/^[a-z0-9][a-z0-9-]{0,40}$/.test(name)) {
    throw new Error(`lab name "${name}" is not valid: use lower-case letters, digits and "-" (at most 41 characters)`);
  }
  return path.join(labsRoot(env), name);
}

export function labFiles(dir: string) {
  return {
    record: path.join(dir, 'lab.json'),
    kubeconfig: path.join(dir, 'kubeconfig'),
    log: path.join(dir, 'server.log'),
    cache: path.join(dir, 'kube-cache'),
    ledger: path.join(dir, 'netns-ledger.jsonl'),
  };
}

export function writeLabRecord(dir: string, rec: LabRecord): void {
  mkdirSync(dir, { recursive: true });
  const file = labFiles(dir).record;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(rec, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file); // readers never see half a file
}

export function readLabRecord(dir: string): LabRecord | undefined {
  const file = labFiles(dir).record;
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LabRecord;
  } catch {
    return undefined;
  }
}

export function listLabDirs(env: NodeJS.ProcessEnv = process.env): { name: string; dir: string }[] {
  const root = labsRoot(env);
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => ({ name: d.name, dir: path.join(root, d.name) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export function removeLabDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** true when `pid` runs and is a lab server for `dir` (a recycled pid is not ours) */
export function isLabServerAlive(pid: number, dir: string): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return cmdline.includes('__serve') && cmdline.includes(dir);
  } catch {
    return true; // no /proc: trust the signal check
  }
}
