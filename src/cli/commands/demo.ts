// `netwiz demo`: lab up of a default scenario, the wizard on it, lab down on the way out.
// Thin on purpose: the lab and the wizard do the work.
import type { Command } from 'commander';

const DEFAULT_SCENARIO = 'overlay-mtu';
const DEFAULT_PLAYBOOK = 'intermittent-connectivity';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(`start a practice lab (default scenario ${DEFAULT_SCENARIO}), run the wizard on it, take the lab down on exit`)
    .option('--scenario <name|file>', 'scenario to practise on', DEFAULT_SCENARIO)
    .option('-p, --playbook <id>', 'playbook to open', DEFAULT_PLAYBOOK)
    .option('--keep', 'leave the lab up after the wizard ends')
    .action(async (flags: { scenario: string; playbook: string; keep?: boolean }) => {
      const { labUp, labDown, LabError } = await import('../../lab/lab-control.js');
      const { ScenarioError } = await import('../../lab/scenario/load.js');
      const name = 'demo';
      let rec;
      try {
        rec = await labUp(flags.scenario, { name, dataPlane: 'auto' });
      } catch (e) {
        if (e instanceof ScenarioError || e instanceof LabError) {
          process.stderr.write(`${e.message}\n`);
          process.exit(1);
        }
        throw e;
      }
      if (!rec.dataPlane.enabled && rec.dataPlane.reason) process.stderr.write(`netwiz demo: note: ${rec.dataPlane.reason}\n`);
      process.stderr.write(`netwiz demo: lab "${name}" (scenario ${rec.scenario}) is up\n`);
      let down = false;
      const takeDown = async () => {
        if (down || flags.keep) return;
        down = true;
        await labDown(name).catch((e: unknown) => process.stderr.write(`netwiz demo: lab down failed: ${String(e)}; run netwiz lab down ${name}\n`));
      };
      const onSignal = () => void takeDown().then(() => process.exit(130));
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      let code = 1;
      try {
        const cluster = { kubeconfig: rec.kubeconfig, context: rec.context, namespace: rec.namespace };
        const inputs = { namespace: rec.namespace, service: rec.service, client_pod: rec.clientPod };
        const { whyNoTerminal, launchWizard } = await import('../../ui/launch.js');
        const why = whyNoTerminal();
        if (!why) {
          code = await launchWizard({ playbookId: flags.playbook, inputs, cluster, readOnly: false, yes: false });
        } else {
          process.stderr.write(`netwiz demo: no interactive terminal (${why}); running ${flags.playbook} non-interactively\n`);
          const { runCommand } = await import('./run.js');
          code = await runCommand(flags.playbook, {
            var: Object.entries(inputs).map(([k, v]) => `${k}=${v}`),
            playbooks: [],
            kubeconfig: rec.kubeconfig,
            context: rec.context,
            namespace: rec.namespace,
            yes: true,
          });
        }
      } finally {
        await takeDown();
      }
      // said after the session, so the practice run is not given away up front
      process.stderr.write(`netwiz demo: the fault planted in this lab was: ${rec.expectedCause}\n`);
      if (flags.keep) process.stderr.write(`netwiz demo: lab left up: export KUBECONFIG=${rec.kubeconfig}; netwiz lab down ${name}\n`);
      process.exit(code);
    });
}
