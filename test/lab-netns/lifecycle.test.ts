// Safety of the data plane: everything it creates is in the ledger before it exists, down
// removes exactly that (idempotently), a crashed lab is cleaned from its ledger alone, and
// without root it says so instead of half-building.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { downFromLedger, liveEntries, NetnsDataPlane, readLedger } from '../../src/lab/netns/index.js';
import { healthy, twRecycleNat } from '../fixtures/lab-netns/scenarios.js';

async function labNetns(prefix: string): Promise<string[]> {
  const r = await execa('ip', ['netns', 'list']);
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(`${prefix}-`));
}

function labEtcDirs(prefix: string): string[] {
  return existsSync('/etc/netns') ? readdirSync('/etc/netns').filter((d) => d.startsWith(`${prefix}-`)) : [];
}

/** running, not a zombie waiting for a parent that died with the crashed lab */
function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

describe('netns lab lifecycle', () => {
  it('every namespace, /etc/netns dir and process that exists is in the ledger; down removes all of them', async () => {
    const built = healthy();
    const dp = new NetnsDataPlane();
    await dp.up(built.scenario, built.pods);
    const live = liveEntries(readLedger(dp.ledgerFile));
    const ledgerNs = live.flatMap((e) => (e.t === 'netns' ? [e.name] : [])).sort();
    const ledgerEtc = live.flatMap((e) => (e.t === 'etcnetns' ? [e.path.replace('/etc/netns/', '')] : [])).sort();
    const pids = live.flatMap((e) => (e.t === 'pid' ? [e.pid] : []));
    expect(await labNetns(dp.prefix)).toEqual(expect.arrayContaining(ledgerNs));
    expect((await labNetns(dp.prefix)).sort()).toEqual(ledgerNs);
    expect(labEtcDirs(dp.prefix).sort()).toEqual(ledgerEtc);
    expect(ledgerNs.length).toBe(1 + 2 + 3); // wire, two nodes, three pods
    expect(pids.length).toBeGreaterThanOrEqual(3); // dnsmasq and two web apps
    expect(pids.every(pidAlive)).toBe(true);

    await dp.down();
    expect(await labNetns(dp.prefix)).toEqual([]);
    expect(labEtcDirs(dp.prefix)).toEqual([]);
    expect(pids.some(pidAlive)).toBe(false);
    expect(liveEntries(readLedger(dp.ledgerFile))).toEqual([]);
    // idempotent: a second down finds nothing to do and fails on nothing
    await dp.down();
    expect(dp.lastDown?.removed).toEqual([]);
  });

  it('a lab whose process died is removed by downFromLedger(path) alone', async () => {
    const built = twRecycleNat();
    // the lab is built by a child process that is then killed, like a crashed `lab up`
    const script = [
      "import { NetnsDataPlane } from './src/lab/netns/index.ts';",
      "import { twRecycleNat } from './test/fixtures/lab-netns/scenarios.ts';",
      'const b = twRecycleNat(); const dp = new NetnsDataPlane();',
      'await dp.up(b.scenario, b.pods);',
      "console.log(JSON.stringify({ prefix: dp.prefix, ledger: dp.ledgerFile }));",
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const child = execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { reject: false, cwd: process.cwd() });
    const info = await new Promise<{ prefix: string; ledger: string }>((resolve, reject) => {
      let buf = '';
      child.stdout?.on('data', (d: Buffer) => {
        buf += d.toString();
        const line = buf.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line) as { prefix: string; ledger: string });
      });
      void child.then((r) => reject(new Error(`child exited before up finished: ${r.stderr}`)));
    });
    child.kill('SIGKILL');
    await child;
    expect((await labNetns(info.prefix)).length).toBe(1 + 3 + 3);
    const report = await downFromLedger(info.ledger);
    expect(report.errors).toEqual([]);
    expect(await labNetns(info.prefix)).toEqual([]);
    expect(labEtcDirs(info.prefix)).toEqual([]);
    // the apps the crashed lab started are gone too
    const pids = readFileSync(info.ledger, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"t":"pid"'))
      .map((l) => (JSON.parse(l) as { pid: number }).pid);
    expect(pids.length).toBeGreaterThan(0);
    expect(pids.some(pidAlive)).toBe(false);
    expect((await downFromLedger(info.ledger)).removed).toEqual([]);
    expect(built.pods.length).toBe(3);
    rmSync(dirname(info.ledger), { recursive: true, force: true }); // the crashed lab's own state dir
  });

  it('two labs of the same scenario run side by side without touching each other', async () => {
    const a = new NetnsDataPlane();
    const b = new NetnsDataPlane();
    const s = healthy();
    await Promise.all([a.up(s.scenario, s.pods), b.up(s.scenario, s.pods)]);
    expect(a.prefix).not.toBe(b.prefix);
    await a.down();
    const still = await execa('ip', ['netns', 'exec', b.podNs(s.pods[2]!), 'curl', '-sS', '--max-time', '2', '-o', '/dev/null', '-w', '%{http_code}', 'http://10.96.0.20/'], { reject: false });
    expect(still.stdout).toBe('200');
    await b.down();
  });

  it('an ipip overlay is built as VXLAN on this kernel, with a warning in the status and the ledger', async () => {
    const built = healthy();
    for (const n of built.scenario.nodes) n.overlay = { type: 'ipip', device: 'tunl0', mtu: 1480 };
    const dp = new NetnsDataPlane();
    await dp.up(built.scenario, built.pods);
    try {
      expect(dp.status().warnings.join('\n')).toMatch(/ipip .*built as VXLAN/);
      // 1480 + 20 fits a 1500 NIC, 1480 + 50 does not: the warning says what changes
      expect(dp.status().warnings.join('\n')).toContain('packets above 1450 bytes are dropped between nodes here where IPIP would carry them');
      expect(readFileSync(dp.ledgerFile, 'utf8')).toContain('"t":"warning"');
      const link = await execa('ip', ['-n', dp.nodeNs('node-1'), '-d', 'link', 'show', 'tunl0']);
      expect(link.stdout).toContain('vxlan id 4096');
      expect(link.stdout).toContain('mtu 1480');
      const ping = await execa('ip', ['netns', 'exec', dp.podNs(built.pods[2]!), 'ping', '-c', '1', '-W', '1', built.pods[1]!.ip], { reject: false });
      expect(ping.exitCode).toBe(0);
    } finally {
      await dp.down();
    }
  });

  it('an app that cannot start fails up at once with its log, and the half-built lab is removed', async () => {
    const built = healthy();
    built.pods[0] = { ...built.pods[0]!, app: { ...built.pods[0]!.app, listen: [70000] } };
    const dp = new NetnsDataPlane();
    const err = await dp.up(built.scenario, built.pods).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.message).toMatch(/app of pod default\/web-0 .* exited before it was ready\. Log .*web-0\.log: .*70000/s);
    expect(await labNetns(dp.prefix)).toEqual([]);
    expect(labEtcDirs(dp.prefix)).toEqual([]);
  });

  it('without root it refuses with a message that says what to do', async () => {
    const script = [
      "import { NetnsDataPlane } from './src/lab/netns/index.ts';",
      "import { healthy } from './test/fixtures/lab-netns/scenarios.ts';",
      "import { existsSync } from 'node:fs';",
      "const dir = '/tmp/netwiz-nonroot-' + process.pid;",
      'const b = healthy(); const dp = new NetnsDataPlane({ stateDir: dir });',
      'try { await dp.up(b.scenario, b.pods); console.log("built"); } catch (e) { console.log(e.message); }',
      "console.log(existsSync(dir) ? 'state dir made' : 'no state dir made');",
    ].join('\n');
    const r = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script], {
      reject: false,
      cwd: process.cwd(),
      env: { HOME: '/tmp' },
    });
    expect(r.stdout).toContain('needs root');
    expect(r.stdout).toContain('sudo netwiz lab up');
    expect(r.stdout).not.toContain('built');
    expect(r.stdout).toContain('no state dir made');
  });
});
