// Per-node emulation files: a PATH directory of shims (sysctl, uname, cat, grep…) and the
// JSON they read. Written at `up`; execPlan for a hostNetwork pod puts the directory first
// in PATH. See node-shim.mjs for what each shim answers and README.md for why.
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScenarioNode } from '../scenario/model.js';
import { FAULT_TABLE, NAT_SOURCES_SET, PAWS_COUNTER } from './faults.js';

export const SHIM_TOOLS = ['sysctl', 'uname', 'cat', 'grep', 'head', 'tail', 'awk', 'sed'] as const;

/** sysctl keys the lab sets for real in a node namespace (per-netns keys only: never host-wide) */
const REAL_SYSCTL = [
  /^net\.ipv4\.conf\.[a-z0-9.-]+\.(rp_filter|arp_ignore|arp_announce|proxy_arp|forwarding|accept_local)$/,
  /^net\.ipv4\.(ip_forward|ip_forward_use_pmtu|tcp_timestamps|tcp_tw_reuse|tcp_rfc1337|tcp_syncookies|tcp_max_syn_backlog|tcp_sack|tcp_window_scaling|tcp_mtu_probing)$/,
  /^net\.core\.somaxconn$/,
];

export function isRealNetnsSysctl(key: string): boolean {
  return REAL_SYSCTL.some((re) => re.test(key)) && existsSync(`/proc/sys/${key.replace(/\./g, '/')}`);
}

/** split the scenario's node sysctls into the ones set for real and the ones emulated */
export function splitSysctls(node: ScenarioNode): { real: Record<string, string>; emulated: Record<string, string> } {
  const real: Record<string, string> = {};
  const emulated: Record<string, string> = {};
  for (const [k, v] of Object.entries(node.sysctls)) {
    if (isRealNetnsSysctl(k)) real[k] = v;
    else emulated[k] = v;
  }
  return { real, emulated };
}

export function findOnPath(tool: string, pathVar = process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'): string {
  for (const dir of [...pathVar.split(delimiter), '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (dir === '') continue;
    const p = join(dir, tool);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return tool;
}

/** where the lab's runtime scripts live: beside this module, or in src/ when bundled in dist/ */
export function labAsset(name: string): string {
  const candidates = [new URL(`./${name}`, import.meta.url), new URL(`../src/lab/netns/${name}`, import.meta.url)];
  for (const c of candidates) {
    const p = fileURLToPath(c);
    if (existsSync(p)) return p;
  }
  throw new Error(`netwiz lab: runtime file ${name} not found beside ${fileURLToPath(import.meta.url)}; reinstall netwiz`);
}

export interface NodeEmulation {
  /** the node's emulation directory (config, overrides, tw-recycle state) */
  dir: string;
  /** directory to put first in PATH */
  shimDir: string;
  emulatedSysctls: Record<string, string>;
}

export function writeNodeEmulation(
  dir: string,
  node: ScenarioNode,
  opts: { countsPawsDrops: boolean },
): NodeEmulation {
  const shimDir = join(dir, 'bin');
  mkdirSync(shimDir, { recursive: true });
  const { emulated } = splitSysctls(node);
  // the tw-recycle fault implies the sysctl even where the scenario leaves it out
  if (opts.countsPawsDrops && emulated['net.ipv4.tcp_tw_recycle'] === undefined) emulated['net.ipv4.tcp_tw_recycle'] = '1';
  const realPaths: Record<string, string> = { nft: findOnPath('nft') };
  for (const t of SHIM_TOOLS) realPaths[t] = findOnPath(t);
  const conf = {
    dir,
    nodeName: node.name,
    kernel: node.kernel,
    sysctls: emulated,
    netstat: node.netstat ?? {},
    counter: opts.countsPawsDrops ? { table: FAULT_TABLE, name: PAWS_COUNTER, set: NAT_SOURCES_SET } : null,
    real: realPaths,
  };
  const confFile = join(dir, 'emulation.json');
  writeFileSync(confFile, `${JSON.stringify(conf, null, 2)}\n`);
  const shimModule = labAsset('node-shim.mjs');
  for (const t of SHIM_TOOLS) {
    // CommonJS on purpose (no extension): sets which tool it is, then loads the module
    const src = [
      '#!/usr/bin/env node',
      `process.env.NETWIZ_SHIM = ${JSON.stringify(t)};`,
      `process.env.NETWIZ_SHIM_CONF = ${JSON.stringify(confFile)};`,
      `import(${JSON.stringify(`file://${shimModule}`)});`,
      '',
    ].join('\n');
    const p = join(shimDir, t);
    writeFileSync(p, src);
    chmodSync(p, 0o755);
  }
  return { dir, shimDir, emulatedSysctls: emulated };
}

/** files the shim and the plane share about the emulated tcp_tw_recycle */
export const TW_STATE_FILE = 'tw-state.json';
export const NAT_SOURCES_FILE = 'nat-sources.json';

/**
 * Whether the emulated tw_recycle drop is on for this node: the shim records the outcome of
 * `sysctl -w net.ipv4.tcp_tw_recycle=…` / `tcp_timestamps=…` (PAWS needs both); before any
 * such write the scenario decides.
 */
export function twRecycleActive(node: ScenarioNode, dir: string): boolean {
  try {
    const st = JSON.parse(readFileSync(join(dir, TW_STATE_FILE), 'utf8')) as { active?: unknown };
    if (typeof st.active === 'boolean') return st.active;
  } catch {
    /* no write yet */
  }
  return node.sysctls['net.ipv4.tcp_tw_recycle'] !== '0' && node.sysctls['net.ipv4.tcp_timestamps'] !== '0';
}

export function writeNatSources(dir: string, addrs: string[]): void {
  writeFileSync(join(dir, NAT_SOURCES_FILE), JSON.stringify(addrs));
}
