// Issue 11, "bad output": every parser fed random text and truncated or mutated versions of
// its real fixtures returns {ok:false, error:'could not parse …'} or {ok:true, fields} with
// plain-JSON fields — and never throws into the engine.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parsers } from '../../src/parsers/index.js';
import type { ParseInput, Parser } from '../../src/parsers/types.js';
import { fixture, fixtureFiles, yamlFixtureAsJson } from './fixtures.js';

const RUNS = 300;

/** Real output each parser is meant for (the seeds that get cut and mutated). */
const SEEDS: Record<string, string[]> = {
  json: ['kubectl/dry-run-deployment.json'],
  lines: ['lab/ping-ok.txt'],
  'kubectl-json': ['kubectl/dry-run-deployment.json', 'kubectl/pods-selector-overlap-000.json'],
  'kubectl-list': ['kubectl/pods-selector-overlap-000.json'],
  'kubectl-pods': ['kubectl/pods-selector-overlap-000.json', 'lab-kubectl/selector-overlap-pods.json'],
  'kubectl-service': ['yaml:incidents/003-service-ks-apiserver.yaml', 'yaml:incidents/004-service-apiserver.yaml', 'kubectl/service-selector-overlap-000.json'],
  'kubectl-services': ['yaml:incidents/003-service-ks-apiserver.yaml', 'kubectl/service-selector-overlap-000.json'],
  'kubectl-endpoints': ['kubectl/endpoints-selector-overlap-000.json'],
  'kubectl-endpointslices': ['kubectl/endpointslices-selector-overlap-000.json', 'lab-kubectl/selector-overlap-endpointslices.json'],
  'kubectl-deployment': ['kubectl/dry-run-deployment.json'],
  'kubectl-nodes': ['lab-kubectl/selector-overlap-nodes.json'],
  'kubectl-config': ['lab-kubectl/selector-overlap-kubeconfig-view.json'],
  'ip-link': ['lab/ip-link-node-vxlan.json', 'lab/ip-link-pod-veth.json', 'incidents/004-ip-a-eth0.txt', 'incidents/004-vxlan-calico-link.txt'],
  'ip-addr': ['lab/ip-addr-node.json', 'lab/ip-addr-node-kube-ipvs0.json', 'incidents/004-ip-a-eth0.txt'],
  'ip-neigh': ['lab/ip-neigh-node.json', 'lab/ip-neigh-client-vip.json'],
  ping: ['lab/ping-ok.txt', 'lab/ping-df-too-big.txt', 'lab/ping-unreachable.txt', 'incidents/004-ping-busybox.txt'],
  tracepath: ['lab/tracepath-overlay.txt', 'lab/tracepath-underlay.txt'],
  dig: ['lab/dig-full-noerror.txt', 'lab/dig-full-refused.txt', 'lab/dig-short.txt', 'lab/dig-unreachable.txt'],
  'getent-hosts': ['lab/getent-hosts-api.txt', 'lab/getent-hosts-search-hijack.txt'],
  'resolv-conf': ['lab/resolv-conf-pod-corp-search.txt', 'incidents/002-resolv-conf.txt'],
  sysctl: ['lab/sysctl-a-net-ipv4-subset.txt', 'lab/sysctl-keys-missing.stderr', 'incidents/001-sysctl-conf.txt'],
  netstat: ['incidents/001-proc-net-netstat.txt', 'lab/proc-net-netstat.txt'],
  tcpdump: ['incidents/000-tcpdump-merged.txt', 'incidents/000-tcpdump-rst.txt', 'lab/tcpdump-vxlan-underlay.txt', 'lab/tcpdump-arp-duplicate.txt'],
  curl: ['lab/curl-ok.txt', 'lab/curl-recv-reset-56.txt', 'incidents/000-curl-errors.txt'],
  'curl-probe': ['lab/curl-probe-mixed.txt', 'lab/curl-probe-all-ok.txt'],
  arping: ['lab/arping-duplicate-macs.txt', 'lab/arping-one-mac.txt'],
  uname: ['lab/uname-r.txt'],
  'hop-capture': ['lab/tcpdump-hop-sender-vxlan0.txt', 'lab/tcpdump-hop-sender-nic.txt', 'lab/ping-df-silent-loss-across-nodes.txt'],
};

function seedText(ref: string): string {
  return ref.startsWith('yaml:') ? yamlFixtureAsJson(ref.slice(5)) : fixture(ref);
}

/** Runs the parser and checks the contract; returns the outcome for further checks. */
function checkContract(parser: Parser, input: ParseInput) {
  let out;
  try {
    out = parser.parse(input);
  } catch (err) {
    throw new Error(`${parser.name} threw on ${JSON.stringify(input).slice(0, 300)}: ${(err as Error).message}`);
  }
  if (out.ok) {
    // plain JSON: survives a round trip unchanged, and every declared field is present
    expect(JSON.parse(JSON.stringify(out.fields))).toEqual(out.fields);
    for (const f of parser.fields) expect(out.fields, `${parser.name} field ${f}`).toHaveProperty([f]);
  } else {
    expect(out.error).toMatch(/^could not parse /);
  }
  return out;
}

// mutations of real output: cut, delete a span, insert junk, duplicate or drop lines
const mutation = (seed: string) =>
  fc.oneof(
    fc.nat({ max: seed.length }).map((n) => seed.slice(0, n)),
    fc.nat({ max: seed.length }).map((n) => seed.slice(n)),
    fc.tuple(fc.nat({ max: seed.length }), fc.nat({ max: 40 })).map(([at, len]) => seed.slice(0, at) + seed.slice(at + len)),
    fc.tuple(fc.nat({ max: seed.length }), fc.string({ unit: 'binary', maxLength: 30 })).map(([at, junk]) => seed.slice(0, at) + junk + seed.slice(at)),
    fc.tuple(fc.nat({ max: seed.length }), fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '\n', '\u0000', 'null', '-1', '1e309', '\u001b[2J')).map(
      ([at, tok]) => seed.slice(0, at) + tok + seed.slice(at + 1),
    ),
    fc.shuffledSubarray(seed.split('\n')).map((ls) => ls.join('\n')),
    fc.nat({ max: 50 }).map((i) => {
      const ls = seed.split('\n');
      const l = ls[i % Math.max(1, ls.length)] ?? '';
      return [...ls, l, l].join('\n');
    }),
  );

const exitCode = fc.oneof(fc.constant(0), fc.constant(1), fc.constant(null), fc.integer({ min: -1, max: 255 }));

describe.each([...parsers.values()].map((p) => [p.name, p] as const))('parser %s', (name, parser) => {
  it('has seeds of real output that parse', () => {
    const seeds = SEEDS[name];
    expect(seeds, `add real fixtures for ${name} to SEEDS`).toBeDefined();
    // the seeds are real output of the command: at least one must parse
    const oks = seeds!.map((s) => parser.parse({ stdout: seedText(s), stderr: '', exitCode: 0 }).ok);
    expect(oks).toContain(true);
  });

  it('random text never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), fc.string({ maxLength: 100 }), exitCode, (stdout, stderr, code) => {
        checkContract(parser, { stdout, stderr, exitCode: code });
      }),
      { numRuns: RUNS },
    );
  });

  it('random JSON never throws', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 6 }), (stdout) => {
        checkContract(parser, { stdout, stderr: '', exitCode: 0 });
      }),
      { numRuns: RUNS },
    );
  });

  it('truncated and mutated real output never throws', () => {
    const seeds = (SEEDS[name] ?? []).map(seedText);
    fc.assert(
      fc.property(
        fc.constantFrom(...seeds).chain((s) => mutation(s)),
        exitCode,
        (stdout, code) => {
          checkContract(parser, { stdout, stderr: stdout.slice(0, 200), exitCode: code });
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('every fixture against every parser', () => {
  it('no parser throws on any fixture, whatever it was captured for', () => {
    const files = [...fixtureFiles('lab'), ...fixtureFiles('incidents'), ...fixtureFiles('kubectl'), ...fixtureFiles('lab-kubectl')];
    expect(files.length).toBeGreaterThan(50);
    let outcomes = 0;
    for (const f of files) {
      const text = fixture(f);
      for (const p of parsers.values()) {
        checkContract(p, { stdout: text, stderr: '', exitCode: 0 });
        outcomes++;
      }
    }
    expect(outcomes).toBe(files.length * parsers.size);
  });

  it('hostile input: undefined-ish fields, huge output, deep JSON', () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const huge = 'TcpExt: a\n'.repeat(20000) + 'x'.repeat(1_000_000);
    for (const p of parsers.values()) {
      checkContract(p, { stdout: deep, stderr: '', exitCode: 0 });
      checkContract(p, { stdout: huge, stderr: huge, exitCode: 0 });
      checkContract(p, { stdout: undefined as unknown as string, stderr: null as unknown as string, exitCode: 'x' as unknown as number });
    }
  });
});
