import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REDACTED, createOutputRedactor, redactArgv, redactText, redactValue } from '../../src/transcript/redact.js';

const FIX = resolve(import.meta.dirname, '../fixtures/transcript');
const fixture = (name: string) => readFileSync(resolve(FIX, name), 'utf8');

/** base64 values of a kubeconfig's users (the secrets a transcript must never hold) */
function kubeconfigSecrets(text: string): string[] {
  return [...text.matchAll(/^\s*(?:client-key-data|client-certificate-data|token|password):\s*(\S+)$/gm)].map((m) => m[1]!);
}

describe('redactArgv', () => {
  it("hides the password of the seed incident's curl -u test:test and keeps the user", () => {
    const argv = ['curl', '--location-trusted', '-u', 'test:test', '-T', 'table1_data',
      'http://10.0.0.5:28030/api/example_db/table1/_load?label=table1_2019051401'];
    const out = redactArgv(argv);
    expect(out).toEqual(['curl', '--location-trusted', '-u', `test:${REDACTED}`, '-T', 'table1_data', argv[6]]);
    expect(out.join(' ')).not.toContain('test:test');
  });

  it('handles --user, --user=, glued -uUSER:PASS and --proxy-user', () => {
    expect(redactArgv(['curl', '--user', 'ops:pa55:with-colon'])).toEqual(['curl', '--user', `ops:${REDACTED}`]);
    expect(redactArgv(['curl', '--user=ops:pa55'])).toEqual(['curl', `--user=ops:${REDACTED}`]);
    expect(redactArgv(['curl', '-uops:pa55'])).toEqual(['curl', `-uops:${REDACTED}`]);
    expect(redactArgv(['curl', '--proxy-user', 'p:q'])).toEqual(['curl', '--proxy-user', `p:${REDACTED}`]);
  });

  it('leaves `-u user` (curl prompts) and kubectl --user NAME alone', () => {
    expect(redactArgv(['curl', '-u', 'ops', 'http://h/'])).toEqual(['curl', '-u', 'ops', 'http://h/']);
    expect(redactArgv(['kubectl', '--user', 'admin', 'get', 'pods'])).toEqual(['kubectl', '--user', 'admin', 'get', 'pods']);
  });

  it('hides --password, --token (both forms), bearer headers and URL passwords', () => {
    const out = redactArgv([
      'kubectl', '--token', 'sha256~AbCdEf0123456789', '--password=hunter2', 'get', 'pods',
    ]);
    expect(out).toEqual(['kubectl', '--token', REDACTED, `--password=${REDACTED}`, 'get', 'pods']);
    const curl = redactArgv(['curl', '-H', 'Authorization: Bearer abcdef0123456789xyz', 'https://admin:s3cret@api.example:6443/healthz']);
    expect(curl[2]).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(curl[3]).toBe(`https://admin:${REDACTED}@api.example:6443/healthz`);
  });

  it('keeps argv length, so each element still shows as one argument', () => {
    const argv = ['mysql', '--password', 'x', '-h', 'db'];
    expect(redactArgv(argv)).toHaveLength(argv.length);
  });
});

describe('redactText on real-looking output', () => {
  it('removes every credential of a kubeconfig (client key, client certificate, token, password)', () => {
    const text = fixture('kubeconfig-with-secrets.yaml');
    const secrets = kubeconfigSecrets(text);
    expect(secrets.length).toBe(4);
    const out = redactText(text);
    for (const s of secrets) expect(out).not.toContain(s);
    // what a reviewer needs stays
    expect(out).toContain('current-context: lab-admin');
    expect(out).toContain('server: https://127.0.0.1:6443');
    expect(out).toContain(`client-key-data: ${REDACTED}`);
    expect(out).toContain(`token: ${REDACTED}`);
  });

  it("removes a Secret's data values in kubectl -o yaml, including the last-applied annotation", () => {
    const text = fixture('secret-get-yaml.txt');
    const out = redactText(text);
    expect(out).not.toContain('czNjcjN0LXBhc3N3b3JkLW5ldHdpeg==');
    expect(out).not.toContain('YWRtaW4=');
    expect(out).toContain('name: db-creds');
    expect(out).toContain(`password: ${REDACTED}`);
  });

  it("removes a Secret's data values in kubectl -o json, including the escaped annotation", () => {
    const text = fixture('secret-get-json.txt');
    const out = redactText(text);
    expect(out).not.toContain('czNjcjN0LXBhc3N3b3JkLW5ldHdpeg==');
    expect(out).not.toContain('LS0tLS1CRUdJTiBFQyBQUklWQVRFIEtFWS0tLS0t');
    expect(out).toContain('"name": "db-creds"');
    // a ConfigMap-like neighbour key outside data keeps its value
    expect(out).toContain('"type": "Opaque"');
  });

  it('leaves the data of a ConfigMap alone (no Secret in the text)', () => {
    const cm = 'apiVersion: v1\ndata:\n  nginx.conf: |\n    worker_processes 1;\nkind: ConfigMap\n';
    expect(redactText(cm)).toBe(cm);
  });

  it('removes Authorization headers, bearer tokens and URL passwords from curl -v output', () => {
    const out = redactText(fixture('curl-verbose-auth.txt'));
    expect(out).not.toContain('dGVzdDpzM2NyM3QtY3VybC1wYXNz');
    expect(out).not.toContain('s3cr3t-curl-pass');
    expect(out).not.toContain('Xq3vT0kenNotRealButLooksRealEnough');
    expect(out).toContain(`> Authorization: Basic ${REDACTED}`);
    expect(out).toContain('Connected to palo-fe.shop.svc (10.96.12.7) port 28030');
  });

  it('removes a private key PEM block, even a truncated one', () => {
    const pem = fixture('private-key.pem');
    const body = pem.split('\n')[1]!;
    const out = redactText(`key follows:\n${pem}done\n`);
    expect(out).not.toContain(body);
    expect(out).toContain('-----BEGIN EC PRIVATE KEY-----');
    expect(out).toContain('done');
    const cut = pem.slice(0, 80);
    expect(redactText(cut)).not.toContain(body.slice(0, 30));
  });

  it('hides `-u user:pass` written as text (a command line echoed in output)', () => {
    const line = '# curl --location-trusted -u test:test -T table1_data http://<NODE_IP>:28030/api';
    expect(redactText(line)).toBe(`# curl --location-trusted -u test:${REDACTED} -T table1_data http://<NODE_IP>:28030/api`);
  });

  it('keeps configuration that only names a secret (booleans, numbers, secretName)', () => {
    const spec = 'automountServiceAccountToken: false\nsecretName: db-creds\nexpirationSeconds: 3607\n';
    expect(redactText(spec)).toBe(spec);
  });

  it('hides values under the other names people give credentials (auth, pwd, pass, credentials, api_key)', () => {
    const text = 'auth: dXNlcjpodW50ZXIy\npwd=hunter2\n"pass": "hunter3"\ncredentials: s3cr3t-cred\napi_key=AKIAEXAMPLE';
    const out = redactText(text);
    for (const secret of ['dXNlcjpodW50ZXIy', 'hunter2', 'hunter3', 's3cr3t-cred', 'AKIAEXAMPLE']) expect(out).not.toContain(secret);
    expect(redactText('auth: true\npass: 3')).toBe('auth: true\npass: 3');
  });

  it('is idempotent', () => {
    for (const f of ['kubeconfig-with-secrets.yaml', 'secret-get-yaml.txt', 'secret-get-json.txt', 'curl-verbose-auth.txt']) {
      const once = redactText(fixture(f));
      expect(redactText(once)).toBe(once);
    }
  });

  it('leaves ordinary diagnosis output untouched', () => {
    const tcpdump = '13:52:20.908197 IP 192.168.35.201.54111 > 192.168.36.145.28030: Flags [S], seq 590982416, win 29200, options [mss 1460,sackOK,TS val 1911533260 ecr 0,nop,wscale 9], length 0';
    expect(redactText(tcpdump)).toBe(tcpdump);
    const netstat = 'TcpExt: SyncookiesSent SyncookiesRecv PAWSPassive ListenDrops\nTcpExt: 0 0 3565 3565\n';
    expect(redactText(netstat)).toBe(netstat);
  });
});

describe('redactValue', () => {
  it('redacts argv arrays, nested strings and values of secret-named keys in an event', () => {
    const event = {
      type: 'effect',
      effect: {
        argv: ['curl', '-u', 'test:test', 'http://h/'],
        why: 'Authorization: Bearer abcdefghijklmnop',
      },
      inputs: { password: 'hunter2', api_token: 'tok-123456', namespace: 'shop' },
      n: 3,
    };
    const out = redactValue(event);
    expect(out.effect.argv).toEqual(['curl', '-u', `test:${REDACTED}`, 'http://h/']);
    expect(out.effect.why).toBe(`Authorization: Bearer ${REDACTED}`);
    expect(out.inputs).toEqual({ password: REDACTED, api_token: REDACTED, namespace: 'shop' });
    expect(out.n).toBe(3);
    // the input is not modified
    expect(event.inputs.password).toBe('hunter2');
  });
});

describe('createOutputRedactor (output streamed to disk)', () => {
  const secretsOf = (text: string) =>
    [...text.matchAll(/^\s*(?:client-key-data|client-certificate-data|token|password):\s*(\S+)$/gm)].map((m) => m[1]!);

  it('holds small outputs whole, so a Secret whose kind comes after its data is still redacted', () => {
    const text = fixture('secret-get-yaml.txt');
    const r = createOutputRedactor();
    let out = '';
    for (let i = 0; i < text.length; i += 7) out += r.push(text.slice(i, i + 7));
    out += r.end();
    expect(out).toBe(redactText(text));
  });

  it('past the hold window, releases whole lines and never a secret, wherever the chunks are cut', () => {
    const kube = fixture('kubeconfig-with-secrets.yaml');
    const pem = fixture('private-key.pem');
    const text = `${'filler line of a long output\n'.repeat(50)}${kube}${pem}${'more\n'.repeat(20)}Authorization: Bearer abcdefghijklmnopq\n`;
    const pemBody = pem.split('\n')[1]!;
    for (let seed = 1; seed <= 30; seed++) {
      const r = createOutputRedactor(256);
      let out = '';
      let i = 0;
      let x = seed;
      while (i < text.length) {
        x = (x * 1103515245 + 12345) % 2147483648;
        const n = 1 + (x % 97);
        out += r.push(text.slice(i, i + n));
        i += n;
      }
      out += r.end();
      for (const s of secretsOf(kube)) expect(out).not.toContain(s.slice(s.length / 2, s.length / 2 + 16));
      expect(out).not.toContain(pemBody.slice(0, 30));
      expect(out).not.toContain('abcdefghijklmnopq');
      expect(out).toContain('current-context: lab-admin');
      // line-local rules give the same result chunked as whole
      expect(out).toBe(redactText(text));
    }
  });
});

describe('no false positives on diagnosis output', () => {
  // Redaction also applies to the engine states resume reads: a rule that fires on ordinary
  // output would change facts. Every fixture of the repo (real command output) must come out
  // unchanged except on lines that carry a credential.
  function walk(d: string): string[] {
    return readdirSync(d).flatMap((n) => {
      const p = join(d, n);
      return statSync(p).isDirectory() ? walk(p) : [p];
    });
  }
  it('leaves every non-credential line of every repo fixture untouched', () => {
    const root = resolve(import.meta.dirname, '../fixtures');
    const files = walk(root).filter((f) => !f.includes(`${root}/transcript/`));
    expect(files.length).toBeGreaterThan(20);
    let lines = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      const a = text.split('\n');
      const b = redactText(text).split('\n');
      expect(b.length, f).toBe(a.length);
      for (let i = 0; i < a.length; i++) {
        lines++;
        if (a[i] !== b[i]) expect(a[i], `${f}:${i + 1}`).toMatch(/token|passw|secret|authorization|bearer|-u |client-key|client-certificate|PRIVATE KEY/i);
      }
    }
    expect(lines).toBeGreaterThan(1000);
  });
});
