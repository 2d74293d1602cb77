import { defineParser, couldNotParse, parsed, isRecord, str, stringMap } from './outcome.js';
import { containersOf, labelsOf, meta, nameOf, namespaceOf, ownerOf, portsOf, readKubeDoc, selectorString, spec, status } from './kubectl-doc.js';

/** A Deployment (or ReplicaSet / StatefulSet): replica counts, selector, pod template placement. */
export const kubectlDeploymentParser = defineParser({
  name: 'kubectl-deployment',
  description:
    'kubectl get deploy NAME -o json: replicas, ready_replicas, selector, selector_string, templateLabels, nodeSelector, nodeName, ports, owner',
  fields: [
    'kind',
    'name',
    'namespace',
    'replicas',
    'ready_replicas',
    'available_replicas',
    'selector',
    'selector_string',
    'templateLabels',
    'nodeSelector',
    'nodeName',
    'containers',
    'ports',
    'labels',
    'owner_kind',
    'owner_name',
    'generation',
    'observed_generation',
  ],
  parse({ stdout }) {
    const r = readKubeDoc(stdout);
    if (!r.ok) return couldNotParse('kubectl deployment JSON', r.why);
    const obj = r.isList ? r.items[0] : r.doc;
    if (!obj || !isRecord(obj.spec)) return couldNotParse('kubectl deployment JSON', 'no spec (expected a Deployment, ReplicaSet or StatefulSet)');
    const s = spec(obj);
    const st = status(obj);
    const sel = isRecord(s.selector) ? stringMap(s.selector.matchLabels) : {};
    const template = isRecord(s.template) ? s.template : {};
    const tSpec = isRecord(template.spec) ? template.spec : {};
    const tMeta = isRecord(template.metadata) ? template.metadata : {};
    const owner = ownerOf(obj);
    const numOrNull = (v: unknown) => (typeof v === 'number' ? v : null);
    return parsed({
      kind: str(obj.kind) ?? '',
      name: nameOf(obj),
      namespace: namespaceOf(obj),
      // an omitted spec.replicas means 1
      replicas: typeof s.replicas === 'number' ? s.replicas : 1,
      ready_replicas: numOrNull(st.readyReplicas) ?? 0,
      available_replicas: numOrNull(st.availableReplicas) ?? 0,
      selector: sel,
      selector_string: selectorString(sel),
      templateLabels: stringMap(tMeta.labels),
      nodeSelector: stringMap(tSpec.nodeSelector),
      nodeName: str(tSpec.nodeName) ?? '',
      containers: containersOf(tSpec).map((c) => str(c.name) ?? ''),
      ports: portsOf(tSpec),
      labels: labelsOf(obj),
      owner_kind: owner?.kind ?? '',
      owner_name: owner?.name ?? '',
      generation: numOrNull(meta(obj).generation),
      observed_generation: numOrNull(st.observedGeneration),
    });
  },
});
