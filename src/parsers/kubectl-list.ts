import { defineParser, couldNotParse, parsed } from './outcome.js';
import { labelsOf, nameOf, namespaceOf, readKubeDoc } from './kubectl-doc.js';

/** A kubectl List reduced to names: for input choices (`field: name`) and counting. */
export const kubectlListParser = defineParser({
  name: 'kubectl-list',
  description: 'kubectl get … -o json List: items [{name, namespace, kind, labels}], names, count',
  fields: ['items', 'names', 'count'],
  parse({ stdout }) {
    const r = readKubeDoc(stdout);
    if (!r.ok) return couldNotParse('kubectl JSON list', r.why);
    const items = r.items.map((i) => ({
      name: nameOf(i),
      namespace: namespaceOf(i),
      kind: typeof i.kind === 'string' ? i.kind : '',
      labels: labelsOf(i),
    }));
    return parsed({ items, names: items.map((i) => i.name), count: items.length });
  },
});
