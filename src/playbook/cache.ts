// The validated-catalog cache. Parsing and validating every playbook (YAML, zod, CEL) on
// every start was most of `netwiz run`'s start-up; the result of each file is kept under
// $XDG_CACHE_HOME/netwiz/catalog (default ~/.cache/netwiz), one JSON per playbook file:
//   - keyed by the code (netwiz version + the loader's own files), the absolute path, size,
//     mtime and a SHA-256 of the text: any edit of the playbook or of netwiz invalidates it;
//   - holding what the file says about itself (read/YAML/schema errors, id, normalised
//     playbook) and its semantic check result together with the inputs of every playbook
//     that check looked up (`call`): when those change, the check runs again;
//   - written atomically (temp file + rename); an unreadable, corrupt or foreign entry is
//     ignored and rewritten.
// The cross-file part (duplicate ids, overrides, which playbooks are valid) always runs,
// through the same assembleCatalog as a fresh load, so a cached load reports exactly what
// a fresh one does. This module needs no YAML/zod/CEL: when every file hits, they are never
// loaded. `netwiz validate` does not use it. NETWIZ_CATALOG_CACHE=off turns it off.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InputSpec } from '../engine/model.js';
import { NETWIZ_VERSION } from '../version.js';
import { assembleCatalog, type CatalogLoad, type CheckResult, type FileRecord } from './assemble.js';
import { playbookFilesIn, playbookSearchPath, type SearchOptions } from './search-path.js';

/** Entries kept at most (oldest written go first): temp folders of tests add up. */
const MAX_ENTRIES = 400;
const KEEP_AFTER_PRUNE = 300;
const FORMAT = 1;

/** Where the cache lives, or undefined when it is turned off. */
export function catalogCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (/^(off|0|false|no)$/i.test(env.NETWIZ_CATALOG_CACHE ?? '')) return undefined;
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(homedir(), '.cache');
  return path.join(base, 'netwiz', 'catalog');
}

let codeFingerprint: string | undefined;

/**
 * The code that produced an entry: the version plus, in the bundle, the name of this chunk
 * (a content hash, see below), or, run from source, name, size and mtime of the files of
 * src/playbook, src/parsers and src/engine: an edited validator never reads an older result.
 */
export function loaderFingerprint(): string {
  if (codeFingerprint) return codeFingerprint;
  const self = fileURLToPath(import.meta.url);
  const here = path.dirname(self);
  const ext = path.extname(self);
  const h = createHash('sha256').update(`${NETWIZ_VERSION}\0${FORMAT}\0`);
  // In the bundle this module sits in a chunk named for the hash of its content, which holds
  // the names (hashes) of the chunks it imports, down to the validator: the name alone
  // changes whenever any of that code does, and unrelated rebuilds keep the cache.
  if (/^chunk-[A-Za-z0-9]+\.mjs$/.test(path.basename(self))) {
    codeFingerprint = h.update(path.basename(self)).digest('hex');
    return codeFingerprint;
  }
  const dirs = [here, path.join(here, '..', 'parsers'), path.join(here, '..', 'engine')];
  for (const d of dirs) {
    let names: string[];
    try {
      names = readdirSync(d).filter((n) => n.endsWith(ext)).sort();
    } catch {
      continue;
    }
    for (const n of names) {
      try {
        const st = statSync(path.join(d, n));
        h.update(`${d}/${n}\0${st.size}\0${st.mtimeMs}\0`);
      } catch {
        // a file that went away between readdir and stat changes the fingerprint anyway
      }
    }
  }
  codeFingerprint = h.digest('hex');
  return codeFingerprint;
}

interface Key {
  code: string;
  file: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** A semantic check result and what it depended on: id → that playbook's inputs (null: unknown id). */
interface CachedCheck {
  deps: Record<string, readonly InputSpec[] | null>;
  result: CheckResult;
}

interface Entry {
  format: number;
  key: Key;
  rec: FileRecord;
  check?: CachedCheck;
}

/** How the loader (catalog.ts) parses and checks a file for real; absent = cache only. */
export interface Validator<Live> {
  parse(file: string, text: string): { rec: FileRecord; live: Live };
  check(live: Live, playbooks: ReadonlyMap<string, readonly InputSpec[]>): CheckResult;
}

/**
 * One entry per (code, file): two builds of netwiz used in turn (an A/B benchmark, an
 * upgrade beside an older install) keep their own entries instead of overwriting each
 * other's on every start and both missing every time.
 */
function entryPath(dir: string, code: string, file: string): string {
  return path.join(dir, `${createHash('sha256').update(`${code}\0${file}`).digest('hex').slice(0, 32)}.json`);
}

function sameKey(a: Key, b: Key): boolean {
  return a.code === b.code && a.file === b.file && a.size === b.size && a.mtimeMs === b.mtimeMs && a.sha256 === b.sha256;
}

function readEntry(dir: string, key: Key): Entry | undefined {
  try {
    const e = JSON.parse(readFileSync(entryPath(dir, key.code, key.file), 'utf8')) as Entry;
    if (e?.format !== FORMAT || !e.key || !sameKey(e.key, key) || !e.rec || !Array.isArray(e.rec.errors)) return undefined;
    if (e.rec.head && !e.rec.playbook) return undefined;
    return e;
  } catch {
    return undefined;
  }
}

function writeEntry(dir: string, e: Entry): boolean {
  const file = entryPath(dir, e.key.code, e.key.file);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(tmp, JSON.stringify(e));
    renameSync(tmp, file);
    return true;
  } catch {
    // a read-only or full disk: the next start validates again, nothing worse
    try {
      unlinkSync(tmp);
    } catch {
      // not there
    }
    return false;
  }
}

function prune(dir: string): void {
  try {
    const names = readdirSync(dir);
    if (names.length <= MAX_ENTRIES) return;
    const aged = names
      .map((n) => {
        try {
          return { n, t: statSync(path.join(dir, n)).mtimeMs };
        } catch {
          return { n, t: 0 };
        }
      })
      .sort((a, b) => a.t - b.t);
    for (const { n } of aged.slice(0, aged.length - KEEP_AFTER_PRUNE)) {
      try {
        unlinkSync(path.join(dir, n));
      } catch {
        // someone else pruned it
      }
    }
  } catch {
    // no cache folder: nothing to prune
  }
}

/** Looks up only the ids the check asks for, so the cached result can name its dependencies. */
class RecordingMap extends Map<string, readonly InputSpec[]> {
  readonly asked = new Set<string>();
  all = false;
  override get(k: string) {
    this.asked.add(k);
    return super.get(k);
  }
  override has(k: string) {
    this.asked.add(k);
    return super.has(k);
  }
  override keys() {
    this.all = true;
    return super.keys();
  }
  override values() {
    this.all = true;
    return super.values();
  }
  override entries() {
    this.all = true;
    return super.entries();
  }
  override forEach(cb: (v: readonly InputSpec[], k: string, m: Map<string, readonly InputSpec[]>) => void, thisArg?: unknown) {
    this.all = true;
    super.forEach(cb, thisArg);
  }
  override [Symbol.iterator]() {
    this.all = true;
    return super[Symbol.iterator]();
  }
  override get size() {
    this.all = true;
    return super.size;
  }
  deps(): CachedCheck['deps'] {
    const out: CachedCheck['deps'] = {};
    const ids = this.all ? [...super.keys(), ...this.asked] : [...this.asked];
    for (const id of ids) out[id] = super.get(id) ?? null;
    // `all`: any id added later changes the answer too; '*' lists the ids there were
    if (this.all) out['\0*'] = [...super.keys()].sort().map((name) => ({ name }) as InputSpec);
    return out;
  }
}

function depsHold(deps: CachedCheck['deps'], playbooks: ReadonlyMap<string, readonly InputSpec[]>): boolean {
  for (const [id, want] of Object.entries(deps)) {
    const have = id === '\0*' ? [...playbooks.keys()].sort().map((name) => ({ name })) : (playbooks.get(id) ?? null);
    if (JSON.stringify(have) !== JSON.stringify(want)) return false;
  }
  return true;
}

class Miss extends Error {}

interface Slot<Live> {
  key?: Key;
  text?: string;
  rec: FileRecord;
  live?: Live;
  check?: CachedCheck;
  dirty: boolean;
}

/**
 * Loads `files` through the cache in `dir`. Without a validator only cache hits are
 * possible: undefined means something must be parsed or checked for real.
 */
export function loadFilesThroughCache<Live>(
  files: readonly string[],
  report: ReadonlySet<string> | undefined,
  dir: string,
  validator?: Validator<Live>,
  /** the code fingerprint the entries belong to (tests pass two to act as two builds) */
  code: string = loaderFingerprint(),
): CatalogLoad | undefined {
  const slots: Slot<Live>[] = [];
  for (const f of files) {
    const file = path.resolve(f);
    let text: string;
    let size: number;
    let mtimeMs: number;
    try {
      // stat before reading: a file edited in between gets an older mtime with newer text,
      // which the hash still tells apart
      const st = statSync(file);
      size = st.size;
      mtimeMs = st.mtimeMs;
      text = readFileSync(file, 'utf8');
    } catch (e) {
      // the loader's own message; never cached
      const msg = e instanceof Error ? e.message : String(e);
      slots.push({ rec: { file, errors: [{ file, line: 1, col: 1, message: `cannot read playbook: ${msg}` }] }, dirty: false });
      continue;
    }
    const key: Key = { code, file, size, mtimeMs, sha256: createHash('sha256').update(text).digest('hex') };
    const hit = readEntry(dir, key);
    if (hit) {
      slots.push({ key, text, rec: hit.rec, ...(hit.check ? { check: hit.check } : {}), dirty: false });
      continue;
    }
    if (!validator) return undefined;
    const p = validator.parse(file, text);
    slots.push({ key, text, rec: p.rec, live: p.live, dirty: true });
  }
  const slotOf = new Map<FileRecord, Slot<Live>>(slots.map((s) => [s.rec, s]));
  let load: CatalogLoad;
  try {
    load = assembleCatalog(
      slots.map((s) => s.rec),
      (rec, playbooks) => {
        const s = slotOf.get(rec)!;
        if (s.check && depsHold(s.check.deps, playbooks)) return s.check.result;
        if (!validator || s.text === undefined) throw new Miss();
        s.live ??= validator.parse(rec.file, s.text).live;
        const rm = new RecordingMap(playbooks);
        const result = validator.check(s.live, rm);
        s.check = { deps: rm.deps(), result };
        s.dirty = true;
        return result;
      },
      report,
    );
  } catch (e) {
    if (e instanceof Miss) return undefined;
    throw e;
  }
  let wrote = false;
  for (const s of slots) {
    if (!s.dirty || !s.key) continue;
    wrote = writeEntry(dir, { format: FORMAT, key: s.key, rec: s.rec, ...(s.check ? { check: s.check } : {}) }) || wrote;
  }
  if (wrote) prune(dir);
  return load;
}

/** loadCatalog through the cache, loading the validator (YAML, zod, CEL) only on a miss. */
export async function loadCatalogCached(dirs: readonly string[] = [], opts: SearchOptions = {}): Promise<CatalogLoad> {
  return loadPlaybookFilesCached(playbookSearchPath(dirs, opts).flatMap(playbookFilesIn));
}

/** loadPlaybookFiles through the cache, loading the validator only on a miss. */
export async function loadPlaybookFilesCached(files: readonly string[], reportOnly?: ReadonlySet<string>): Promise<CatalogLoad> {
  const dir = catalogCacheDir();
  const report = reportOnly && new Set([...reportOnly].map((f) => path.resolve(f)));
  const hit = dir ? loadFilesThroughCache(files, report, dir) : undefined;
  if (hit) return hit;
  const { loadPlaybookFiles } = await import('./catalog.js');
  return loadPlaybookFiles(files, reportOnly);
}
