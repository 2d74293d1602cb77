// Which API server a kubectl call will talk to, read from the kubeconfig file(s) without
// running kubectl (here kubectl itself contacts the server first: no use when it hangs).
// Best effort, for messages only: undefined when it cannot be told.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import type { ClusterOptions } from './types.js';

type Named<T> = { name?: string } & T;
interface KubeconfigDoc {
  'current-context'?: string;
  contexts?: Named<{ context?: { cluster?: string } }>[];
  clusters?: Named<{ cluster?: { server?: string } }>[];
}

/** kubeconfig files in kubectl's order: --kubeconfig, else $KUBECONFIG (':'-separated), else ~/.kube/config */
function kubeconfigFiles(cluster: ClusterOptions, env: Record<string, string | undefined>): string[] {
  if (cluster.kubeconfig) return [cluster.kubeconfig];
  const list = env.KUBECONFIG?.split(path.delimiter).filter(Boolean);
  if (list && list.length > 0) return list;
  return [path.join(env.HOME ?? homedir(), '.kube', 'config')];
}

/** The API server URL of the context kubectl would use, as the kubeconfig says it. */
export function apiServerUrl(cluster: ClusterOptions, env: Record<string, string | undefined> = process.env): string | undefined {
  const docs: KubeconfigDoc[] = [];
  for (const f of kubeconfigFiles(cluster, env)) {
    try {
      const d = parse(readFileSync(f, 'utf8')) as unknown;
      if (d && typeof d === 'object') docs.push(d as KubeconfigDoc);
    } catch {
      // missing or unreadable: kubectl skips it too
    }
  }
  // merged as kubectl merges: the first file that sets a value wins
  const contextName = cluster.context ?? docs.find((d) => d['current-context'])?.['current-context'];
  if (!contextName) return undefined;
  const clusterName = docs.flatMap((d) => d.contexts ?? []).find((c) => c?.name === contextName)?.context?.cluster;
  if (!clusterName) return undefined;
  const server = docs.flatMap((d) => d.clusters ?? []).find((c) => c?.name === clusterName)?.cluster?.server;
  return typeof server === 'string' && server !== '' ? server : undefined;
}
