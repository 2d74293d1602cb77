// Registry of output parsers by name. Playbooks name a parser in `parse:`;
// `netwiz validate` rejects unknown names.
import type { Parser } from './types.js';
import { jsonParser } from './json.js';
import { linesParser } from './lines.js';
import { kubectlJsonParser } from './kubectl-json.js';
import { kubectlListParser } from './kubectl-list.js';
import { kubectlPodsParser } from './kubectl-pods.js';
import { kubectlServiceParser, kubectlServicesParser } from './kubectl-service.js';
import { kubectlEndpointsParser, kubectlEndpointSlicesParser } from './kubectl-endpoints.js';
import { kubectlDeploymentParser } from './kubectl-deployment.js';
import { kubectlNodesParser } from './kubectl-nodes.js';
import { kubectlConfigParser } from './kubectl-config.js';
import { ipLinkParser } from './ip-link.js';
import { ipAddrParser } from './ip-addr.js';
import { ipNeighParser } from './ip-neigh.js';
import { pingParser } from './ping.js';
import { tracepathParser } from './tracepath.js';
import { digParser } from './dig.js';
import { getentHostsParser } from './getent-hosts.js';
import { resolvConfParser } from './resolv-conf.js';
import { sysctlParser } from './sysctl.js';
import { netstatParser } from './netstat.js';
import { tcpdumpParser } from './tcpdump.js';
import { curlParser, curlProbeParser } from './curl.js';
import { arpingParser } from './arping.js';
import { unameParser } from './uname.js';
import { hopCaptureParser } from './hop-capture.js';

const all: Parser[] = [
  jsonParser,
  linesParser,
  kubectlJsonParser,
  kubectlListParser,
  kubectlPodsParser,
  kubectlServiceParser,
  kubectlServicesParser,
  kubectlEndpointsParser,
  kubectlEndpointSlicesParser,
  kubectlDeploymentParser,
  kubectlNodesParser,
  kubectlConfigParser,
  ipLinkParser,
  ipAddrParser,
  ipNeighParser,
  pingParser,
  tracepathParser,
  digParser,
  getentHostsParser,
  resolvConfParser,
  sysctlParser,
  netstatParser,
  tcpdumpParser,
  curlParser,
  curlProbeParser,
  arpingParser,
  unameParser,
  hopCaptureParser,
];

export const parsers: ReadonlyMap<string, Parser> = new Map(all.map((p) => [p.name, p]));

export function getParser(name: string): Parser | undefined {
  return parsers.get(name);
}

export { CURL_WRITE_OUT, classifyCurl } from './curl.js';
export { diffNetstat, readNetstat } from './netstat.js';
export { ENCAP_OVERHEAD } from './ip-link.js';
