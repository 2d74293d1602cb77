// Which cluster and namespace this session talks to, read the way kubectl resolves them,
// so the start screen can show it before anything runs.
//
// The kubeconfig files are read directly (launch.ts loads this module, and the YAML parser
// with it, after the first frame is printed)
// instead of starting `kubectl config current-context` and `kubectl config view --minify`:
// two Go processes competing for the CPU with the wizard's start-up on small machines.
// kubectl's rules are kept: --kubeconfig FILE alone, else the $KUBECONFIG list (missing
// files skipped; for every key the first file that sets it wins), else ~/.kube/config;
// --context over current-context; the namespace of that context, else "default". When a
// file cannot be read or parsed, kubectl itself is asked, as before.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { globalFlags, kubectlBinary } from '../exec/kubectl.js';
import type { ClusterOptions } from '../exec/types.js';
import type { ClusterTarget } from './components/Header.js';

function kubectl(cluster: ClusterOptions, args: string[], timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(kubectlBinary(cluster), [...globalFlags(cluster), ...args], { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout) => {
      resolve(err ? null : stdout.trim());
    });
  });
}

function target(cluster: ClusterOptions, current: string | null, ns: string | null): ClusterTarget {
  return {
    context: current || null,
    namespace: ns || 'default',
    source: cluster.context ? 'flag' : current ? 'kubeconfig' : 'none',
  };
}

/** The answer of `kubectl config current-context` and `config view --minify` (two processes). */
export async function readClusterTargetWithKubectl(cluster: ClusterOptions, timeoutMs = 3000): Promise<ClusterTarget> {
  const [current, ns] = await Promise.all([
    cluster.context ? Promise.resolve(cluster.context) : kubectl(cluster, ['config', 'current-context'], timeoutMs),
    cluster.namespace ? Promise.resolve(cluster.namespace) : kubectl(cluster, ['config', 'view', '--minify', '-o', 'jsonpath={..namespace}'], timeoutMs),
  ]);
  return target(cluster, current, ns);
}

/** The files kubectl reads, in its order: --kubeconfig, else $KUBECONFIG's list, else ~/.kube/config. */
export function kubeconfigFiles(cluster: ClusterOptions, env: NodeJS.ProcessEnv = process.env, home: string = homedir()): { files: string[]; explicit: boolean } {
  if (cluster.kubeconfig) return { files: [cluster.kubeconfig], explicit: true };
  if (env.KUBECONFIG) {
    // kubectl drops empty entries and repeats of the same file
    const files = [...new Set(env.KUBECONFIG.split(path.delimiter).filter((f) => f !== ''))];
    return { files, explicit: false };
  }
  return { files: [path.join(home, '.kube', 'config')], explicit: false };
}

/** One kubeconfig file as read: its text, or missing. */
export type KubeconfigText = { file: string; text: string } | { file: string; missing: true };

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Context and namespace from the files' texts, merged as kubectl merges them; null when a
 * file is not a kubeconfig we can read with certainty (then kubectl must answer).
 */
export function resolveFromKubeconfigs(texts: KubeconfigText[], cluster: ClusterOptions, explicit: boolean): ClusterTarget | null {
  let current = '';
  const namespaceOf = new Map<string, string>();
  for (const t of texts) {
    if ('missing' in t) {
      // a file named by --kubeconfig must exist: kubectl fails, so there is no context
      if (explicit) return target(cluster, cluster.context ?? null, cluster.namespace ?? null);
      continue;
    }
    let doc: unknown;
    try {
      doc = parseYaml(t.text);
    } catch {
      return null;
    }
    if (doc === null || doc === undefined) continue; // an empty file is an empty config
    if (!isMap(doc)) return null;
    const cc = doc['current-context'];
    if (cc !== undefined && cc !== null && typeof cc !== 'string') return null;
    if (!current && cc) current = cc;
    const contexts = doc.contexts ?? [];
    if (!Array.isArray(contexts)) return null;
    for (const c of contexts) {
      if (!isMap(c) || typeof c.name !== 'string') return null;
      if (namespaceOf.has(c.name)) continue; // the first file that names a context wins
      const body = c.context;
      if (body !== undefined && body !== null && !isMap(body)) return null;
      const ns = isMap(body) ? body.namespace : undefined;
      if (ns !== undefined && ns !== null && typeof ns !== 'string') return null;
      namespaceOf.set(c.name, ns ?? '');
    }
  }
  const context = cluster.context ?? (current || null);
  const namespace = cluster.namespace ?? (context !== null ? (namespaceOf.get(context) ?? null) : null);
  return target(cluster, context, namespace);
}

export async function readClusterTarget(cluster: ClusterOptions, timeoutMs = 3000, env: NodeJS.ProcessEnv = process.env): Promise<ClusterTarget> {
  if (cluster.context && cluster.namespace) return target(cluster, cluster.context, cluster.namespace);
  const { files, explicit } = kubeconfigFiles(cluster, env);
  const texts = await Promise.all(
    files.map(async (file): Promise<KubeconfigText | null> => {
      try {
        return { file, text: await readFile(file, 'utf8') };
      } catch (e) {
        // only "not there" is kubectl's "skip it"; anything else (permissions, a folder) is asked of kubectl
        return (e as NodeJS.ErrnoException).code === 'ENOENT' ? { file, missing: true } : null;
      }
    }),
  );
  const resolved = texts.every((t) => t !== null) ? resolveFromKubeconfigs(texts as KubeconfigText[], cluster, explicit) : null;
  return resolved ?? readClusterTargetWithKubectl(cluster, timeoutMs);
}
