// Emulation shims for a lab node (documented emulation, see README.md "What is emulated").
// The lab node's kernel is this machine's kernel, which has no tcp_tw_recycle and no
// PAWSPassive counter; a scenario node may claim kernel 3.10 with tw_recycle on. Commands
// run on a node (execPlan of a hostNetwork pod) get a PATH whose first directory holds small
// files named sysctl, uname, cat, grep… that load this module. It answers the emulated
// keys and delegates everything else to the real binary with the same argv (no shell).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

const tool = process.env.NETWIZ_SHIM ?? '';
const confFile = process.env.NETWIZ_SHIM_CONF ?? '';
const conf = JSON.parse(readFileSync(confFile, 'utf8'));
const overridesFile = join(conf.dir, 'sysctl-overrides.json');
const args = process.argv.slice(2);

function real(name, argv, capture = false) {
  const r = spawnSync(conf.real[name], argv, { stdio: capture ? ['inherit', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8' });
  if (r.error) {
    process.stderr.write(`${name}: ${r.error.message}\n`);
    return { status: 127, stdout: '' };
  }
  return { status: r.status ?? 1, stdout: r.stdout ?? '' };
}

function emulatedSysctls() {
  let overrides = {};
  try {
    overrides = JSON.parse(readFileSync(overridesFile, 'utf8'));
  } catch {
    /* none yet */
  }
  return { ...conf.sysctls, ...overrides };
}

function sysctl() {
  const emu = emulatedSysctls();
  const flags = args.filter((a) => a.startsWith('-'));
  const keys = args.filter((a) => !a.startsWith('-'));
  const valueOnly = flags.some((f) => f === '-n' || f === '--values' || (/^-[a-zA-Z]+$/.test(f) && f.includes('n')));
  const all = flags.some((f) => f === '-a' || f === '--all' || f === '-A' || f === '-X');
  const norm = (k) => k.replace(/\//g, '.');
  const touchesEmu = keys.some((k) => Object.hasOwn(emu, norm(k.split('=')[0])));
  if (!touchesEmu && !all) return real('sysctl', args).status;
  if (all) {
    const r = real('sysctl', args, true);
    const lines = r.stdout.split('\n').filter((l) => l !== '');
    for (const [k, v] of Object.entries(emu)) {
      if (!lines.some((l) => l.startsWith(`${k} =`))) lines.push(valueOnly ? String(v) : `${k} = ${v}`);
    }
    lines.sort();
    process.stdout.write(`${lines.join('\n')}\n`);
    return r.status;
  }
  let status = 0;
  let twTouched = false;
  const realFlags = flags.filter((f) => f !== '-w' && f !== '--write');
  for (const raw of keys) {
    const [k0, value] = raw.split('=');
    const k = norm(k0);
    if (Object.hasOwn(emu, k)) {
      if (value !== undefined) {
        let overrides = {};
        try {
          overrides = JSON.parse(readFileSync(overridesFile, 'utf8'));
        } catch {
          /* none yet */
        }
        overrides[k] = value.trim();
        writeFileSync(overridesFile, JSON.stringify(overrides));
        emu[k] = value.trim();
        if (k === 'net.ipv4.tcp_tw_recycle') twTouched = true;
      }
      process.stdout.write(valueOnly ? `${emu[k]}\n` : `${k} = ${emu[k]}\n`);
    } else {
      const r = real('sysctl', value !== undefined ? [...flags, raw] : [...realFlags, raw]);
      if (r.status !== 0) status = r.status;
      if (value !== undefined && k === 'net.ipv4.tcp_timestamps') twTouched = true;
    }
  }
  if (twTouched) applyTwRecycle(emulatedSysctls());
  return status;
}

/**
 * The emulated tw_recycle drop follows the emulated sysctl: PAWS rejects SYNs only with
 * tcp_tw_recycle=1 and timestamps on. Setting either to 0 (the incidents' fix) empties the
 * nft set of NAT sources; setting it back refills it from the list the lab keeps.
 */
function applyTwRecycle(emu) {
  if (!conf.counter) return;
  let ts = '1';
  try {
    ts = readFileSync('/proc/sys/net/ipv4/tcp_timestamps', 'utf8').trim();
  } catch {
    /* keep the default */
  }
  const active = String(emu['net.ipv4.tcp_tw_recycle'] ?? '0') !== '0' && ts !== '0';
  writeFileSync(join(conf.dir, 'tw-state.json'), JSON.stringify({ active }));
  const { table, set } = conf.counter;
  spawnSync(conf.real.nft, ['flush', 'set', 'ip', table, set], { stdio: 'ignore' });
  if (!active) return;
  let addrs = [];
  try {
    addrs = JSON.parse(readFileSync(join(conf.dir, 'nat-sources.json'), 'utf8'));
  } catch {
    /* none known */
  }
  if (addrs.length > 0) spawnSync(conf.real.nft, ['add', 'element', 'ip', table, set, `{ ${addrs.join(', ')} }`], { stdio: 'ignore' });
}

function uname() {
  const r = real('uname', args, true);
  // the scenario's kernel and node name replace this machine's in whatever was printed
  let out = r.stdout.split(os.release()).join(conf.kernel);
  if (conf.nodeName) out = out.split(os.hostname()).join(conf.nodeName);
  process.stdout.write(out);
  return r.status;
}

function nftPackets() {
  if (!conf.counter) return 0;
  const r = spawnSync(conf.real.nft, ['-j', 'list', 'counter', 'ip', conf.counter.table, conf.counter.name], { encoding: 'utf8' });
  try {
    const doc = JSON.parse(r.stdout);
    for (const item of doc.nftables ?? []) if (item.counter) return Number(item.counter.packets) || 0;
  } catch {
    /* table not there (fault off): no drops */
  }
  return 0;
}

/** /proc/net/netstat as the scenario's node would show it */
function netstatText() {
  const text = readFileSync('/proc/net/netstat', 'utf8');
  const drops = nftPackets();
  const base = conf.netstat ?? {};
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const names = lines[i].split(' ');
    const values = lines[i + 1].split(' ');
    if (names[0] !== 'TcpExt:') continue;
    const add = (field, extra) => {
      let idx = names.indexOf(field);
      if (idx < 0) {
        // old kernels print PAWSPassive just before PAWSActive
        const at = names.indexOf('PAWSActive');
        idx = at > 0 ? at : names.length;
        names.splice(idx, 0, field);
        values.splice(idx, 0, '0');
      }
      values[idx] = String(Number(values[idx] ?? 0) + extra);
    };
    const fields = new Set([...Object.keys(base), ...(conf.counter ? ['PAWSPassive', 'ListenDrops'] : [])]);
    for (const f of fields) {
      const fromDrops = conf.counter && (f === 'PAWSPassive' || f === 'ListenDrops') ? drops : 0;
      add(f, Number(base[f] ?? 0) + fromDrops);
    }
    lines[i] = names.join(' ');
    lines[i + 1] = values.join(' ');
  }
  return lines.join('\n');
}

function fileReader() {
  const targets = new Set(['/proc/net/netstat', '/proc/self/net/netstat']);
  if (!args.some((a) => targets.has(a))) return real(tool, args).status;
  const tmp = join(conf.dir, `netstat.${process.pid}`);
  writeFileSync(tmp, netstatText());
  try {
    return real(tool, args.map((a) => (targets.has(a) ? tmp : a))).status;
  } finally {
    rmSync(tmp, { force: true });
  }
}

let code;
if (tool === 'sysctl') code = sysctl();
else if (tool === 'uname') code = uname();
else code = fileReader();
process.exitCode = code;
