// The body of the detached lab server process (`netwiz lab __serve`): loads the scenario,
// builds the data plane when asked, serves the API, writes kubeconfig and lab.json, and
// on SIGTERM/SIGINT takes everything down again before it exits.
import { writeFileSync } from 'node:fs';
import type { DataPlane } from '../dataplane.js';
import { loadScenarioFile } from '../scenario/load.js';
import { labFiles, readLabRecord, writeLabRecord, type LabRecord } from '../lab-state.js';
import { createLabServer } from './http.js';
import { kubeconfigYaml } from './kubeconfig.js';

export interface ServeOptions {
  dir: string;
  name: string;
  scenarioFile: string;
  dataPlane: boolean;
  /** why there is no data plane (shown by kubectl exec), when dataPlane is false */
  noDataPlaneReason?: string;
}

export function labContextName(name: string): string {
  return `netwiz-lab-${name}`;
}

export async function serveLab(o: ServeOptions): Promise<void> {
  const files = labFiles(o.dir);
  const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  const base = readLabRecord(o.dir);
  let plane: (DataPlane & { status?: () => { prefix: string; ledger: string; warnings: string[] } }) | undefined;
  const fail = async (e: unknown) => {
    const msg = e instanceof Error ? e.message : String(e);
    log(`lab failed: ${msg}`);
    if (plane) await plane.down().catch((err: unknown) => log(`data plane down failed: ${String(err)}`));
    if (base) writeLabRecord(o.dir, { ...base, state: 'failed', error: msg });
    process.exit(1);
  };
  try {
    const scenario = loadScenarioFile(o.scenarioFile);
    if (o.dataPlane) {
      const { NetnsDataPlane } = await import('../netns/index.js');
      plane = new NetnsDataPlane({ stateDir: o.dir });
    }
    const server = await createLabServer({
      scenario,
      ...(plane ? { dataPlane: plane } : {}),
      ...(o.noDataPlaneReason ? { noDataPlaneReason: o.noDataPlaneReason } : {}),
      log,
    });
    const context = labContextName(o.name);
    writeFileSync(
      files.kubeconfig,
      kubeconfigYaml({ context, server: server.url, caPem: server.caPem, token: server.token, user: server.cluster.user, namespace: scenario.entry.namespace }),
      { mode: 0o600 },
    );
    const st = plane?.status?.();
    const rec: LabRecord = {
      ...(base as LabRecord),
      state: 'ready',
      pid: process.pid,
      port: server.port,
      server: server.url,
      kubeconfig: files.kubeconfig,
      context,
      dataPlane: plane
        ? { enabled: true, ...(st ? { prefix: st.prefix, ledger: st.ledger, warnings: st.warnings } : {}) }
        : { enabled: false, ...(o.noDataPlaneReason ? { reason: o.noDataPlaneReason } : {}) },
    };
    writeLabRecord(o.dir, rec);
    log(`lab ${o.name} (${scenario.name}) ready at ${server.url}`);
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      log(`${signal}: stopping`);
      await server.close().catch((e: unknown) => log(`server close: ${String(e)}`));
      if (plane) await plane.down().catch((e: unknown) => log(`data plane down failed: ${String(e)}`));
      const cur = readLabRecord(o.dir);
      if (cur) writeLabRecord(o.dir, { ...cur, state: 'stopped' });
      process.exit(0);
    };
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGHUP', () => void stop('SIGHUP'));
  } catch (e) {
    await fail(e);
  }
}
