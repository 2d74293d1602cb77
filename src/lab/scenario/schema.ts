// The authoring format of a scenario file (src/lab/scenarios/README.md describes it).
// Authors write the short form; load.ts fills defaults and derives pods into model.ts's Scenario.
import { z } from 'zod';

const dnsName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label: lower-case letters, digits and "-", at most 63 characters')
  .max(63);
const ipv4 = z
  .string()
  .regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, 'must be an IPv4 address such as 10.77.0.11');
const cidr = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-9]|30)$/, 'must be an IPv4 CIDR between /16 and /30, such as 10.244.1.0/24');
const labels = z.record(z.string().min(1), z.string());
const port = z.number().int().min(1).max(65535);

const appBehaviour = z.strictObject({
  listen: z.array(port).optional(),
  /** path → body size in bytes */
  responses: z.record(z.string().startsWith('/'), z.number().int().min(0).max(64 * 1024 * 1024)).optional(),
  status: z.number().int().min(100).max(599).optional(),
});

const containerPort = z.strictObject({ name: z.string().optional(), containerPort: port });

export const nodeSchema = z.strictObject({
  name: dnsName,
  ip: ipv4,
  podCidr: cidr,
  kernel: z.string().min(1).optional(),
  nicMtu: z.number().int().min(576).max(9000).optional(),
  overlay: z
    .strictObject({
      type: z.enum(['vxlan', 'ipip']),
      device: z.string().min(1).max(15).optional(),
      mtu: z.number().int().min(576).max(9000),
    })
    .optional(),
  sysctls: z.record(z.string().min(1), z.union([z.string(), z.number()])).optional(),
  netstat: z.record(z.string().min(1), z.number().int()).optional(),
  labels: labels.optional(),
});

export const workloadSchema = z.strictObject({
  name: dnsName,
  namespace: dnsName.optional(),
  kind: z.literal('Deployment').optional(),
  labels: labels.optional(),
  selector: labels.optional(),
  templateLabels: labels.optional(),
  replicas: z.number().int().min(0).max(50),
  image: z.string().min(1).optional(),
  containerName: dnsName.optional(),
  ports: z.array(containerPort).optional(),
  app: appBehaviour.optional(),
  placement: z.array(dnsName).min(1).optional(),
  replicaOverrides: z.record(z.string().regex(/^\d+$/, 'must be a replica index (0, 1, …)'), appBehaviour).optional(),
});

export const podSchema = z.strictObject({
  name: dnsName,
  namespace: dnsName.optional(),
  node: dnsName,
  ip: ipv4.optional(),
  labels: labels.optional(),
  image: z.string().min(1).optional(),
  containerName: dnsName.optional(),
  ports: z.array(containerPort).optional(),
  app: appBehaviour.optional(),
  hostNetwork: z.boolean().optional(),
  tools: z.array(z.string().min(1)).optional(),
});

export const serviceSchema = z.strictObject({
  name: dnsName,
  namespace: dnsName.optional(),
  type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer']).optional(),
  clusterIP: ipv4,
  selector: labels,
  ports: z
    .array(
      z.strictObject({
        name: z.string().optional(),
        port,
        targetPort: port.optional(),
        nodePort: z.number().int().min(1024).max(65535).optional(),
        protocol: z.literal('TCP').optional(),
      }),
    )
    .min(1),
  externalIPs: z.array(ipv4).optional(),
  loadBalancerIP: ipv4.optional(),
  externalTrafficPolicy: z.enum(['Cluster', 'Local']).optional(),
});

const faultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('overlay-mtu') }),
  z.strictObject({ kind: z.literal('selector-overlap'), service: dnsName }),
  z.strictObject({ kind: z.literal('externalip-conflict'), service: dnsName, ip: ipv4, nodes: z.array(dnsName).min(1) }),
  z.strictObject({ kind: z.literal('tw-recycle-nat'), node: dnsName, natClients: z.array(dnsName).min(1) }),
  z.strictObject({ kind: z.literal('dns-search-domain'), domain: z.string().min(1), wrongIp: ipv4 }),
  z.strictObject({
    kind: z.literal('bad-replica'),
    workload: dnsName,
    replica: z.number().int().min(0),
    mode: z.enum(['rst', 'http500']),
  }),
]);

export const scenarioFileSchema = z.strictObject({
  name: dnsName,
  title: z.string().min(1),
  description: z.string().min(1),
  incident: z.string().regex(/^\d{3}$/, 'must be an incident number such as "004"').optional(),
  expectedCause: z.string().min(1),
  entry: z.strictObject({ namespace: dnsName, service: dnsName, clientPod: dnsName }),
  /** default namespace for workloads, pods and services that name none */
  namespace: dnsName.optional(),
  namespaces: z.array(dnsName).optional(),
  nodes: z.array(nodeSchema).min(1),
  workloads: z.array(workloadSchema).optional(),
  pods: z.array(podSchema).optional(),
  services: z.array(serviceSchema).optional(),
  dns: z
    .strictObject({
      serverNode: dnsName.optional(),
      serverIp: ipv4.optional(),
      records: z.record(z.string().min(1), ipv4).optional(),
      podSearch: z.array(z.string().min(1)).optional(),
      nodeSearch: z.array(z.string().min(1)).optional(),
      ndots: z.number().int().min(1).max(15).optional(),
    })
    .optional(),
  faults: z.array(faultSchema).optional(),
  rbac: z
    .strictObject({
      user: z.string().min(1).optional(),
      deny: z.array(z.strictObject({ verb: z.string().min(1), resource: z.string().min(1), subresource: z.string().min(1).optional() })),
    })
    .optional(),
});

export type ScenarioFile = z.infer<typeof scenarioFileSchema>;
