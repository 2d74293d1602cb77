// Fault rules that are not plain topology, rendered per node as one nftables table. Pure.
//
// tw-recycle-nat (incidents 001/002): tcp_tw_recycle is gone from kernels >= 4.12, so the
// lab emulates its effect. The client pods named in the fault reach the server node through
// NAT (their node SNATs them to its own address, as Calico's natOutgoing or a NAT gateway
// does). On the server node a raw-prerouting rule drops SYNs from those NAT addresses whose
// source port is odd: a stand-in for "the timestamp is older than the last one seen from
// this IP", which under NAT hits some connections and not others. A dropped connection's
// retransmitted SYNs keep the same port, so they are dropped too: tcpdump shows [S]
// repeated about every second and never [S.], exactly the incident's capture. Direct
// clients (pod IPs, not NATed) are never dropped. The drops are counted by a named counter
// that the emulated /proc/net/netstat reads (PAWSPassive and ListenDrops rise with it).
import type { Scenario, ScenarioPod, ScenarioService } from '../scenario/model.js';

export const FAULT_TABLE = 'netwiz-fault';
export const PAWS_COUNTER = 'paws_passive';

type TwFault = Extract<Scenario['faults'][number], { kind: 'tw-recycle-nat' }>;

export function twRecycleFault(s: Scenario): TwFault | undefined {
  return s.faults.find((f): f is TwFault => f.kind === 'tw-recycle-nat');
}

/** NAT addresses of the clients behind NAT: the addresses of the nodes that SNAT them */
export function natAddresses(s: Scenario, pods: ScenarioPod[], fault: TwFault): string[] {
  const out = new Set<string>();
  for (const p of pods) {
    if (!fault.natClients.includes(p.name) || p.node === fault.node) continue;
    const node = s.nodes.find((n) => n.name === p.node);
    if (node !== undefined) out.add(node.ip);
  }
  return [...out].sort();
}

export const NAT_SOURCES_SET = 'nat_sources';

/** the source-port bit that marks a SYN as "older than the last one seen" (see top) */
export const TW_DROP_PORT_MASK = 2;

/** whether the emulated tcp_tw_recycle drops SYNs from this (NATed) source port */
export function twRecycleDropsPort(port: number): boolean {
  return (port & TW_DROP_PORT_MASK) !== 0;
}

export interface FaultRenderOptions {
  /** false once the node's emulated tcp_tw_recycle (or its tcp_timestamps) is set to 0: the fix */
  twRecycleActive?: boolean;
}

export function renderFaultRuleset(s: Scenario, pods: ScenarioPod[], nodeName: string, opts: FaultRenderOptions = {}): string {
  const rules: string[] = [];
  const tw = twRecycleFault(s);
  if (tw !== undefined) {
    const serverNode = s.nodes.find((n) => n.name === tw.node);
    const thisNode = s.nodes.find((n) => n.name === nodeName);
    if (serverNode !== undefined && thisNode !== undefined) {
      if (nodeName === tw.node) {
        // the NAT sources live in a set, so flipping the emulated sysctl only empties or
        // refills it (node-shim.mjs does that on `sysctl -w net.ipv4.tcp_tw_recycle=…`)
        const nat = opts.twRecycleActive === false ? [] : natAddresses(s, pods, tw);
        rules.push(
          `  counter ${PAWS_COUNTER} { }`,
          `  set ${NAT_SOURCES_SET} {\n    type ipv4_addr\n${nat.length > 0 ? `    elements = { ${nat.join(', ')} }\n` : ''}  }`,
          `  chain raw-prerouting {\n    type filter hook prerouting priority raw; policy accept;\n` +
            `    ip saddr @${NAT_SOURCES_SET} tcp flags & (syn | ack) == syn tcp sport & ${TW_DROP_PORT_MASK} == ${TW_DROP_PORT_MASK} counter name ${PAWS_COUNTER} drop\n` +
            `  }`,
        );
      } else {
        const clients = pods.filter((p) => tw.natClients.includes(p.name) && p.node === nodeName && !p.hostNetwork);
        if (clients.length > 0) {
          const dests = [serverNode.ip, serverNode.podCidr].join(', ');
          rules.push(
            `  chain nat-postrouting {\n    type nat hook postrouting priority srcnat + 10; policy accept;\n` +
              `    ip saddr { ${clients.map((c) => c.ip).join(', ')} } ip daddr { ${dests} } snat to ${thisNode.ip}\n  }`,
          );
        }
      }
    }
  }
  return [`add table ip ${FAULT_TABLE}`, `delete table ip ${FAULT_TABLE}`, `table ip ${FAULT_TABLE} {`, ...rules, `}`, ''].join('\n');
}

type ExtFault = Extract<Scenario['faults'][number], { kind: 'externalip-conflict' }>;

/**
 * externalip-conflict (incident 003). The conflicting address belongs to a load balancer
 * that is no node: the lab gives it its own namespace on the nodes' L2 (the address on its
 * NIC, a listener on LB_OWNER_PORT, like the apiserver behind the LB). The fault's `nodes`
 * got the address from IPVS-mode kube-proxy, which binds every externalIP on the dummy
 * `kube-ipvs0` of every node. This kernel has neither dummy nor IPVS, so kube-ipvs0 is an
 * empty bridge left DOWN: its addresses still get local routes, and with the default
 * arp_ignore=0 those nodes answer ARP for them on eth0 as well. ARP for the address gets
 * several MACs; a connect that lands on a node meets no listener and gets RST. Strict ARP
 * (arp_ignore=1, arp_announce=2) on the nodes silences them: only the LB answers.
 */
export function externalIpBindings(s: Scenario, current?: readonly ScenarioService[]): Map<string, string[]> {
  const byNode = new Map<string, string[]>();
  for (const f of externalIpFaults(s)) {
    if (current !== undefined && !faultAddressBound(s, f, current)) continue;
    const nodes = f.nodes.length > 0 ? f.nodes : s.nodes.map((n) => n.name);
    for (const n of nodes) byNode.set(n, [...new Set([...(byNode.get(n) ?? []), f.ip])]);
  }
  return byNode;
}

/**
 * Whether kube-proxy still binds the fault's address, given the Services as they are now
 * (kubectl patch/edit reach the data plane through serviceChanged). kube-proxy binds an
 * address because a Service lists it (externalIPs or loadBalancerIP): when the scenario's
 * Service listed it and the current one no longer does (incident 003's fix), the binding
 * goes. A fault whose scenario Service never listed the address does not depend on the spec.
 */
export function faultAddressBound(s: Scenario, f: ExtFault, current: readonly ScenarioService[]): boolean {
  const lists = (v: ScenarioService | undefined) => v !== undefined && (v.externalIPs.includes(f.ip) || v.loadBalancerIP === f.ip);
  const byName = (list: readonly ScenarioService[]) => list.find((v) => v.name === f.service && v.namespace === s.entry.namespace) ?? list.find((v) => v.name === f.service);
  if (!lists(byName(s.services))) return true;
  return lists(byName(current));
}

/** addresses the lab's load balancer namespace owns (conflicting ones that are no node's) */
export function loadBalancerAddresses(s: Scenario): string[] {
  const nodeIps = new Set(s.nodes.map((n) => n.ip));
  return [...new Set(externalIpFaults(s).map((f) => f.ip))].filter((ip) => !nodeIps.has(ip));
}

export function externalIpFaults(s: Scenario): ExtFault[] {
  return s.faults.filter((f): f is ExtFault => f.kind === 'externalip-conflict');
}

/** the port the rightful owner of a conflicting address serves (the apiserver behind the LB) */
export const LB_OWNER_PORT = 6443;
