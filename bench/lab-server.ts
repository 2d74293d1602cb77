// Lab API server costs: server start (API only), and the real kubectl's latency against it
// for get, get -o wide (Table), scale and exec. Run: node --import tsx bench/lab-server.ts
import { execa } from 'execa';
import { startLab } from '../test/helpers/lab.js';
import { createLabServer } from '../src/lab/server/http.js';
import { loadScenarioFile, resolveScenarioRef } from '../src/lab/scenario/load.js';

const N = Number(process.env.N ?? 20);

function stats(ms: number[]): string {
  const s = [...ms].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))]!.toFixed(1);
  return `median ${q(0.5)} ms  p90 ${q(0.9)} ms  min ${s[0]!.toFixed(1)} ms  (n=${s.length})`;
}

const scenario = loadScenarioFile(resolveScenarioRef('overlay-mtu'));
const starts: number[] = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  const srv = await createLabServer({ scenario });
  starts.push(performance.now() - t);
  await srv.close();
}
console.log(`server start (overlay-mtu, API only, incl. cert): ${stats(starts)}`);

const lab = await startLab('overlay-mtu', { dataPlane: 'none', exec: 'host' });
await lab.kubectl(['get', 'pods']); // warm the discovery cache
const measure = async (label: string, args: string[]) => {
  const ms: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    const r = await lab.kubectl(args);
    ms.push(performance.now() - t);
    if (r.exitCode !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  }
  console.log(`kubectl ${label.padEnd(22)} ${stats(ms)}`);
};
await measure('version --client', ['version', '--client']);
await measure('get pods', ['get', 'pods']);
await measure('get pods -o wide', ['get', 'pods', '-o', 'wide']);
await measure('get pods -o json', ['get', 'pods', '-o', 'json']);
await measure('scale --replicas=3', ['scale', 'deploy', 'apiserver', '--replicas=3']);
await measure('exec -- true', ['exec', lab.clientPod, '--', 'true']);
const raw: number[] = [];
for (let i = 0; i < N; i++) {
  const t = performance.now();
  await execa('curl', ['-sk', '-H', `Authorization: Bearer ${lab.server.token}`, `${lab.server.url}/api/v1/namespaces/app-system/pods`]);
  raw.push(performance.now() - t);
}
console.log(`curl list pods (server + curl)   ${stats(raw)}`);
await lab.stop();
