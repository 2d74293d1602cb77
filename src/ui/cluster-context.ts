// Which cluster and namespace this session talks to, read the way kubectl resolves them,
// so the start screen can show it before anything runs.
import { execFile } from 'node:child_process';
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

export async function readClusterTarget(cluster: ClusterOptions, timeoutMs = 3000): Promise<ClusterTarget> {
  const [current, ns] = await Promise.all([
    cluster.context ? Promise.resolve(cluster.context) : kubectl(cluster, ['config', 'current-context'], timeoutMs),
    cluster.namespace ? Promise.resolve(cluster.namespace) : kubectl(cluster, ['config', 'view', '--minify', '-o', 'jsonpath={..namespace}'], timeoutMs),
  ]);
  return {
    context: current || null,
    namespace: ns || 'default',
    source: cluster.context ? 'flag' : current ? 'kubeconfig' : 'none',
  };
}
