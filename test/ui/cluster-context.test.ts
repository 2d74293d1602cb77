// The kube context and namespace shown on the start screen, read from the kubeconfig files
// (src/ui/cluster-context.ts). Real kubectl is the oracle: for each layout of files and
// flags, reading the files must give what `kubectl config current-context` and
// `kubectl config view --minify` say.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ClusterOptions } from '../../src/exec/types.js';
import { kubeconfigFiles, readClusterTarget, readClusterTargetWithKubectl, resolveFromKubeconfigs } from '../../src/ui/cluster-context.js';

const dir = mkdtempSync(path.join(tmpdir(), 'nw-kcfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const savedKubeconfig = process.env.KUBECONFIG;
afterEach(() => {
  if (savedKubeconfig === undefined) delete process.env.KUBECONFIG;
  else process.env.KUBECONFIG = savedKubeconfig;
});

function kubeconfig(name: string, o: { current?: string; contexts?: Record<string, string | undefined> }): string {
  const file = path.join(dir, name);
  const ctx = Object.entries(o.contexts ?? {});
  const lines = [
    'apiVersion: v1',
    'kind: Config',
    ...(o.current !== undefined ? [`current-context: "${o.current}"`] : []),
    'clusters:',
    '- name: c',
    '  cluster: {server: "https://127.0.0.1:1"}',
    'users:',
    '- name: u',
    '  user: {token: x}',
    ...(ctx.length ? ['contexts:', ...ctx.flatMap(([n, ns]) => [`- name: ${n}`, `  context: {cluster: c, user: u${ns ? `, namespace: ${ns}` : ''}}`])] : ['contexts: []']),
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

const a = kubeconfig('a.yaml', { current: 'alpha', contexts: { alpha: 'shop', beta: 'pay' } });
const b = kubeconfig('b.yaml', { current: 'gamma', contexts: { gamma: 'web', alpha: 'other' } });
const noCurrent = kubeconfig('none.yaml', { contexts: { delta: 'db' } });
const emptyCurrent = kubeconfig('empty-current.yaml', { current: '', contexts: { eps: undefined } });
const dangling = kubeconfig('dangling.yaml', { current: 'ghost', contexts: { alpha: 'shop' } });
const emptyFile = path.join(dir, 'empty.yaml');
writeFileSync(emptyFile, '');
const missing = path.join(dir, 'missing.yaml');
const list = (...files: string[]) => files.join(path.delimiter);

/** [what, $KUBECONFIG list or null, cluster flags] */
const cases: [string, string | null, ClusterOptions][] = [
  ['one file (--kubeconfig)', null, { kubeconfig: a }],
  ['--context picks another context of the file', null, { kubeconfig: a, context: 'beta' }],
  ['--context names no context', null, { kubeconfig: a, context: 'nope' }],
  ['--namespace wins over the context', null, { kubeconfig: a, namespace: 'flagged' }],
  ['current-context names no context', null, { kubeconfig: dangling }],
  ['no current-context', null, { kubeconfig: noCurrent }],
  ['the --kubeconfig file is missing', null, { kubeconfig: missing }],
  ['the --kubeconfig file is missing, --context given', null, { kubeconfig: missing, context: 'alpha' }],
  ['an empty file', null, { kubeconfig: emptyFile }],
  ['$KUBECONFIG list: the first current-context wins', list(a, b), {}],
  ['$KUBECONFIG list: the other order', list(b, a), {}],
  ['$KUBECONFIG list: a context named in two files takes the first one', list(b, a), { context: 'alpha' }],
  ['$KUBECONFIG list: a context only in the second file', list(a, b), { context: 'gamma' }],
  ['$KUBECONFIG list: the first file sets no current-context', list(noCurrent, b), {}],
  ['$KUBECONFIG list: an empty current-context does not count', list(emptyCurrent, a), {}],
  ['$KUBECONFIG list: missing files are skipped', list(missing, a), {}],
  ['$KUBECONFIG list: empty entries and repeats', `${path.delimiter}${list(b, b, a)}${path.delimiter}`, {}],
  ['$KUBECONFIG list: every file missing', list(missing, path.join(dir, 'missing2.yaml')), {}],
];

describe('the kube context from the kubeconfig files, as kubectl reads them', () => {
  for (const [what, env, cluster] of cases) {
    it(what, async () => {
      if (env === null) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = env;
      const fromKubectl = await readClusterTargetWithKubectl(cluster, 10_000);
      const { files, explicit } = kubeconfigFiles(cluster, process.env);
      // the direct reading must be certain here (no fallback), and agree with kubectl
      const texts = files.map((file) => {
        try {
          return { file, text: readFileSync(file, 'utf8') };
        } catch {
          return { file, missing: true as const };
        }
      });
      expect(resolveFromKubeconfigs(texts, cluster, explicit)).toEqual(fromKubectl);
      expect(await readClusterTarget(cluster, 10_000, process.env)).toEqual(fromKubectl);
    });
  }

  it('spot checks, so the oracle itself is not silently empty', async () => {
    process.env.KUBECONFIG = list(b, a);
    expect(await readClusterTarget({}, 10_000, process.env)).toEqual({ context: 'gamma', namespace: 'web', source: 'kubeconfig' });
    expect(await readClusterTarget({ context: 'alpha' }, 10_000, process.env)).toEqual({ context: 'alpha', namespace: 'other', source: 'flag' });
    expect(await readClusterTarget({ kubeconfig: missing }, 10_000, process.env)).toEqual({ context: null, namespace: 'default', source: 'none' });
  });

  it('reads ~/.kube/config when neither --kubeconfig nor $KUBECONFIG is set', () => {
    expect(kubeconfigFiles({}, {}, '/home/op')).toEqual({ files: ['/home/op/.kube/config'], explicit: false });
    expect(kubeconfigFiles({ kubeconfig: 'x' }, { KUBECONFIG: 'y' }, '/home/op')).toEqual({ files: ['x'], explicit: true });
  });

  it('asks kubectl when a file cannot be parsed', async () => {
    const bad = path.join(dir, 'bad.yaml');
    writeFileSync(bad, 'current-context: [unclosed\n');
    expect(resolveFromKubeconfigs([{ file: bad, text: 'current-context: [unclosed\n' }], {}, true)).toBeNull();
    expect(resolveFromKubeconfigs([{ file: bad, text: 'contexts: {not: a list}\n' }], {}, true)).toBeNull();
    // a stand-in kubectl records that it was asked (narrow unit test of the fallback)
    const fake = path.join(dir, 'fake-kubectl');
    writeFileSync(fake, `#!${process.execPath}\nconst a = process.argv.slice(2);\nprocess.stdout.write(a.includes('current-context') ? 'from-kubectl' : 'ns-from-kubectl');\n`);
    chmodSync(fake, 0o755);
    expect(await readClusterTarget({ kubeconfig: bad, kubectl: fake }, 10_000, {})).toEqual({ context: 'from-kubectl', namespace: 'ns-from-kubectl', source: 'kubeconfig' });
    // and with the real kubectl, the same answer as kubectl gives for that file
    expect(await readClusterTarget({ kubeconfig: bad }, 10_000, {})).toEqual(await readClusterTargetWithKubectl({ kubeconfig: bad }, 10_000));
  });

  it('asks kubectl when a file exists but cannot be read', async () => {
    const fake = path.join(dir, 'fake-kubectl2');
    writeFileSync(fake, `#!${process.execPath}\nprocess.stdout.write(process.argv.includes('current-context') ? 'asked' : 'ns');\n`);
    chmodSync(fake, 0o755);
    // a folder where a file should be: EISDIR, not "missing"
    expect(await readClusterTarget({ kubeconfig: dir, kubectl: fake }, 10_000, {})).toEqual({ context: 'asked', namespace: 'ns', source: 'kubeconfig' });
  });
});
