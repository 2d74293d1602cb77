// Sweep of pods a crashed netwiz left behind: netwiz-labelled pods made on this host
// whose session no longer runs. Pods made from other hosts are left to their owners.
import { hostname } from 'node:os';
import { HOST_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, SESSION_LABEL, kubectlArgv, labelSafe } from './kubectl.js';
import { liveSessions } from './state-dir.js';
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
