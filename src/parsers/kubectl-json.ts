import { defineParser, couldNotParse, parsed } from './outcome.js';
import { labelsOf, nameOf, namespaceOf, ownerOf, readKubeDoc } from './kubectl-doc.js';

/** Any kubectl JSON document: identity of the object (or of each List item) plus the raw object. */
export const kubectlJsonParser = defineParser({
  name: 'kubectl-json',
  description: 'kubectl -o json: kind, name, namespace, labels, owner; Lists give items and item_count; raw document in `object`',
  fields: ['kind', 'name', 'namespace', 'labels', 'owner_kind', 'owner_name', 'is_list', 'item_count', 'items', 'object'],
  parse({ stdout }) {
    const r = readKubeDoc(stdout);
    if (!r.ok) return couldNotParse('kubectl JSON', r.why);
    const owner = r.isList ? null : ownerOf(r.doc);
    return parsed({
      kind: typeof r.doc.kind === 'string' ? r.doc.kind : '',
      name: r.isList ? '' : nameOf(r.doc),
      namespace: r.isList ? '' : namespaceOf(r.doc),
      labels: r.isList ? {} : labelsOf(r.doc),
      owner_kind: owner?.kind ?? null,
      owner_name: owner?.name ?? null,
      is_list: r.isList,
      item_count: r.items.length,
      items: r.items.map((i) => ({
        kind: typeof i.kind === 'string' ? i.kind : '',
        name: nameOf(i),
        namespace: namespaceOf(i),
        labels: labelsOf(i),
      })),
      object: r.doc,
    });
  },
});
