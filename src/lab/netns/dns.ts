// The lab's resolver: dnsmasq in the DNS node's namespace, serving the scenario's records
// and nothing else (no upstream, no /etc/hosts), plus the resolv.conf each pod and node gets
// through /etc/netns/NAME/resolv.conf. Pure: renders argv and file text.
import type { Scenario } from '../scenario/model.js';

export interface DnsRecords {
  /** exact names: name → address */
  hosts: [string, string][];
  /** wildcard zones: domain → address (from '*.domain' records and the search-domain fault) */
  wildcards: [string, string][];
}

export function dnsRecords(s: Scenario): DnsRecords {
  const hosts: [string, string][] = [];
  const wild = new Map<string, string>();
  for (const [name, ip] of Object.entries(s.dns.records)) {
    const n = name.replace(/\.$/, '');
    if (n.startsWith('*.')) wild.set(n.slice(2), ip);
    else hosts.push([n, ip]);
  }
  for (const f of s.faults) {
    // the other cluster's zone answers any name under it (incident 002's corp wildcard)
    if (f.kind === 'dns-search-domain' && !wild.has(f.domain)) wild.set(f.domain, f.wrongIp);
  }
  // Service names resolve like CoreDNS would: name.ns.svc.cluster.local → ClusterIP
  for (const svc of s.services) {
    hosts.push([`${svc.name}.${svc.namespace}.svc.cluster.local`, svc.clusterIP]);
  }
  return { hosts, wildcards: [...wild.entries()] };
}

/** zones dnsmasq answers authoritatively (NXDOMAIN for misses) instead of REFUSED */
export function localZones(s: Scenario, rec: DnsRecords): string[] {
  const zones = new Set<string>(['cluster.local']);
  for (const d of [...s.dns.podSearch, ...s.dns.nodeSearch]) zones.add(d);
  for (const [d] of rec.wildcards) zones.add(d);
  for (const [h] of rec.hosts) {
    const parts = h.split('.');
    if (parts.length > 1) zones.add(parts.slice(1).join('.'));
  }
  return [...zones].filter((z) => /^[a-z0-9.-]+$/i.test(z)).sort();
}

export function dnsmasqArgs(s: Scenario, listenIp: string, pidFile: string, logFile: string): string[] {
  const rec = dnsRecords(s);
  const args = [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    `--listen-address=${listenIp}`,
    '--bind-interfaces',
    `--pid-file=${pidFile}`,
    `--log-facility=${logFile}`,
    '--log-queries',
    '--user=root',
  ];
  for (const z of localZones(s, rec)) args.push(`--local=/${z}/`);
  for (const [name, ip] of rec.hosts) args.push(`--host-record=${name},${ip}`);
  for (const [domain, ip] of rec.wildcards) args.push(`--address=/${domain}/${ip}`);
  return args;
}

export function resolvConf(search: string[], ndots: number, server: string): string {
  const lines = [`# netwiz lab resolver (written by the netns data plane)`, `nameserver ${server}`];
  if (search.length > 0) lines.push(`search ${search.join(' ')}`);
  lines.push(`options ndots:${ndots}`);
  return `${lines.join('\n')}\n`;
}

/** kubelet's ClusterFirst: the cluster search list, then the node's own search domains */
export function podResolvConf(s: Scenario): string {
  const search = [...s.dns.podSearch, ...s.dns.nodeSearch.filter((d) => !s.dns.podSearch.includes(d))];
  return resolvConf(search, s.dns.ndots, s.dns.serverIp);
}

export function nodeResolvConf(s: Scenario): string {
  // ndots on a node is the libc default (1); pods get the scenario's
  return resolvConf(s.dns.nodeSearch, 1, s.dns.serverIp);
}
