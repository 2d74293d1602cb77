import { defineParser, couldNotParse, parsed, isRecord, str } from './outcome.js';

/** `kubectl config view --minify -o json`: where the API server is, never the credentials
 * (users are not read at all, so nothing secret can become a fact). */
export const kubectlConfigParser = defineParser({
  name: 'kubectl-config',
  description: 'kubectl config view --minify -o json: server, server_host, server_port, context, cluster, namespace',
  fields: ['server', 'server_host', 'server_port', 'context', 'cluster', 'namespace'],
  parse({ stdout }) {
    let doc: unknown;
    try {
      doc = JSON.parse(stdout);
    } catch (err) {
      return couldNotParse('kubeconfig JSON', (err as Error).message);
    }
    if (!isRecord(doc) || !Array.isArray(doc.clusters)) return couldNotParse('kubeconfig JSON', 'no clusters list (expected kubectl config view -o json)');
    const current = str(doc['current-context']) ?? '';
    const contexts = Array.isArray(doc.contexts) ? doc.contexts.filter(isRecord) : [];
    const ctx = contexts.find((c) => c.name === current) ?? contexts[0];
    const ctxBody = ctx && isRecord(ctx.context) ? ctx.context : {};
    const clusterName = str(ctxBody.cluster) ?? '';
    const clusters = doc.clusters.filter(isRecord);
    const cluster = clusters.find((c) => c.name === clusterName) ?? clusters[0];
    const server = cluster && isRecord(cluster.cluster) ? (str(cluster.cluster.server) ?? '') : '';
    let host = '';
    let port: number | null = null;
    try {
      const u = new URL(server);
      host = u.hostname.replace(/^\[|\]$/g, '');
      port = u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
    } catch {
      // a server that is not a URL leaves host/port empty; the fact says so
    }
    return parsed({
      server,
      server_host: host,
      server_port: port,
      context: current,
      cluster: clusterName,
      namespace: str(ctxBody.namespace) ?? '',
    });
  },
});
