// Mutations of a real playbook (the shipped ones) for the bad-playbook fuzz. A mutant is
// YAML text plus whether it must be rejected: a dangling reference, a wrong type where the
// schema is strict, a file past the size/depth/alias limits can never be valid; a random
// key deletion or type swap may happen to land on something optional, so those only have
// to give positioned errors or a clean load, never an exception.
import fc from 'fast-check';
import { parse, stringify } from 'yaml';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

export interface Mutant {
  kind: string;
  detail: string;
  text: string;
  mustFail: boolean;
}

/** The marker step the CLI sample puts first: if the engine ever started, it would run. */
export function markerStep(marker: string): Json {
  return { id: 'nw-marker', title: 'Leave a marker', why: 'Proves whether the engine started.', run: { argv: ['touch', marker] } };
}

export function parsePlaybook(text: string): { [k: string]: Json } {
  return parse(text) as { [k: string]: Json };
}

export function dump(doc: Json): string {
  return stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Every path in the tree (maps and lists), skipping the subtree under `protect`. */
function allPaths(v: Json, protect?: Path, at: Path = []): Path[] {
  if (protect && protect.length === at.length && protect.every((p, i) => p === at[i])) return [];
  const out: Path[] = at.length ? [at] : [];
  if (Array.isArray(v)) v.forEach((c, i) => out.push(...allPaths(c, protect, [...at, i])));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) out.push(...allPaths(v[k]!, protect, [...at, k]));
  return out;
}

function getAt(v: Json, p: Path): Json | undefined {
  let cur: Json | undefined = v;
  for (const k of p) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, Json>)[k];
  }
  return cur;
}

function setAt(v: Json, p: Path, value: Json | undefined): void {
  const parent = getAt(v, p.slice(0, -1)) as Record<string | number, Json> | Json[];
  const key = p[p.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete (parent as Record<string, Json>)[key as string];
  } else {
    (parent as Record<string | number, Json>)[key] = value;
  }
}

const clone = (v: Json): Json => structuredClone(v);

/** Paths whose last key is one of `keys` (outside the protected subtree). */
function pathsEndingIn(doc: Json, keys: string[], protect?: Path): Path[] {
  return allPaths(doc, protect).filter((p) => keys.includes(String(p[p.length - 1])));
}

function wrongTypeFor(v: Json | undefined, pick: number): Json {
  const options: Json[] = [12345, true, ['x', { y: 1 }], { nested: { deeper: 'x' } }, null, 'a plain string'];
  const differing = options.filter((o) => typeof o !== typeof v || Array.isArray(o) !== Array.isArray(v) || (o === null) !== (v === null));
  return differing[pick % differing.length]!;
}

const MISSING = 'no-such-thing-zz9';

/**
 * fast-check arbitrary of mutants of one playbook. `protect` keeps a subtree (the marker
 * step) untouched so that the CLI sample can prove nothing ran.
 */
export function mutantArb(base: { [k: string]: Json }, protect?: Path): fc.Arbitrary<Mutant> {
  const paths = allPaths(base, protect);
  const mapKeyPaths = paths.filter((p) => typeof p[p.length - 1] === 'string');
  // conclude.next is advice text, not a step reference
  const nextPaths = pathsEndingIn(base, ['next', 'read_only_alternative'], protect).filter((p) => typeof getAt(base, p) === 'string' && !p.includes('conclude'));
  const causePaths = pathsEndingIn(base, ['cause'], protect).filter((p) => p.includes('conclude'));
  const parsePaths = pathsEndingIn(base, ['parse'], protect);
  const argvPaths = pathsEndingIn(base, ['argv'], protect).filter((p) => p.includes('steps'));
  const callPaths = pathsEndingIn(base, ['playbook'], protect).filter((p) => p.includes('call'));
  const stepsLen = Array.isArray(base.steps) ? base.steps.length : 0;
  const firstFree = protect ? 1 : 0;
  const idx = (n: number) => fc.nat({ max: Math.max(0, n - 1) });

  const withDoc = (kind: string, mustFail: boolean, f: (d: Json) => string): Mutant => {
    const d = clone(base);
    const detail = f(d);
    return { kind, detail, text: dump(d), mustFail };
  };

  const arbs: fc.Arbitrary<Mutant>[] = [];

  // --- delete keys: anywhere (may land on an optional one), or a key the schema requires
  arbs.push(idx(mapKeyPaths.length).map((i) => withDoc('delete-key', false, (d) => (setAt(d, mapKeyPaths[i]!, undefined), `deleted ${mapKeyPaths[i]!.join('.')}`))));
  arbs.push(
    fc.tuple(fc.constantFrom('id', 'steps', 'title'), fc.constant(0)).map(([k]) => withDoc('delete-required', true, (d) => (setAt(d, [k], undefined), `deleted top-level ${k}`))),
  );
  if (stepsLen > firstFree) {
    arbs.push(
      fc.tuple(fc.integer({ min: firstFree, max: stepsLen - 1 }), fc.constantFrom('id', 'title')).map(([s, k]) =>
        withDoc('delete-required', true, (d) => (setAt(d, ['steps', s, k], undefined), `deleted steps[${s}].${k}`)),
      ),
    );
  }

  // --- wrong types: anywhere (may be accepted), or where the schema is strict
  arbs.push(
    fc.tuple(idx(paths.length), fc.nat()).map(([i, pick]) =>
      withDoc('wrong-type', false, (d) => {
        const p = paths[i]!;
        setAt(d, p, wrongTypeFor(getAt(d, p), pick));
        return `retyped ${p.join('.')}`;
      }),
    ),
  );
  arbs.push(
    fc.constantFrom<[Path, Json]>(
      [['steps'], 'not a list'],
      [['id'], { an: 'object' }],
      [['causes'], 42],
      [['inputs'], 'x'],
      [['steps', firstFree], ['a', 'list']],
      [['steps', firstFree, 'id'], 7],
    ).map(([p, v]) => withDoc('wrong-type-strict', true, (d) => (setAt(d, p, v), `set ${p.join('.')} to ${JSON.stringify(v)}`))),
  );
  if (argvPaths.length) {
    arbs.push(
      fc.tuple(idx(argvPaths.length), fc.constantFrom<Json>(5, 'ls -l', {}, [])).map(([i, v]) =>
        withDoc('wrong-type-strict', true, (d) => (setAt(d, argvPaths[i]!, v), `set ${argvPaths[i]!.join('.')} to ${JSON.stringify(v)}`)),
      ),
    );
  }

  // --- dangling references: always invalid
  const dangling: { paths: Path[]; what: string; value: (old: Json | undefined) => Json }[] = [
    { paths: nextPaths, what: 'next', value: () => `${MISSING}-step` },
    { paths: causePaths, what: 'cause', value: () => `${MISSING}-cause` },
    { paths: parsePaths, what: 'parser', value: () => `${MISSING}-parser` },
    { paths: callPaths, what: 'sub-playbook', value: () => `${MISSING}-playbook` },
    { paths: argvPaths, what: 'variable', value: (old) => [...(Array.isArray(old) ? old : ['echo']), `{{${MISSING.replace(/-/g, '_')}_var}}`] },
  ];
  for (const g of dangling) {
    if (g.paths.length === 0) continue;
    arbs.push(
      idx(g.paths.length).map((i) =>
        withDoc('dangling-ref', true, (d) => {
          const p = g.paths[i]!;
          setAt(d, p, g.value(getAt(d, p)));
          return `dangling ${g.what} at ${p.join('.')}`;
        }),
      ),
    );
  }

  // --- huge values: past the 1 MiB file limit (must fail) or big but legal-sized (may pass)
  arbs.push(
    fc.tuple(idx(paths.length), fc.integer({ min: 1_100_000, max: 3_000_000 })).map(([i, n]) =>
      withDoc('huge-value', true, (d) => (setAt(d, paths[i]!, 'x'.repeat(n)), `${n}-char string at ${paths[i]!.join('.')}`)),
    ),
  );
  arbs.push(
    fc.tuple(idx(paths.length), fc.constantFrom<Json>(1e308, -1e308, Number.MAX_SAFE_INTEGER, 'y'.repeat(200_000), Array.from({ length: 20_000 }, (_, k) => k))).map(([i, v]) =>
      withDoc('big-value', false, (d) => (setAt(d, paths[i]!, v), `big value at ${paths[i]!.join('.')}`)),
    ),
  );

  // --- deep nesting, as flow ([[[…]]]) or block (indented maps), at a random place
  arbs.push(
    fc.tuple(idx(paths.length), fc.integer({ min: 65, max: 20_000 }), fc.boolean()).map(([i, depth, flow]) => {
      const d = clone(base);
      const p = paths[i]!;
      setAt(d, p, '__NW_DEEP__');
      const text = dump(d);
      const line = text.split('\n').find((l) => l.includes('__NW_DEEP__'))!;
      const indent = line.length - line.trimStart().length;
      let deep: string;
      if (flow) {
        deep = '['.repeat(depth) + ']'.repeat(depth);
      } else {
        // block maps: each level one line deeper; capped so the file stays under the size limit
        const levels = Math.min(depth, 600);
        deep = '\n' + Array.from({ length: levels }, (_, k) => `${' '.repeat(indent + 2 + k)}k${k}:`).join('\n') + ' leaf';
      }
      return { kind: 'deep-nesting', detail: `${flow ? 'flow' : 'block'} depth ${flow ? depth : Math.min(depth, 600)} at ${p.join('.')}`, text: text.replace('__NW_DEEP__', deep), mustFail: true };
    }),
  );

  // --- YAML anchor/alias bombs (billion laughs), used where a value is expected
  arbs.push(
    fc.tuple(fc.integer({ min: 4, max: 12 }), fc.integer({ min: 4, max: 12 }), idx(paths.length)).map(([levels, fan, i]) => {
      const d = clone(base);
      const p = paths[i]!;
      setAt(d, p, '__NW_BOMB__');
      const text = dump(d);
      const defs = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
      for (let k = 1; k <= levels; k++) defs.push(`a${k}: &a${k} [${Array.from({ length: fan }, () => `*a${k - 1}`).join(', ')}]`);
      // anchors first (a hidden key), the bomb itself where the value was
      const bomb = `x-bomb:\n${defs.map((l) => `  ${l}`).join('\n')}\n`;
      return {
        kind: 'alias-bomb',
        detail: `${levels} levels × ${fan} aliases at ${p.join('.')}`,
        text: bomb + text.replace("'__NW_BOMB__'", `*a${levels}`).replace('__NW_BOMB__', `*a${levels}`),
        mustFail: true,
      };
    }),
  );

  return fc.oneof(...arbs);
}
