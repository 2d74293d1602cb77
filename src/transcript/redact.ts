// The one place where credentials are removed before anything reaches disk: transcript
// lines, kept output files and every export go through these functions. Rules err on the
// side of hiding: an over-redacted line costs a reviewer a guess, a leaked token costs a
// cluster.

export const REDACTED = '[REDACTED]';

/** Options whose *next* argv element (or `--opt=value`) is a secret as a whole. */
const SECRET_VALUE_OPTIONS = new Set([
  '--password',
  '--passwd',
  '--pass',
  '--token',
  '--bearer-token',
  '--oauth2-bearer',
  '--client-secret',
  '--secret',
  '--api-key',
  '--apikey',
  '--auth-token',
  '--access-token',
  '--refresh-token',
  '--id-token',
  '--proxy-pass',
  '--key-passwd',
  '--pass-phrase',
]);

/** Options whose next element is `user:password` (curl, wget, httpie…): keep the user. */
const USER_PASS_OPTIONS = new Set(['-u', '--user', '-U', '--proxy-user', '--auth', '-a']);

/** Options whose next element is an HTTP header (the header rule then applies). */
const HEADER_OPTIONS = new Set(['-H', '--header', '--proxy-header']);

function redactUserPass(value: string): string {
  const colon = value.indexOf(':');
  // `-u user` alone makes curl prompt for the password: nothing secret on the line
  if (colon < 0) return value;
  return `${value.slice(0, colon)}:${REDACTED}`;
}

/**
 * Redact one argv: option-aware (`-u user:pass`, `--token X`, `--password=X`, `-uuser:pass`),
 * then the free-text rules on every element (headers, URLs, `KEY=value` env pairs).
 * The result has the same length, so it can still be shown element by element.
 */
export function redactArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const prev = i > 0 ? (argv[i - 1] ?? '') : '';
    if (i > 0 && SECRET_VALUE_OPTIONS.has(prev.toLowerCase())) {
      out.push(REDACTED);
      continue;
    }
    if (i > 0 && USER_PASS_OPTIONS.has(prev)) {
      out.push(redactText(redactUserPass(arg)));
      continue;
    }
    if (i > 0 && HEADER_OPTIONS.has(prev)) {
      out.push(redactText(arg));
      continue;
    }
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      const opt = arg.slice(0, eq);
      const val = arg.slice(eq + 1);
      if (SECRET_VALUE_OPTIONS.has(opt.toLowerCase())) {
        out.push(`${opt}=${REDACTED}`);
        continue;
      }
      if (USER_PASS_OPTIONS.has(opt)) {
        out.push(`${opt}=${redactUserPass(val)}`);
        continue;
      }
    }
    // curl accepts the value glued to the short option: -utest:test
    const glued = /^-([uU])(.+)$/.exec(arg);
    if (glued && glued[2]!.includes(':') && !arg.startsWith('--')) {
      out.push(`-${glued[1]}${redactUserPass(glued[2]!)}`);
      continue;
    }
    out.push(redactText(arg));
  }
  return out;
}

// --- free text (command output, argv elements, answers, facts) ---

/** Keys whose value is a secret in YAML, JSON, INI or `KEY=value` form. */
const SECRET_KEY =
  '(?:client-key-data|client-certificate-data|(?:[A-Za-z0-9_.-]*[-_.])?(?:token|id-token|refresh-token|access-token|auth-token|bearer-token|bearer|password|passwd|pwd|pass|auth|credentials?|secret|secret-key|api-key|api_key|apikey|private-key)|[A-Za-z0-9]*(?:Token|Password|Secret|ApiKey|PrivateKey))';

// `token: abc`, `"token": "abc"`, `password=abc`; keeps booleans, numbers and empty values
// (`automountServiceAccountToken: false` is configuration, not a secret), and a value that
// opens an object or list (`case 'auth': {` in code is no credential).
const KEY_VALUE_RE = new RegExp(
  `(^|[\\s{,;"'\\\\])(${SECRET_KEY})(\\\\?"?'?\\s*[:=]\\s*)(\\\\?["']?)([^\\s"',}{[\\\\][^\\s"',}\\\\]*)`,
  'gim',
);

const PEM_PRIVATE_RE =
  /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;

const AUTH_HEADER_RE = /\b((?:Proxy-)?Authorization)(\s*[:=]\s*)(?:(Bearer|Basic|Digest|Negotiate|NTLM|Token|AWS4-HMAC-SHA256|Bearer:)\s+)?([^\r\n"'\\]+)/gi;
const BEARER_RE = /\b(Bearer)(\s+)([A-Za-z0-9._~+/=-]{8,})/g;
const JWT_RE = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
// scheme://user:password@host — the user stays, the password goes
const URL_USERINFO_RE = /\b([a-zA-Z][a-zA-Z0-9+.-]*:\/\/)([^\s/:@'"]+):([^\s/@'"]+)@/g;
// `-u user:pass` / `--user user:pass` written as text (a command line inside output or a note)
const TEXT_USER_OPTION_RE =
  /(^|[\s'"])(-u|-U|--user|--proxy-user)(\s+|=)(['"]?)([^\s:'"]+):([^\s'"]+)\4/g;
const TEXT_SECRET_OPTION_RE = new RegExp(
  `(^|[\\s'"])(${[...SECRET_VALUE_OPTIONS].join('|')})(\\s+|=)(['"]?)([^\\s'"]+)\\4`,
  'gi',
);

const TOKEN_LIKE_PREFIX_RE = /\b(gh[pousr]_[A-Za-z0-9]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|sk-[A-Za-z0-9]{20,})\b/g;

function isHarmlessValue(v: string): boolean {
  // kubectl config view prints REDACTED / DATA+OMITTED itself
  return /^(?:true|false|null|~|\d{1,9}|\[\]|\{\}|\||>|-|REDACTED|DATA\+OMITTED)$/i.test(v);
}

/** Lines of a Kubernetes Secret's `data:` / `stringData:` block (YAML or pretty JSON). */
function redactSecretDataBlocks(text: string): string {
  if (!/kind["']?\s*:\s*["']?Secret\b/.test(text) && !/\\"kind\\":\\"Secret\\"/.test(text)) {
    return text;
  }
  const lines = text.split('\n');
  let blockIndent = -1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const indent = line.length - line.trimStart().length;
    if (blockIndent >= 0) {
      const trimmed = line.trim();
      if (trimmed === '' ) continue;
      if (indent <= blockIndent || /^[}\]]/.test(trimmed)) {
        blockIndent = -1;
      } else {
        lines[i] = line.replace(
          /^(\s*"?[^":]+"?\s*:\s*)("?)(.*?)("?,?)\s*$/,
          (_m, k: string, q1: string, _v: string, q2: string) => `${k}${q1}${REDACTED}${q2}`,
        );
        continue;
      }
    }
    const open = /^(\s*)"?(data|stringData)"?\s*:\s*(\{\s*)?$/.exec(line);
    if (open) blockIndent = open[1]!.length;
  }
  let out = lines.join('\n');
  // one-line JSON, also JSON-in-a-string (last-applied-configuration annotation)
  out = out.replace(
    /(\\?"(?:data|stringData)\\?"\s*:\s*\{)([^{}]*)(\})/g,
    (_m, open: string, inner: string, close: string) =>
      open +
      inner.replace(
        /(\\?"[^"\\]*\\?"\s*:\s*)(\\?")((?:[^"\\]|\\(?!"))*)(\\?")/g,
        (_m2, k: string, q1: string, _v: string, q2: string) => `${k}${q1}${REDACTED}${q2}`,
      ) +
      close,
  );
  return out;
}

// Every rule above needs one of these literals somewhere in what it matches (PEM: "KEY";
// a Secret's data: "Secret"; Authorization: "auth"; URL user-info: "://"; `-u user:pass`:
// "-u"; the option names: pass/token/bearer/secret/key; SECRET_KEY: key, certificate,
// token, bearer, pass, pwd, auth, credential, secret; token prefixes: gh?_, xox?-, AKIA,
// sk-; JWT: eyJ). All of them are ASCII, so a latin1 view of raw UTF-8 bytes can be tested
// too. Text without any is returned after this one scan instead of twelve regex passes:
// 100 MiB of log lines cost ~0.3 s instead of ~1.5 s. test/transcript/redact-prefilter
// checks that the full rules never change a text this test lets through.
// A rule added above needs its literal here.
const MAY_HOLD_SECRET_RE =
  /key|secret|auth|bearer|eyj|:\/\/|-u|certificate|token|pass|pwd|credential|gh[pousr]_|xox[abposr]-|akia|sk-/i;

/** false when no redaction rule can match anywhere in `text` (one cheap scan). */
export function mayHoldSecret(text: string): boolean {
  return MAY_HOLD_SECRET_RE.test(text);
}

/** Redact free text: command output, argv elements, answers, fact values. Idempotent. */
export function redactText(text: string): string {
  if (text.length === 0 || !mayHoldSecret(text)) return text;
  return redactTextFull(text);
}

/** redactText without the prefilter (exported for the test that checks the prefilter). */
export function redactTextFull(text: string): string {
  let out = text;
  out = out.replace(PEM_PRIVATE_RE, (_m, kind: string) => {
    return `-----BEGIN ${kind}PRIVATE KEY-----\n${REDACTED}\n-----END ${kind}PRIVATE KEY-----`;
  });
  out = redactSecretDataBlocks(out);
  out = out.replace(AUTH_HEADER_RE, (m, name: string, sep: string, scheme: string | undefined, value: string) => {
    if (value.trim() === REDACTED || value.trim() === '') return m;
    return `${name}${sep}${scheme ? `${scheme} ` : ''}${REDACTED}`;
  });
  out = out.replace(BEARER_RE, (m, word: string, sp: string, tok: string) =>
    tok === REDACTED || tok.startsWith('[REDACTED') ? m : `${word}${sp}${REDACTED}`,
  );
  out = out.replace(JWT_RE, REDACTED);
  out = out.replace(URL_USERINFO_RE, (m, scheme: string, user: string, pass: string) =>
    pass === REDACTED ? m : `${scheme}${user}:${REDACTED}@`,
  );
  out = out.replace(
    TEXT_USER_OPTION_RE,
    (m, pre: string, opt: string, sep: string, q: string, user: string, pass: string) =>
      pass === REDACTED ? m : `${pre}${opt}${sep}${q}${user}:${REDACTED}${q}`,
  );
  out = out.replace(
    TEXT_SECRET_OPTION_RE,
    (m, pre: string, opt: string, sep: string, q: string, val: string) =>
      val === REDACTED ? m : `${pre}${opt}${sep}${q}${REDACTED}${q}`,
  );
  out = out.replace(
    KEY_VALUE_RE,
    (m, pre: string, key: string, sep: string, q: string, val: string) => {
      if (val === REDACTED || val.startsWith('[REDACTED') || isHarmlessValue(val)) return m;
      return `${pre}${key}${sep}${q}${REDACTED}`;
    },
  );
  out = out.replace(TOKEN_LIKE_PREFIX_RE, REDACTED);
  return out;
}

function looksLikeArgv(v: unknown[]): v is string[] {
  return v.length > 0 && v.every((x) => typeof x === 'string');
}

/**
 * Redact every string in a JSON value (a transcript event, an engine state). String
 * arrays are treated as argv (option-aware); object keys that name a secret lose their value.
 */
export function redactValue<T>(value: T): T {
  return walk(value, undefined) as T;
}

const SECRET_KEY_NAME_RE = new RegExp(`^${SECRET_KEY}$`, 'i');

function walk(v: unknown, key: string | undefined): unknown {
  if (typeof v === 'string') {
    if (key !== undefined && SECRET_KEY_NAME_RE.test(key) && v !== '' && !isHarmlessValue(v)) {
      return REDACTED;
    }
    return redactText(v);
  }
  if (Array.isArray(v)) {
    if (looksLikeArgv(v)) return redactArgv(v);
    return v.map((x) => walk(x, undefined));
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = walk(x, k);
    return out;
  }
  return v;
}

export interface OutputRedactor {
  /** text in, redacted text out (possibly empty while it waits for more context) */
  push(text: string): string;
  /** the rest, redacted */
  end(): string;
  /** whether anything released so far differs from its input (a rule fired, key lines dropped) */
  readonly changed: boolean;
}

// Where a rule's match can cross a line end: only through whitespace in it. Key-value and
// Authorization separators (`\s*[:=]\s*`: `password:\n  hunter2`, `token\n= x`), the space
// after an auth scheme or `Bearer`, and after a `-u` / `--token` option written as text.
// A line made only of separators can sit inside such a match.
const SEPARATOR_ONLY_RE = /^[\s:="'\\]*$/;
// the last word of a line that a value on the next line would complete
const VALUE_FOLLOWS_RE = /(?:^['"]?-|(?:bearer:?|basic|digest|negotiate|ntlm|token|aws4-hmac-sha256)$)/i;
const ENDS_WITH_SEPARATOR_RE = /[:=\\]\s*$/;

/** How far back a cut is looked for before settling for a weaker one. */
const SAFE_CUT_MAX_LINES = 512;

function safeBetween(prev: string, next: string, strict: boolean): boolean {
  if (SEPARATOR_ONLY_RE.test(prev) || SEPARATOR_ONLY_RE.test(next)) return false;
  if (ENDS_WITH_SEPARATOR_RE.test(prev)) return false;
  const c0 = next.charCodeAt(0);
  // strict: the next line starts in column 0, outside an indented YAML/JSON block (a Secret's data)
  if (strict && (c0 === 0x20 || c0 === 0x09 || c0 === 0x0d)) return false;
  const first = next.trimStart().charCodeAt(0);
  if (first === 0x3a /* : */ || first === 0x3d /* = */) return false;
  const lastWord = prev.slice(prev.trimEnd().search(/\S+$/));
  return !VALUE_FOLLOWS_RE.test(lastWord.trimEnd());
}

/**
 * Where a long text can be cut so that no rule's match spans the cut: at a line end where
 * the line before does not end with a separator or a word a value follows (`Bearer`,
 * `Basic`, `-u`, `--token`), the line after does not start with a separator, neither is
 * blank, and (strict) the line after starts in column 0, outside an indented block such as
 * a Secret's data. Private keys are held whole by the caller. Returns the index of the
 * `\n` to cut after, or -1 when none of the last `maxLines` line ends qualifies.
 */
export function safeCut(text: string, strict = true, maxLines = SAFE_CUT_MAX_LINES): number {
  // the line after a candidate must be complete to be judged: start from the second-last \n
  let after = text.lastIndexOf('\n');
  if (after <= 0) return -1;
  let cut = text.lastIndexOf('\n', after - 1);
  for (let n = 0; cut >= 0 && n < maxLines; n++) {
    const prevStart = text.lastIndexOf('\n', cut - 1) + 1;
    if (safeBetween(text.slice(prevStart, cut), text.slice(cut + 1, after), strict)) return cut;
    after = cut;
    cut = prevStart > 0 ? prevStart - 1 : -1;
  }
  return -1;
}

/**
 * Redact a stream of command output on its way to disk, so a raw secret is never written
 * even for a moment. Text is held back up to `holdChars` (rules such as a Secret's data
 * need the whole document: kubectl prints `kind` after `data`); past that it is released in
 * whole lines, cut where no rule can span the cut (safeCut; up to 4 × holdChars is held
 * looking for one, then a weaker cut or any line end), and an open private-key block is held until its END line.
 */
export function createOutputRedactor(holdChars = 1 << 20): OutputRedactor {
  let buf = '';
  let released = false;
  let changed = false;
  // a key block longer than the window was cut: its remaining lines are dropped up to END
  let inKey = false;
  const BEGIN = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/g;
  const END = /-----END [A-Z0-9 ]*PRIVATE KEY-----/;
  const unterminated = (t: string) => {
    let last = -1;
    for (const m of t.matchAll(BEGIN)) last = m.index;
    return last >= 0 && !END.test(t.slice(last));
  };
  const redact = (t: string): string => {
    const out = redactText(t);
    if (out !== t) changed = true;
    return out;
  };
  const release = (chunk: string): string => {
    if (inKey) {
      changed = true;
      const m = END.exec(chunk);
      if (!m) return '';
      inKey = false;
      const nl = chunk.indexOf('\n', m.index);
      chunk = nl < 0 ? '' : chunk.slice(nl + 1);
    }
    if (!unterminated(chunk)) return redact(chunk);
    inKey = true;
    const out = redact(chunk);
    // the placeholder block stands for the whole key: its END line is dropped when it comes
    return out.endsWith('\n') ? out : `${out}\n`;
  };
  return {
    get changed() {
      return changed;
    },
    push(text: string): string {
      buf += text;
      if (!released && buf.length < holdChars) return '';
      released = true;
      let cut: number;
      const open = buf.search(BEGIN);
      if (!inKey && open >= 0 && unterminated(buf) && buf.length - open < holdChars) {
        // keep a key block whole while it fits in the window
        cut = buf.lastIndexOf('\n', open);
      } else {
        cut = safeCut(buf);
        if (cut < 0) {
          // none yet: wait for more text, up to a bound; then a weaker cut, then any line end
          if (buf.length < holdChars * 4) return '';
          cut = safeCut(buf, false);
          if (cut < 0) cut = buf.lastIndexOf('\n');
        }
      }
      if (cut < 0) return '';
      const out = release(buf.slice(0, cut + 1));
      buf = buf.slice(cut + 1);
      return out;
    },
    end(): string {
      const out = release(buf);
      buf = '';
      return out;
    },
  };
}
