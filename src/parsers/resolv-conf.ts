import { defineParser, couldNotParse, parsed, int, lines } from './outcome.js';

/** /etc/resolv.conf: nameservers, search list, ndots. `non_cluster_search` holds the search
 * domains that are not the Kubernetes cluster domain's: with ndots ≥ 2 they can turn an
 * external name into another network's host (incident 002). */
export const resolvConfParser = defineParser({
  name: 'resolv-conf',
  description: 'cat /etc/resolv.conf: nameservers, search, ndots, options, cluster_domain, non_cluster_search, has_non_cluster_search',
  fields: ['nameservers', 'search', 'ndots', 'options', 'cluster_domain', 'non_cluster_search', 'has_non_cluster_search', 'commented_search'],
  parse({ stdout }) {
    const nameservers: string[] = [];
    let search: string[] = [];
    let ndots: number | null = null;
    const options: string[] = [];
    const commented: string[] = [];
    let recognised = 0;
    let other = 0;
    for (const raw of lines(stdout)) {
      const line = raw.trim();
      if (line === '') continue;
      if (line.startsWith('#') || line.startsWith(';')) {
        const c = /^[#;]\s*search\s+(.+)$/.exec(line);
        if (c) commented.push(...(c[1] ?? '').split(/\s+/));
        continue;
      }
      const [key, ...rest] = line.split(/\s+/);
      if (key === 'nameserver') {
        if (rest[0]) nameservers.push(rest[0]);
        recognised++;
      } else if (key === 'search' || key === 'domain') {
        // the last search/domain line wins, as in glibc
        search = rest.filter((d) => d !== '');
        recognised++;
      } else if (key === 'options') {
        for (const o of rest) {
          options.push(o);
          const n = /^ndots:(\d+)$/.exec(o);
          if (n) ndots = int(n[1]);
        }
        recognised++;
      } else if (key === 'sortlist') {
        recognised++;
      } else {
        other++;
      }
    }
    if (recognised === 0 && other > 0) return couldNotParse('resolv.conf', 'no nameserver, search or options lines');
    // kubelet writes "<ns>.svc.<domain> svc.<domain> <domain>"; find <domain> from svc.<domain>
    const svc = search.find((d) => /^svc\./.test(d));
    const clusterDomain = svc ? svc.slice(4) : '';
    const nonCluster = search.filter((d) => clusterDomain === '' || (d !== clusterDomain && !d.endsWith(`.${clusterDomain}`)));
    return parsed({
      nameservers,
      search,
      ndots: ndots ?? 1,
      options,
      cluster_domain: clusterDomain,
      non_cluster_search: nonCluster,
      has_non_cluster_search: nonCluster.length > 0,
      commented_search: commented,
    });
  },
});
