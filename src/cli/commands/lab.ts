// `netwiz lab list|up|status|down`: a practice cluster whose API the real kubectl talks to.
// The lab modules are imported lazily so other commands do not load them.
import type { Command } from 'commander';
import { formatArgv, quoteArg } from '../../exec/format.js';

interface UpFlags {
  json?: boolean;
  name?: string;
  apiOnly?: boolean;
  requireDataPlane?: boolean;
}

export function registerLab(program: Command): void {
  const lab = program
    .command('lab')
    .description('scenario lab: a practice cluster (API server + network namespaces) for netwiz and kubectl');

  lab
    .command('list')
    .description('list the shipped scenarios')
    .option('--json', 'machine-readable output')
    .action(async (flags: { json?: boolean }) => {
      const { listShippedScenarios, loadScenarioFile } = await import('../../lab/scenario/load.js');
      const rows = listShippedScenarios().map((s) => {
        const sc = loadScenarioFile(s.file);
        return { name: sc.name, title: sc.title, incident: sc.incident ?? null, expectedCause: sc.expectedCause, file: s.file };
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      const w = Math.max(...rows.map((r) => r.name.length));
      for (const r of rows) process.stdout.write(`${r.name.padEnd(w)}  ${r.incident ? `[${r.incident}] ` : ''}${r.title}\n`);
    });

  lab
    .command('up')
    .description('start a lab from a shipped scenario name or a scenario YAML file')
    .argument('<scenario>', 'scenario name (netwiz lab list) or path to a YAML file')
    .option('--json', 'print {name, kubeconfig, context, namespace, service, clientPod, expectedCause, server}')
    .option('--name <name>', 'lab name (default: the scenario name)')
    .option('--api-only', 'serve the Kubernetes API only (no network namespaces; kubectl exec will not work)')
    .option('--require-data-plane', 'fail instead of falling back to API only when root or iproute2 is missing')
    .action(async (ref: string, flags: UpFlags) => {
      const { labUp, LabError } = await import('../../lab/lab-control.js');
      const { ScenarioError } = await import('../../lab/scenario/load.js');
      try {
        const rec = await labUp(ref, {
          ...(flags.name ? { name: flags.name } : {}),
          dataPlane: flags.apiOnly ? 'off' : flags.requireDataPlane ? 'require' : 'auto',
        });
        if (!rec.dataPlane.enabled && rec.dataPlane.reason) process.stderr.write(`netwiz lab: note: ${rec.dataPlane.reason}\n`);
        for (const w of rec.dataPlane.warnings ?? []) process.stderr.write(`netwiz lab: warning: ${w}\n`);
        if (flags.json) {
          const out = {
            name: rec.name,
            scenario: rec.scenario,
            kubeconfig: rec.kubeconfig,
            context: rec.context,
            namespace: rec.namespace,
            service: rec.service,
            clientPod: rec.clientPod,
            expectedCause: rec.expectedCause,
            server: rec.server,
            cacheDir: rec.cacheDir,
            env: { KUBECONFIG: rec.kubeconfig, KUBECACHEDIR: rec.cacheDir },
            dataPlane: rec.dataPlane.enabled,
          };
          process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        } else {
          process.stderr.write(
            `netwiz lab: ${rec.name} is up (${rec.scenario}, server ${rec.server}, data plane ${rec.dataPlane.enabled ? 'on' : 'off'})\n` +
              `netwiz lab: try: ${formatArgv(['netwiz', '--kubeconfig', rec.kubeconfig, '--var', `namespace=${rec.namespace}`, '--var', `service=${rec.service}`, '--var', `client_pod=${rec.clientPod}`])}\n` +
              `netwiz lab: stop it with: netwiz lab down ${rec.name}\n`,
          );
          // KUBECACHEDIR is kubectl's own variable for --cache-dir: each lab keeps its discovery cache apart
          process.stdout.write(`export KUBECONFIG=${quoteArg(rec.kubeconfig)} KUBECACHEDIR=${quoteArg(rec.cacheDir)}\n`);
        }
      } catch (e) {
        if (e instanceof ScenarioError || e instanceof LabError) {
          process.stderr.write(`${e.message}\n`);
          process.exit(e instanceof ScenarioError ? 2 : 1);
        }
        throw e;
      }
    });

  lab
    .command('status')
    .description('show the labs that are up (or left behind)')
    .option('--json', 'machine-readable output')
    .action(async (flags: { json?: boolean }) => {
      const { labStatus } = await import('../../lab/lab-control.js');
      const labs = labStatus();
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(labs.map((l) => ({ name: l.name, running: l.running, ...(l.record ?? {}) })), null, 2)}\n`);
        return;
      }
      if (!labs.length) {
        process.stdout.write('no labs (start one with: netwiz lab up SCENARIO)\n');
        return;
      }
      for (const l of labs) {
        const r = l.record;
        const state = l.running ? 'up' : 'not running (left behind: netwiz lab down ' + l.name + ')';
        process.stdout.write(
          `${l.name}: ${state}\n` +
            (r
              ? `  scenario ${r.scenario}  server ${r.server ?? '-'}  data plane ${r.dataPlane.enabled ? 'on' : 'off'}\n` +
                `  kubeconfig ${r.kubeconfig}  namespace ${r.namespace}  service ${r.service}  client pod ${r.clientPod}\n`
              : ''),
        );
      }
    });

  lab
    .command('down')
    .description('stop a lab and remove everything it made (idempotent)')
    .argument('[name]', 'lab name (default: the only lab that is up)')
    .option('--all', 'every lab')
    .action(async (name: string | undefined, flags: { all?: boolean }) => {
      const { labDown, labDownAll, labStatus } = await import('../../lab/lab-control.js');
      let reports;
      if (flags.all) reports = await labDownAll();
      else {
        let target = name;
        if (!target) {
          const labs = labStatus();
          if (labs.length === 0) {
            process.stderr.write('netwiz lab: no labs to take down\n');
            return;
          }
          if (labs.length > 1) {
            process.stderr.write(`netwiz lab: several labs exist (${labs.map((l) => l.name).join(', ')}); name one or use --all\n`);
            process.exit(2);
          }
          target = labs[0]!.name;
        }
        reports = [await labDown(target)];
      }
      let failed = false;
      for (const r of reports) {
        if (!r.found) process.stderr.write(`netwiz lab: no lab named ${r.name} (nothing to do)\n`);
        for (const s of r.steps) process.stderr.write(`netwiz lab: ${r.name}: ${s}\n`);
        for (const e of r.errors) {
          failed = true;
          process.stderr.write(`netwiz lab: ${r.name}: could not remove: ${e}\n`);
        }
      }
      if (failed) process.exit(1);
    });

  // the detached server process that `lab up` starts; not for people
  lab
    .command('__serve', { hidden: true })
    .requiredOption('--dir <dir>')
    .requiredOption('--name <name>')
    .requiredOption('--scenario <file>')
    .option('--data-plane')
    .option('--api-only-reason <text>')
    .action(async (flags: { dir: string; name: string; scenario: string; dataPlane?: boolean; apiOnlyReason?: string }) => {
      const { serveLab } = await import('../../lab/server/serve.js');
      await serveLab({
        dir: flags.dir,
        name: flags.name,
        scenarioFile: flags.scenario,
        dataPlane: !!flags.dataPlane,
        ...(flags.apiOnlyReason ? { noDataPlaneReason: flags.apiOnlyReason } : {}),
      });
    });
}
