// The wizard against a lab scenario in a real terminal: real kubectl, a scenario API server,
// pods and nodes as network namespaces with a real fault (VXLAN MTU too big for the NIC).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Terminal } from './tmux.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const netwiz = path.join(root, 'bin/netwiz');
const state = mkdtempSync(path.join(tmpdir(), 'nw-ui-lab-'));
const env = { ...process.env, XDG_STATE_HOME: state, HOME: state };
const name = `ui${randomBytes(3).toString('hex')}`;
let lab: { kubeconfig: string; namespace: string; service: string; clientPod: string; env?: Record<string, string> };
let term: Terminal | undefined;

function cli(args: string[]) {
  return spawnSync(process.execPath, [netwiz, ...args], { encoding: 'utf8', env, timeout: 180_000 });
}

beforeAll(() => {
  const up = cli(['lab', 'up', 'overlay-mtu', '--json', '--name', name, '--require-data-plane']);
  if (up.status !== 0) throw new Error(`lab up failed: ${up.stderr}`);
  lab = JSON.parse(up.stdout);
});

afterAll(() => {
  term?.kill();
  cli(['lab', 'down', name]);
  rmSync(state, { recursive: true, force: true });
});

describe('wizard on the overlay-mtu lab', () => {
  it('shows the lab cluster, draws the MTU path and concludes overlay-mtu', async () => {
    term = new Terminal(
      [process.execPath, netwiz, '--kubeconfig', lab.kubeconfig, '--playbook', 'intermittent-connectivity', '--var', `namespace=${lab.namespace}`, '--var', `client_pod=${lab.clientPod}`],
      { cols: 110, rows: 34, cwd: root, env: { XDG_STATE_HOME: state, HOME: state, ...(lab.env ?? {}) } },
    ).start();
    const t = term;
    let s = await t.waitFor('Is that right? (y/n)');
    expect(s).toContain(`Kube context:  netwiz-lab-${name}`);
    expect(s).toContain(`Namespace:     ${lab.namespace}`);
    t.key('y');
    // the service is picked from the services the lab cluster lists (real kubectl)
    s = await t.waitFor(new RegExp(`^[ ›] ${lab.service}\\s*$`, 'm'), { timeoutMs: 60_000 });
    for (let i = 0; i < 20 && !s.includes(`› ${lab.service}`); i++) {
      t.key('Down');
      s = await t.waitForChange(s);
    }
    t.key('Enter');
    // the remaining inputs keep their defaults
    for (let i = 0; i < 5; i++) {
      s = await t.waitFor(/\? .*\n› |▶ /);
      if (s.includes('▶ ')) break;
      const before = s;
      t.key('Enter');
      s = await t.waitForChange(before);
    }
    s = await t.waitFor('vxlan0 MTU 1440 + 50 bytes of encapsulation > eth0 MTU 1450', { timeoutMs: 180_000 });
    expect(s).toMatch(/pod:eth0 \d+ → tunnel:vxlan0 1440 → node NIC:eth0 1450/);
    expect(s).toMatch(/▲ supported The overlay MTU is larger than the node NIC allows/);
    s = await t.waitFor(/Transcript: \S+\.jsonl/, { timeoutMs: 180_000 });
    expect(s).toMatch(/✓ CONFIRMED The overlay MTU is larger than the node NIC allows/);
    // the path picture stays on the final screen, from the finished compare-mtu call
    expect(s).toContain('vxlan0 MTU 1440 + 50 bytes of encapsulation > eth0 MTU 1450');
    expect(await t.waitFor('Root cause: The overlay MTU is larger than the node NIC allows', { history: true })).toContain('Fix (shown, not run)');
    t.key('q');
    expect(await t.waitForExit()).toBe(0);
  });
});
