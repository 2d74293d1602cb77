// Where playbooks are found: the built-in playbooks/ folder, then `--playbooks DIR`, then
// $NETWIZ_PLAYBOOKS. Kept apart from the loader (catalog.ts) because it needs no YAML, zod
// or CEL: the catalog cache (cache.ts) lists and stats files without loading those.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SearchOptions {
  /** include the built-in playbooks/ folder (default true) */
  builtin?: boolean;
  /** environment to read $NETWIZ_PLAYBOOKS from (default process.env; false = ignore) */
  env?: NodeJS.ProcessEnv | false;
}

let builtinDirCache: string | null | undefined;

/**
 * The playbooks/ folder shipped with netwiz. Found by walking up from this module to the
 * folder holding package.json, so it works from src/ (tsx) and from dist/netwiz.mjs.
 */
export function builtinPlaybooksDir(): string | undefined {
  if (builtinDirCache !== undefined) return builtinDirCache ?? undefined;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'playbooks'))) {
      builtinDirCache = path.join(dir, 'playbooks');
      return builtinDirCache;
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  builtinDirCache = null;
  return undefined;
}

/** Folders in search order: built-in, then `extra` (--playbooks), then $NETWIZ_PLAYBOOKS. */
export function playbookSearchPath(extra: readonly string[] = [], opts: SearchOptions = {}): string[] {
  const dirs: string[] = [];
  if (opts.builtin !== false) {
    const b = builtinPlaybooksDir();
    if (b) dirs.push(b);
  }
  for (const d of extra) dirs.push(path.resolve(d));
  const env = opts.env === false ? undefined : (opts.env ?? process.env).NETWIZ_PLAYBOOKS;
  if (env) for (const d of env.split(':')) if (d.trim()) dirs.push(path.resolve(d.trim()));
  // a folder named twice is read once, at its first place
  return dirs.filter((d, i) => dirs.indexOf(d) === i);
}

/** The *.yaml / *.yml files of a folder, sorted by name (not recursive). */
export function playbookFilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /\.ya?ml$/.test(n))
    .sort()
    .map((n) => path.join(dir, n))
    .filter((f) => {
      try {
        return statSync(f).isFile();
      } catch {
        return false;
      }
    });
}
