import { writeFileSync } from 'node:fs';
import { createLabServer } from './src/lab/server/http.ts';
import { kubeconfigYaml } from './src/lab/server/kubeconfig.ts';
import { loadScenarioFile, resolveScenarioRef } from './src/lab/scenario/load.ts';
const sc = loadScenarioFile(resolveScenarioRef(process.argv[2] ?? 'overlay-mtu'));
const srv = await createLabServer({ scenario: sc, port: 0, log: (l) => { if (process.env.LOG) console.error(l); }, execPlan: (_p, argv) => ({ file: argv[0]!, args: argv.slice(1) }) });
writeFileSync('/tmp/h4/kc', kubeconfigYaml({ context: 'netwiz-lab-x', server: srv.url, caPem: srv.caPem, token: srv.token, user: 'netwiz-lab', namespace: sc.entry.namespace }));
console.log('ready', srv.url);
