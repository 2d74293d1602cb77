// Test helper: a scenario lab in this test process, driven by the real kubectl.
//
//   const lab = await startLab('overlay-mtu');                 // data plane when root (default 'auto')
//   const lab = await startLab('healthy', { dataPlane: 'none', exec: 'host' }); // API only, execs run on the host
//   const r = await lab.kubectl(['get', 'pods', '-o', 'json']); // {stdout, stderr, exitCode}
//   lab.kubeconfig / lab.context / lab.namespace / lab.service / lab.clientPod / lab.env
//   await lab.stop();                                          // in afterAll; idempotent
//
// One lab per test file keeps suites fast (kubectl itself costs ~70 ms a call).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { DataPlane, SpawnPlan } from '../../src/lab/dataplane.js';
import type { LabAccess } from '../../src/lab/lab-state.js';
import type { Scenario, ScenarioPod } from '../../src/lab/scenario/model.js';
import { loadScenarioFile, resolveScenarioRef } from '../../src/lab/scenario/load.js';
import { createLabServer, type LabServer } from '../../src/lab/server/http.js';
import { kubeconfigYaml } from '../../src/lab/server/kubeconfig.js';
import { labContextName } from '../../src/lab/server/serve.js';

export interface StartLabOptions {
  /** 'auto' (default): netns data plane when running as root, else none */
  dataPlane?: 'auto' | 'netns' | 'none';
  /**
   * How execs run: 'dataplane' (default; fails clearly without one), 'host' (argv runs as a
   * plain process on this machine: for API tests of exit codes and streams), or a function.
   */
  exec?: 'dataplane' | 'host' | ((pod: ScenarioPod, argv: string[]) => SpawnPlan);
  /** lab name used in the context name (default: scenario name) */
  name?: string;
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface TestLab extends LabAccess {
  scenario: Scenario;
  server: LabServer;
  dataPlane?: DataPlane;
  /** environment for child processes that run kubectl (netwiz, scripts): KUBECONFIG and
   * KUBECACHEDIR (kubectl's variable for its cache dir) */
  env: Record<string, string>;
  /** real kubectl against this lab: --kubeconfig and --cache-dir are added */
  kubectl(args: string[], opts?: { input?: string; timeoutMs?: number }): Promise<KubectlResult>;
  stop(): Promise<void>;
}

export const hostExecPlan = (_pod: ScenarioPod, argv: string[]): SpawnPlan => ({ file: argv[0] ?? 'false', args: argv.slice(1) });

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export async function startLab(scenarioRef: string, opts: StartLabOptions = {}): Promise<TestLab> {
  const scenario = loadScenarioFile(resolveScenarioRef(scenarioRef));
  const dir = mkdtempSync(path.join(tmpdir(), 'netwiz-testlab-'));
  const wantPlane = opts.dataPlane === 'netns' || ((opts.dataPlane ?? 'auto') === 'auto' && isRoot());
  let dataPlane: (DataPlane & { down(): Promise<void> }) | undefined;
  if (wantPlane) {
    const { NetnsDataPlane } = await import('../../src/lab/netns/index.js');
    dataPlane = new NetnsDataPlane({ stateDir: path.join(dir, 'dataplane') });
  }
  const execPlan = typeof opts.exec === 'function' ? opts.exec : opts.exec === 'host' ? hostExecPlan : undefined;
  let server: LabServer;
  try {
    server = await createLabServer({
      scenario,
      ...(dataPlane ? { dataPlane } : {}),
      ...(execPlan ? { execPlan } : {}),
      ...(process.env.NETWIZ_LAB_LOG ? { log: (l: string) => process.stderr.write(`[lab] ${l}\n`) } : {}),
    });
  } catch (e) {
    await dataPlane?.down().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const context = labContextName(opts.name ?? scenario.name);
  const kubeconfig = path.join(dir, 'kubeconfig');
  const cacheDir = path.join(dir, 'kube-cache');
  writeFileSync(
    kubeconfig,
    kubeconfigYaml({ context, server: server.url, caPem: server.caPem, token: server.token, user: server.cluster.user, namespace: scenario.entry.namespace }),
    { mode: 0o600 },
  );
  let stopped = false;
  return {
    scenario,
    server,
    ...(dataPlane ? { dataPlane } : {}),
    kubeconfig,
    context,
    namespace: scenario.entry.namespace,
    service: scenario.entry.service,
    clientPod: scenario.entry.clientPod,
    expectedCause: scenario.expectedCause,
    cacheDir,
    env: { KUBECONFIG: kubeconfig, KUBECACHEDIR: cacheDir },
    async kubectl(args, o = {}) {
      const r = await execa('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], {
        reject: false,
        stripFinalNewline: false,
        ...(o.input !== undefined ? { input: o.input } : { stdin: 'ignore' }),
        timeout: o.timeoutMs ?? 30_000,
        env: { KUBECONFIG: kubeconfig },
      });
      return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode: r.exitCode ?? -1 };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      await dataPlane?.down();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
