// kube-proxy as nftables rules inside one node namespace. Pure: renders the ruleset text
// that `nft -f -` loads. The shape follows kube-proxy's nftables mode: a services chain
// matches ClusterIP / externalIP / NodePort, a per-service chain picks an endpoint with
// `numgen random mod N`, a per-endpoint chain DNATs. Random choice means traffic really
// spreads, and an endpoint that does not listen really answers RST.
import type { ScenarioService } from '../scenario/model.js';

export const KUBE_PROXY_TABLE = 'netwiz-kube-proxy';
/** kube-proxy's masquerade mark */
const MASQ_MARK = '0x4000';

export interface ServiceEndpoints {
  service: ScenarioService;
  /** pod IPs of the ready endpoints, in a stable order */
  endpointIps: string[];
}

export function serviceKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** the full ruleset for one node; replaces the previous one atomically */
export function renderKubeProxyRuleset(services: ServiceEndpoints[]): string {
  const chains: string[] = [];
  const matches: string[] = [];
  const rejects: string[] = [];

  services.forEach(({ service, endpointIps }, si) => {
    service.ports.forEach((port, pi) => {
      const svcChain = `svc${si}p${pi}`;
      const addrs = [service.clusterIP, ...service.externalIPs, ...(service.loadBalancerIP ? [service.loadBalancerIP] : [])].filter(
        (a) => a !== '' && a !== 'None',
      );
      if (endpointIps.length === 0) {
        // kube-proxy rejects traffic to a service without endpoints
        for (const a of addrs) rejects.push(`ip daddr ${a} tcp dport ${port.port} reject with icmp type port-unreachable`);
        if (port.nodePort !== undefined) {
          rejects.push(`fib daddr type local tcp dport ${port.nodePort} reject with icmp type port-unreachable`);
        }
        return;
      }
      for (const a of addrs) matches.push(`ip daddr ${a} tcp dport ${port.port} jump ${svcChain}`);
      if (port.nodePort !== undefined) {
        chains.push(`  chain ${svcChain}np {\n    meta mark set meta mark | ${MASQ_MARK}\n    jump ${svcChain}\n  }`);
        matches.push(`fib daddr type local tcp dport ${port.nodePort} jump ${svcChain}np`);
      }
      const epChains = endpointIps.map((ip, ei) => {
        const name = `${svcChain}e${ei}`;
        // hairpin: a pod reaching itself through its service needs masquerade to get replies
        chains.push(
          `  chain ${name} {\n    ip saddr ${ip} meta mark set meta mark | ${MASQ_MARK}\n    meta l4proto tcp dnat to ${ip}:${port.targetPort}\n  }`,
        );
        return name;
      });
      const vmap = epChains.map((c, i) => `${i} : jump ${c}`).join(', ');
      chains.push(`  chain ${svcChain} {\n    numgen random mod ${epChains.length} vmap { ${vmap} }\n  }`);
    });
  });

  const lines = [
    `add table ip ${KUBE_PROXY_TABLE}`,
    `delete table ip ${KUBE_PROXY_TABLE}`,
    `table ip ${KUBE_PROXY_TABLE} {`,
    `  chain services {`,
    ...matches.map((m) => `    ${m}`),
    `  }`,
    ...chains,
    `  chain nat-prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n    jump services\n  }`,
    `  chain nat-output {\n    type nat hook output priority -100; policy accept;\n    jump services\n  }`,
    `  chain nat-postrouting {\n    type nat hook postrouting priority srcnat; policy accept;\n    meta mark & ${MASQ_MARK} == ${MASQ_MARK} masquerade\n  }`,
    `  chain reject-forward {\n    type filter hook forward priority filter; policy accept;\n${rejects.map((r) => `    ${r}\n`).join('')}  }`,
    `  chain reject-output {\n    type filter hook output priority filter; policy accept;\n${rejects.map((r) => `    ${r}\n`).join('')}  }`,
    `  chain reject-input {\n    type filter hook input priority filter; policy accept;\n${rejects.map((r) => `    ${r}\n`).join('')}  }`,
    `}`,
  ];
  return `${lines.join('\n')}\n`;
}
