// Contract between the scenario API server (src/lab/server) and the network-namespace
// data plane (src/lab/netns). The server owns cluster state (pods, IPs, placement) and
// tells the data plane what changed; the data plane makes it real on the wire.
import type { Scenario, ScenarioPod, ScenarioService } from './scenario/model.js';

/** How to start a process "inside" a pod or node: argv for execa, no shell. */
export interface SpawnPlan {
  file: string;
  args: string[];
  env?: Record<string, string>;
}

export interface DataPlane {
  /** build namespaces, links, services, DNS and faults for the scenario's initial pods */
  up(scenario: Scenario, pods: ScenarioPod[]): Promise<void>;
  /** a pod was created (scale up, pod created by netwiz, including hostNetwork node pods) */
  podAdded(pod: ScenarioPod): Promise<void>;
  /** a pod was deleted (scale down, cleanup) */
  podRemoved(pod: ScenarioPod): Promise<void>;
  /** the Service's endpoints changed: re-program kube-proxy rules on every node */
  endpointsChanged(service: string, namespace: string, endpointPods: ScenarioPod[]): Promise<void>;
  /**
   * optional: a Service's spec changed (kubectl patch of externalIPs, ports, type...). The
   * server calls endpointsChanged too when its endpoints moved; this carries the rest.
   */
  serviceChanged?(service: ScenarioService): Promise<void>;
  /** how to run argv inside the pod (its netns; a hostNetwork pod runs in its node's) */
  execPlan(pod: ScenarioPod, argv: string[]): SpawnPlan;
  /** remove everything it created (idempotent; works from the ledger after a crash) */
  down(): Promise<void>;
}
