// Sweep of pods a crashed netwiz left behind: netwiz-labelled pods made on this host
// whose session no longer runs. Pods made from other hosts are left to their owners.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { HOST_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, SESSION_LABEL, kubectlArgv, labelSafe } from './kubectl.js';
import { liveSessions, stateDir } from './state-dir.js';
import type { ClusterOptions } from './types.js';
import { runLocal } from './workstation.js';

export interface SweptPod {
  namespace: string;
  name: string;
  session: string;
  deleted: boolean;
  detail?: string;
}

export interface SweepOptions {
  /** sessions to keep besides the ones the live registry knows (e.g. the one starting) */
  keep?: string[];
  timeoutMs?: number;
  env?: Record<string, string>;
}

type PodList = {
  items?: {
    metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  }[];
};

/** a stranded session's marker is dropped after this long even if its pods were not found */
const STALE_MARKER_MS = 24 * 3_600_000;

const NO_ANSWER = /Unable to connect to the server|context deadline exceeded|Client\.Timeout|i\/o timeout|TLS handshake timeout/i;

export async function sweepLeftovers(cluster: ClusterOptions, opts: SweepOptions = {}): Promise<SweptPod[]> {
  // it runs beside the RBAC preflight, before the first step: bounded like it (rbac.ts), so a
  // silent API server holds the session for seconds, not minutes
  const timeoutMs = opts.timeoutMs ?? 8_000;
  const env = opts.env ? { env: opts.env } : {};
  const selector = `--selector=${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`;
  const rt = '--request-timeout=5s';
  // every namespace if allowed, else the session's own
  let list = await runLocal({ argv: kubectlArgv(cluster, ['get', 'pods', '--all-namespaces', selector, '-o', 'json', rt]), timeoutMs, ...env });
  // not again after no answer: the server would not answer the second question either
  if (list.exitCode !== 0 && !list.timedOut && !NO_ANSWER.test(list.stderr)) {
    list = await runLocal({ argv: kubectlArgv(cluster, ['get', 'pods', selector, '-o', 'json', rt]), timeoutMs, ...env });
  }
  if (list.exitCode !== 0) {
    throw new Error(`cannot list netwiz pods to sweep: ${(list.stderr || list.spawnError || `exit ${list.exitCode}`).trim()}`);
  }
  const pods = (JSON.parse(list.stdout) as PodList).items ?? [];
  const keep = new Set([...liveSessions(), ...(opts.keep ?? [])].map(labelSafe));
  const me = hostname();
  const out: SweptPod[] = [];
  for (const p of pods) {
    const md = p.metadata ?? {};
    const session = md.labels?.[SESSION_LABEL];
    if (!md.name || !md.namespace || !session) continue;
    if (md.annotations?.[HOST_ANNOTATION] !== me || keep.has(session)) continue;
    const del = await runLocal({
      argv: kubectlArgv(cluster, ['delete', 'pod', md.name, '--ignore-not-found', '--wait=false'], md.namespace),
      timeoutMs,
      ...env,
    });
    out.push({
      namespace: md.namespace,
      name: md.name,
      session,
      deleted: del.exitCode === 0,
      ...(del.exitCode === 0 ? {} : { detail: (del.stderr || del.spawnError || '').trim() }),
    });
  }
  return out;
}

/**
 * Sessions of this state dir that made pods and did not clean up: their live marker
 * (written before their first pod, removed by close() once every pod is deleted) names a
 * process that is gone. Only then can a pod of ours be left behind.
 */
export function strandedSessions(env: NodeJS.ProcessEnv = process.env): string[] {
  const dir = join(stateDir(env), 'live');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const live = liveSessions(env);
  return names.filter((n) => !n.startsWith('.') && !live.has(n));
}

/**
 * The sweep a starting session does: nothing (no kubectl at all) when no session of this
 * host was left unfinished, else sweepLeftovers; then the markers of the stranded sessions
 * whose pods are all gone are removed, so the next start does not sweep again.
 */
export async function sweepStranded(cluster: ClusterOptions, opts: SweepOptions & { stateEnv?: NodeJS.ProcessEnv } = {}): Promise<SweptPod[]> {
  const env = opts.stateEnv ?? process.env;
  const stranded = strandedSessions(env);
  if (stranded.length === 0) return [];
  const swept = await sweepLeftovers(cluster, opts);
  const left = new Set(swept.filter((p) => !p.deleted).map((p) => p.session));
  const gone = new Set(swept.filter((p) => p.deleted).map((p) => p.session));
  for (const s of stranded) {
    const file = join(stateDir(env), 'live', s);
    // a session whose pods were found and all deleted is done. One with none here may have
    // made its pods on another cluster: its marker stays (the next start on that cluster
    // sweeps them) until it is a day old (node pods end by themselves long before).
    let old = false;
    try {
      old = Date.now() - statSync(file).mtimeMs > STALE_MARKER_MS;
    } catch {
      continue;
    }
    if (left.has(labelSafe(s)) || (!gone.has(labelSafe(s)) && !old)) continue;
    rmSync(file, { force: true });
  }
  return swept;
}
