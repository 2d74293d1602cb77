// The per-lab kubeconfig: its own cluster, user and context names, written into the lab's
// state dir (never ~/.kube/config). kubectl reads it via --kubeconfig or $KUBECONFIG.
import { stringify } from 'yaml';

export interface KubeconfigInput {
  context: string;
  server: string;
  caPem: string;
  token: string;
  user: string;
  namespace: string;
}

export function kubeconfigYaml(k: KubeconfigInput): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: k.context, cluster: { server: k.server, 'certificate-authority-data': Buffer.from(k.caPem).toString('base64') } }],
    users: [{ name: `${k.user}@${k.context}`, user: { token: k.token } }],
    contexts: [{ name: k.context, context: { cluster: k.context, user: `${k.user}@${k.context}`, namespace: k.namespace } }],
    'current-context': k.context,
    preferences: {},
  });
}
