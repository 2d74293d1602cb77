// The diagnostic playbooks as files: they validate, and every curl in them uses the -w
// format the curl parsers read (a drift here would make every probe "could not parse").
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CURL_WRITE_OUT } from '../../src/parsers/index.js';

const DIR = join(process.cwd(), 'playbooks');
const MINE = ['intermittent-connectivity', 'isolate-replicas', 'pin-to-node', 'ping-dns-curl', 'compare-mtu', 'capture-per-hop', 'node-kernel', 'arp-owners'];

function argvs(node: unknown, out: unknown[][] = []): unknown[][] {
  if (Array.isArray(node)) node.forEach((n) => argvs(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'argv' && Array.isArray(v)) out.push(v);
      argvs(v, out);
    }
  }
  return out;
}

describe('diagnostic playbooks', () => {
  it('are all there and `netwiz validate` passes them', () => {
    const files = readdirSync(DIR);
    for (const id of MINE) expect(files).toContain(`${id}.yaml`);
    const r = spawnSync(process.execPath, [join(process.cwd(), 'bin', 'netwiz'), 'validate', ...MINE.map((id) => join(DIR, `${id}.yaml`))], { encoding: 'utf8' });
    expect(r.stderr + r.stdout).toMatch(/0 errors/);
    expect(r.status).toBe(0);
  });

  it('every curl uses CURL_WRITE_OUT, -s -o /dev/null, timeouts and one connection per try', () => {
    let curls = 0;
    for (const id of MINE) {
      const doc = parse(readFileSync(join(DIR, `${id}.yaml`), 'utf8')) as unknown;
      for (const argv of argvs(doc)) {
        if (argv[0] !== 'curl') continue;
        curls++;
        const w = argv[argv.indexOf('-w') + 1];
        expect(w, `${id}: ${argv.join(' ')}`).toBe(CURL_WRITE_OUT);
        expect(argv).toContain('--max-time');
        expect(argv).toContain('--connect-timeout');
        expect(argv).toContain('Connection: close');
      }
    }
    expect(curls).toBeGreaterThanOrEqual(5);
  });

  it('the root concludes exactly the issue\'s cause ids', () => {
    const doc = parse(readFileSync(join(DIR, 'intermittent-connectivity.yaml'), 'utf8')) as { causes: { id: string }[] };
    expect(doc.causes.map((c) => c.id).sort()).toEqual(
      ['selector-overlap', 'tw-recycle-nat', 'dns-search-domain', 'externalip-conflict', 'overlay-mtu', 'bad-replica', 'healthy'].sort(),
    );
  });
});
