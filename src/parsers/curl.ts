import { defineParser, couldNotParse, parsed, int, num, lines } from './outcome.js';

/** The `-w` format playbooks pass to curl. One line per transfer, marked so it can be found
 * after a body printed to stdout; `err` is last because the message has spaces.
 * Use with `-s -o /dev/null` and, for several tries in one process, a URL glob
 * (`http://HOST:PORT/?netwiz_try=[1-20]`) plus `-H 'Connection: close'` so each try opens
 * its own TCP connection (and so lands on a backend of its own). */
export const CURL_WRITE_OUT =
  'netwiz-curl code=%{http_code} size=%{size_download} time=%{time_total} connect=%{time_connect} ip=%{remote_ip} port=%{remote_port} url=%{url_effective} exitcode=%{exitcode} err=%{errormsg}\\n';

export const CURL_KINDS = ['ok', 'http-error', 'dns', 'refused', 'no-route', 'timeout', 'empty-reply', 'reset', 'other'] as const;
export type CurlKind = (typeof CURL_KINDS)[number];

export interface CurlResult {
  code: number;
  size: number | null;
  time: number | null;
  connect_time: number | null;
  ip: string;
  port: number | null;
  /** host and port the try was aimed at (from the URL): known even when the connect failed,
   * when remote_ip is empty */
  target: string;
  target_port: number | null;
  exitcode: number;
  error: string;
  kind: CurlKind;
  ok: boolean;
  /** the response headers arrived, then the transfer failed: a big response lost on the way */
  partial: boolean;
}

/** What a curl exit code means for a diagnosis. Exit 7 is both "refused" (an RST, at once)
 * and "no route to host" (ARP failed, after ~3 s); curl 7.88's message does not tell them
 * apart, so a slow exit 7 counts as no-route. */
export function classifyCurl(exitcode: number, httpCode: number, error: string, seconds: number | null): CurlKind {
  switch (exitcode) {
    case 0:
      return httpCode >= 400 || httpCode === 0 ? 'http-error' : 'ok';
    case 6:
      return 'dns';
    case 7:
      if (/no route to host|network is unreachable/i.test(error)) return 'no-route';
      if (/timed out/i.test(error)) return 'timeout';
      if (/refused/i.test(error)) return 'refused';
      return seconds !== null && seconds >= 1 ? 'no-route' : 'refused';
    case 28:
      return 'timeout';
    case 52:
      return 'empty-reply';
    case 56:
    case 35:
      return /reset/i.test(error) || exitcode === 56 ? 'reset' : 'other';
    case 18:
      return 'reset';
    default:
      return 'other';
  }
}

function urlTarget(url: string): [string, number | null] {
  const m = /^[a-z]+:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/?#]+)(?::(\d+))?/i.exec(url);
  if (!m) return ['', null];
  return [(m[1] ?? '').replace(/^\[|\]$/g, ''), int(m[2])];
}

function readWriteOut(line: string): CurlResult | null {
  const at = line.indexOf('netwiz-curl ');
  if (at < 0) return null;
  const body = line.slice(at + 'netwiz-curl '.length);
  const errAt = body.indexOf(' err=');
  const head = errAt >= 0 ? body.slice(0, errAt) : body;
  const error = errAt >= 0 ? body.slice(errAt + 5).trim() : '';
  const kv: Record<string, string> = {};
  for (const tok of head.trim().split(/\s+/)) {
    const eq = tok.indexOf('=');
    if (eq > 0) kv[tok.slice(0, eq)] = tok.slice(eq + 1);
  }
  const exitcode = int(kv.exitcode);
  const code = int(kv.code);
  if (exitcode === null || code === null) return null;
  const time = num(kv.time);
  const kind = classifyCurl(exitcode, code, error, time);
  const [target, targetPort] = urlTarget(kv.url ?? '');
  return {
    code,
    size: int(kv.size),
    time,
    connect_time: num(kv.connect),
    ip: kv.ip ?? '',
    port: int(kv.port) || null,
    target: target || (kv.ip ?? ''),
    target_port: targetPort ?? (int(kv.port) || null),
    exitcode,
    error,
    kind,
    ok: kind === 'ok',
    partial: exitcode !== 0 && code > 0,
  };
}

/** curl without our -w (or output quoted in a write-up): "curl: (7) Failed connect to …". */
function readStderr(stderr: string, exitCode: number | null): CurlResult[] {
  const out: CurlResult[] = [];
  for (const line of lines(stderr)) {
    const m = /curl:\s+\((\d+)\)\s*(.*)$/.exec(line);
    if (!m) continue;
    const exitcode = int(m[1]) ?? exitCode ?? -1;
    const error = (m[2] ?? '').trim();
    const host = /(?:connect to|resolve host:?)\s+([^\s:;]+)(?::(\d+))?/i.exec(error);
    out.push({ code: 0, size: null, time: null, connect_time: null, ip: '', port: null, target: host?.[1] ?? '', target_port: int(host?.[2]), exitcode, error, kind: classifyCurl(exitcode, 0, error, null), ok: false, partial: false });
  }
  return out;
}

export function readCurlResults(stdout: string, stderr: string, exitCode: number | null): CurlResult[] {
  const results = lines(stdout)
    .map(readWriteOut)
    .filter((r): r is CurlResult => r !== null);
  return results.length > 0 ? results : readStderr(stderr, exitCode);
}

const SINGLE_FIELDS = ['code', 'size', 'time', 'connect_time', 'ip', 'port', 'target', 'target_port', 'exitcode', 'error', 'kind', 'ok', 'partial'];

interface TargetStats {
  tries: number;
  ok: number;
  fail: number;
  kinds: Record<string, number>;
}

/** Per target (the host in each try's URL): a glob over endpoint IPs
 * (`http://{10.0.1.5,10.0.2.6}:8080/?netwiz_try=[1-3]`) tells which backend fails. */
function byTarget(results: CurlResult[]) {
  const stats: Record<string, TargetStats> = {};
  for (const r of results) {
    if (r.target === '') continue;
    const s = (stats[r.target] ??= { tries: 0, ok: 0, fail: 0, kinds: {} });
    s.tries++;
    if (r.ok) s.ok++;
    else s.fail++;
    s.kinds[r.kind] = (s.kinds[r.kind] ?? 0) + 1;
  }
  const names = Object.keys(stats);
  return {
    by_target: stats,
    targets: names,
    always_failing_targets: names.filter((t) => stats[t]!.ok === 0),
    never_failing_targets: names.filter((t) => stats[t]!.fail === 0),
    flaky_targets: names.filter((t) => stats[t]!.ok > 0 && stats[t]!.fail > 0),
  };
}

/** One curl transfer run with CURL_WRITE_OUT (the last one when there are several). */
export const curlParser = defineParser({
  name: 'curl',
  description: `curl -s -o /dev/null -w CURL_WRITE_OUT URL: code, size, time, ip, exitcode, kind (${CURL_KINDS.join('|')}), ok, partial`,
  fields: SINGLE_FIELDS,
  parse({ stdout, stderr, exitCode }) {
    const results = readCurlResults(stdout, stderr, exitCode);
    const last = results[results.length - 1];
    if (!last) return couldNotParse('curl output', 'no "netwiz-curl …" -w line and no "curl: (N)" error');
    return parsed({ ...last });
  },
});

/** Many tries (a URL glob in one curl, or several runs' output joined): how often and how it fails. */
export const curlProbeParser = defineParser({
  name: 'curl-probe',
  description:
    'curl with CURL_WRITE_OUT over N tries: tries, ok_count, fail_count, fail_pct, kinds {kind: n}, intermittent, all_failed, dominant_failure, remote_ips, partial_count, by_target, always_failing_targets, never_failing_targets, flaky_targets',
  fields: [
    'tries',
    'ok_count',
    'fail_count',
    'fail_pct',
    'kinds',
    'intermittent',
    'all_ok',
    'all_failed',
    'dominant_failure',
    'failure_kinds',
    'http_codes',
    'remote_ips',
    'partial_count',
    'max_size',
    'by_target',
    'targets',
    'always_failing_targets',
    'never_failing_targets',
    'flaky_targets',
    'results',
  ],
  parse({ stdout, stderr, exitCode }) {
    const results = readCurlResults(stdout, stderr, exitCode);
    if (results.length === 0) return couldNotParse('curl probe output', 'no "netwiz-curl …" -w lines');
    const kinds: Record<string, number> = {};
    for (const k of CURL_KINDS) kinds[k] = 0;
    const codes: Record<string, number> = {};
    for (const r of results) {
      kinds[r.kind] = (kinds[r.kind] ?? 0) + 1;
      codes[String(r.code)] = (codes[String(r.code)] ?? 0) + 1;
    }
    const ok = kinds.ok ?? 0;
    const fail = results.length - ok;
    const failureKinds = CURL_KINDS.filter((k) => k !== 'ok' && (kinds[k] ?? 0) > 0);
    const dominant = [...failureKinds].sort((a, b) => (kinds[b] ?? 0) - (kinds[a] ?? 0))[0] ?? '';
    return parsed({
      tries: results.length,
      ok_count: ok,
      fail_count: fail,
      fail_pct: Math.round((fail / results.length) * 1000) / 10,
      kinds,
      intermittent: ok > 0 && fail > 0,
      all_ok: fail === 0,
      all_failed: ok === 0,
      dominant_failure: dominant,
      failure_kinds: [...failureKinds],
      http_codes: codes,
      remote_ips: [...new Set(results.map((r) => r.ip).filter((ip) => ip !== ''))],
      partial_count: results.filter((r) => r.partial).length,
      max_size: results.reduce((m, r) => Math.max(m, r.size ?? 0), 0),
      ...byTarget(results),
      results: results.slice(0, 200),
    });
  },
});
