// `netwiz lab up/status/down` through the real CLI: a detached server the real kubectl
// talks to, found again through the lab state dir, taken down idempotently. As root, the
// netns data plane is built and `kubectl exec` runs inside the pod's network namespace.
// Runs the bundle (dist/netwiz.mjs, rebuilt by test/global-setup.ts) as users do.
import { afterAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { isRoot } from '../helpers/lab.js';

const state = mkdtempSync(path.join(tmpdir(), 'netwiz-labcli-'));
const env = { XDG_STATE_HOME: state, HOME: state };
const cli = (args: string[], extra: Record<string, string> = {}) =>
  execa(process.execPath, ['dist/netwiz.mjs', ...args], { reject: false, env: { ...env, ...extra }, stdin: 'ignore' });
const kubectl = (kubeconfig: string, args: string[]) =>
  execa('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', path.join(state, 'cache'), ...args], { reject: false, stdin: 'ignore' });
/** running and not a zombie (a detached server whose parent CLI exited is reaped by init) */
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
};

afterAll(async () => {
  await cli(['lab', 'down', '--all']);
  rmSync(state, { recursive: true, force: true });
});

describe('netwiz lab (API only)', () => {
  it('lists the shipped scenarios', async () => {
    const r = await cli(['lab', 'list', '--json']);
    expect(r.exitCode).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows.find((x: any) => x.name === 'overlay-mtu')).toMatchObject({ incident: '004', expectedCause: 'overlay-mtu' });
  });

  it('up --json, kubectl against it, status, down, down again', async () => {
    const name = `t${randomBytes(3).toString('hex')}`;
    const up = await cli(['lab', 'up', 'selector-overlap', '--api-only', '--json', '--name', name]);
    expect(up.exitCode, up.stderr).toBe(0);
    const info = JSON.parse(up.stdout);
    expect(info).toMatchObject({
      name,
      context: `netwiz-lab-${name}`,
      namespace: 'palo',
      service: 'palo-fe',
      clientPod: 'client',
      expectedCause: 'selector-overlap',
      dataPlane: false,
    });
    expect(info.kubeconfig).toBe(path.join(state, 'netwiz', 'labs', name, 'kubeconfig'));
    expect(info.env).toEqual({ KUBECONFIG: info.kubeconfig, KUBECACHEDIR: path.join(state, 'netwiz', 'labs', name, 'kube-cache') });
    expect(up.stderr).toContain('--api-only');

    // the incident's evidence, through the real kubectl: endpoints mix FE and BE pods
    const ep = await kubectl(info.kubeconfig, ['get', 'endpoints', 'palo-fe', '-o', 'json']);
    const names = JSON.parse(ep.stdout).subsets[0].addresses.map((a: any) => a.targetRef.name);
    expect(names.some((n: string) => n.startsWith('palo-fe-'))).toBe(true);
    expect(names.some((n: string) => n.startsWith('palo-be-'))).toBe(true);
    const ctx = await kubectl(info.kubeconfig, ['config', 'current-context']);
    expect(ctx.stdout.trim()).toBe(`netwiz-lab-${name}`);
    const exec = await kubectl(info.kubeconfig, ['exec', 'client', '--', 'true']);
    expect(exec.exitCode).toBe(1);
    expect(exec.stderr).toContain('--api-only');

    const st = await cli(['lab', 'status', '--json']);
    const mine = JSON.parse(st.stdout).find((l: any) => l.name === name);
    expect(mine).toMatchObject({ running: true, state: 'ready', scenario: 'selector-overlap' });
    expect(alive(mine.pid)).toBe(true);

    const down = await cli(['lab', 'down', name]);
    expect(down.exitCode).toBe(0);
    expect(down.stderr).toContain(`stopped server pid ${mine.pid}`);
    expect(alive(mine.pid)).toBe(false);
    expect(existsSync(path.join(state, 'netwiz', 'labs', name))).toBe(false);
    const again = await cli(['lab', 'down', name]);
    expect(again.exitCode).toBe(0);
    expect(again.stderr).toContain(`no lab named ${name} (nothing to do)`);
  });

  it('prints export KUBECONFIG=… without --json', async () => {
    const name = `t${randomBytes(3).toString('hex')}`;
    const up = await cli(['lab', 'up', 'healthy', '--api-only', '--name', name]);
    expect(up.exitCode, up.stderr).toBe(0);
    const labDir = path.join(state, 'netwiz', 'labs', name);
    expect(up.stdout.trim()).toBe(`export KUBECONFIG=${path.join(labDir, 'kubeconfig')} KUBECACHEDIR=${path.join(labDir, 'kube-cache')}`);
    expect((await cli(['lab', 'down', name])).exitCode).toBe(0);
  });

  it('reports a scenario file error as file:line:col and starts nothing', async () => {
    const r = await cli(['lab', 'up', 'test/fixtures/lab/bad-refs.yaml', '--api-only']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('test/fixtures/lab/bad-refs.yaml:5:36: entry service "shop/missing-svc" is not declared under services');
    expect(r.stderr).toContain('test/fixtures/lab/bad-refs.yaml:14:17: unknown node "node-9"');
    expect(existsSync(path.join(state, 'netwiz', 'labs', 'bad-refs'))).toBe(false);
  });

  it('names what is missing when not root and the data plane is required', async () => {
    if (!isRoot()) {
      const r = await cli(['lab', 'up', 'healthy', '--require-data-plane']);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/needs root .*sudo netwiz lab up/);
      return;
    }
    // as root: drop to nobody to see what a normal user sees
    const home = mkdtempSync(path.join(tmpdir(), 'netwiz-nobody-'));
    chmodSync(home, 0o777);
    const r = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'env', `HOME=${home}`, `XDG_STATE_HOME=${home}`, process.execPath, 'dist/netwiz.mjs', 'lab', 'up', 'healthy', '--require-data-plane'], {
      reject: false,
      stdin: 'ignore',
    });
    rmSync(home, { recursive: true, force: true });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/data plane needs root .*sudo netwiz lab up/);
  });
});

describe.runIf(isRoot())('netwiz lab with the netns data plane (root)', () => {
  it('builds the pods as network namespaces, execs inside them, and removes them on down', async () => {
    const name = `t${randomBytes(3).toString('hex')}`;
    const up = await cli(['lab', 'up', 'overlay-mtu', '--json', '--name', name, '--require-data-plane']);
    expect(up.exitCode, up.stderr).toBe(0);
    const info = JSON.parse(up.stdout);
    expect(info.dataPlane).toBe(true);
    const st = JSON.parse((await cli(['lab', 'status', '--json'])).stdout).find((l: any) => l.name === name);
    const prefix: string = st.dataPlane.prefix;
    expect(prefix).toMatch(/^[a-z][a-z0-9]+$/);

    const addr = await kubectl(info.kubeconfig, ['exec', 'client', '--', 'ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0']);
    expect(addr.exitCode, addr.stderr).toBe(0);
    expect(addr.stdout).toContain('inet 10.244.1.2/32');
    const fail = await kubectl(info.kubeconfig, ['exec', 'client', '--', 'sh', '-c', 'exit 7']);
    expect(fail.exitCode).toBe(7);

    // a node pod runs in the node's namespace: it sees the NIC MTU of the incident
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'netwiz-node-vm-5' },
      spec: { nodeName: 'vm-5', hostNetwork: true, containers: [{ name: 'shell', image: 'nicolaka/netshoot' }] },
    };
    const created = await execa('kubectl', ['--kubeconfig', info.kubeconfig, 'create', '-f', '-'], { input: JSON.stringify(pod), reject: false });
    expect(created.exitCode, created.stderr).toBe(0);
    const link = await kubectl(info.kubeconfig, ['exec', 'netwiz-node-vm-5', '--', 'ip', '-o', 'link', 'show', 'dev', 'eth0']);
    expect(link.stdout).toContain('mtu 1450');
    expect((await kubectl(info.kubeconfig, ['delete', 'pod', 'netwiz-node-vm-5'])).exitCode).toBe(0);

    const before = (await execa('ip', ['netns', 'list'])).stdout;
    expect(before).toContain(prefix);
    const down = await cli(['lab', 'down', name]);
    expect(down.exitCode, down.stderr).toBe(0);
    const after = (await execa('ip', ['netns', 'list'])).stdout;
    expect(after.split('\n').filter((l) => l.startsWith(prefix))).toEqual([]);
  });

  it('after the server is killed, down removes the data plane from its ledger', async () => {
    const name = `t${randomBytes(3).toString('hex')}`;
    const up = await cli(['lab', 'up', 'selector-overlap', '--json', '--name', name, '--require-data-plane']);
    expect(up.exitCode, up.stderr).toBe(0);
    const st = JSON.parse((await cli(['lab', 'status', '--json'])).stdout).find((l: any) => l.name === name);
    process.kill(st.pid, 'SIGKILL');
    const after = JSON.parse((await cli(['lab', 'status', '--json'])).stdout).find((l: any) => l.name === name);
    expect(after.running).toBe(false);
    expect((await execa('ip', ['netns', 'list'])).stdout).toContain(st.dataPlane.prefix);
    const down = await cli(['lab', 'down', name]);
    expect(down.exitCode, down.stderr).toBe(0);
    expect(down.stderr).toMatch(/data plane removed from the ledger \(\d+ objects\)/);
    const left = (await execa('ip', ['netns', 'list'])).stdout.split('\n').filter((l) => l.startsWith(st.dataPlane.prefix));
    expect(left).toEqual([]);
  });

  it('netwiz demo: lab up, the diagnosis on it, lab down', async () => {
    const r = await cli(['demo', '--scenario', 'overlay-mtu']);
    expect(r.exitCode, r.stderr.slice(-2000)).toBe(0);
    expect(r.stderr).toContain('lab "demo" (scenario overlay-mtu) is up');
    expect(r.stderr).toMatch(/concluded: overlay-mtu/);
    // the planted fault is told only after the session, and after the conclusion
    expect(r.stderr.indexOf('the fault planted in this lab was: overlay-mtu')).toBeGreaterThan(r.stderr.search(/concluded: overlay-mtu/));
    const st = await cli(['lab', 'status', '--json']);
    expect(JSON.parse(st.stdout).map((l: any) => l.name)).not.toContain('demo');
  });
});
