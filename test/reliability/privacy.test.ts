// Transcript privacy: a real session against the lab prints the raw kubeconfig (bearer
// token, client key), calls a local HTTP server with `curl -u user:password` and a bearer
// header, and lists pods with `kubectl -v=9`. Afterwards no secret may be anywhere on disk
// under the state and transcript dirs — transcript, kept outputs, journal — nor in any
// export (md, json, sh), written with -o beside them.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { startLab, type TestLab } from '../helpers/lab.js';
import { FIXTURES, netwiz, recordCounts } from './helpers.js';

let lab: TestLab;
let dir: string;
let server: Server;
let url: string;
let authSeen = '';

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'netwiz-rel-priv-'));
  lab = await startLab('healthy', { dataPlane: 'none', exec: 'host' });
  server = createServer((req, res) => {
    authSeen = String(req.headers.authorization ?? '');
    res.end('ok\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await lab?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function filesUnder(d: string): string[] {
  return readdirSync(d).flatMap((n) => {
    const p = path.join(d, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('no credential reaches the disk', () => {
  it('after a real session and every export', async () => {
    // the lab's kubeconfig plus a user with a client key, as a real kubeconfig often has
    const keyBody = randomBytes(96).toString('base64');
    const keyPem = `-----BEGIN EC PRIVATE KEY-----\n${keyBody}\n-----END EC PRIVATE KEY-----\n`;
    const keyData = Buffer.from(keyPem).toString('base64');
    const certData = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n').toString('base64');
    const cfg = parse(readFileSync(lab.kubeconfig, 'utf8'));
    cfg.users.push({ name: 'cert-user', user: { 'client-certificate-data': certData, 'client-key-data': keyData } });
    const kubeconfig = path.join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, stringify(cfg), { mode: 0o600 });
    const password = `pw-${randomBytes(9).toString('hex')}`;
    const bearer = `bt-${randomBytes(12).toString('hex')}`;
    const secrets: Record<string, string> = {
      'kubeconfig token': lab.server.token,
      'client-key-data': keyData,
      'client key body': keyBody.slice(0, 40),
      'curl -u password': password,
      'basic auth header': Buffer.from(`oncall:${password}`).toString('base64'),
      'bearer header': bearer,
    };
    expect(lab.server.token.length).toBeGreaterThan(8);

    const state = path.join(dir, 'state');
    const tdir = path.join(dir, 'transcripts');
    mkdirSync(tdir);
    const r = await netwiz(
      ['run', path.join(FIXTURES, 'rel-secrets.yaml'), '--json', '--kubeconfig', kubeconfig,
        '--var', `url=${url}`, '--var', `password=${password}`, '--var', `bearer=${bearer}`],
      { env: { KUBECACHEDIR: lab.cacheDir, XDG_STATE_HOME: state, KUBECONFIG: undefined }, killAfterMs: 120_000 },
    );
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    // the default place: under $XDG_STATE_HOME/netwiz/sessions, with its kept outputs beside it
    const transcript = out.transcript as string;
    expect(transcript.startsWith(state)).toBe(true);
    // the commands really carried the secrets (else the test proves nothing)
    expect(authSeen).toBe(`Bearer ${bearer}`);
    const rawCfg = out.commands.find((c: { argv: string[] }) => c.argv.join(' ') === 'kubectl config view --raw -o json');
    expect(rawCfg.exit_code).toBe(0);
    const curl = out.commands.find((c: { argv: string[] }) => c.argv[0] === 'curl');
    expect(curl.exit_code).toBe(0);

    for (const format of ['md', 'json', 'sh']) {
      const e = await netwiz(['export', transcript, '--format', format, '-o', path.join(tdir, `export.${format}`)], { env: { XDG_STATE_HOME: state } });
      expect(e.code, e.stderr).toBe(0);
    }
    const files = [...filesUnder(state), ...filesUnder(tdir)];
    expect(files.some((f) => f.endsWith('export.md'))).toBe(true);
    expect(files.length).toBeGreaterThan(4);
    const leaks: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'latin1');
      for (const [what, secret] of Object.entries(secrets)) {
        const at = text.indexOf(secret);
        if (at >= 0) leaks.push(`${what} in ${path.relative(dir, f)}: …${text.slice(Math.max(0, at - 60), at)}`);
      }
    }
    expect(leaks).toEqual([]);
    // and not on the terminal either (progress on stderr, the --json result on stdout)
    for (const [what, secret] of Object.entries(secrets)) {
      expect(r.stderr.includes(secret), `${what} on stderr`).toBe(false);
      expect(r.stdout.includes(secret), `${what} in the --json result`).toBe(false);
    }
    // the redaction left a visible mark where the secrets were
    expect(readFileSync(transcript, 'utf8')).toContain('[REDACTED]');
    recordCounts('privacy', { secretsPlanted: Object.keys(secrets).length, filesScanned: files.length, leaks: leaks.length });
  }, 150_000);
});
