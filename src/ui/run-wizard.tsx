// Starts the Ink wizard and wires it to the session driver. One exit point: every way
// out (q, Ctrl-C, SIGINT/SIGTERM/SIGHUP, the end of the session) goes through `exit`,
// and a live session is aborted first so the driver cancels commands, deletes its pods
// and restores what was changed before the process leaves.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { useEffect, useState, type ReactElement } from 'react';
import { Box, Text, render } from 'ink';
import type { ClusterOptions, Executor } from '../exec/types.js';
import type { ClusterTarget } from './components/Header.js';
import type { Catalog } from '../engine/model.js';
import type { SessionHandle } from '../session/types.js';
import { WizardApp, exitCodeFor, type StartChoice, type WizardController } from './App.js';
import type { EarlyStart, WizardLaunchOptions } from './launch.js';
import { bootLine, eraseSequence } from './first-frame.js';
import { NETWIZ_VERSION } from '../version.js';
import { ThemeProvider, colorEnabled } from './theme.js';
import { WizardStore } from './wizard-store.js';
import type { PlaybookChoice } from './start-flow.js';

/** Playbooks a person starts (sub-playbooks only called by others are left out of the list). */
function startablePlaybooks(catalog: Catalog): PlaybookChoice[] {
  const called = new Set<string>();
  for (const pb of Object.values(catalog))
    for (const s of pb.steps) {
      if (s.kind === 'call') called.add(s.call.playbook);
      if (s.kind === 'foreach' && 'call' in s.foreach.do) called.add(s.foreach.do.call.playbook);
    }
  return Object.values(catalog)
    .filter((p) => !called.has(p.id))
    .map((p) => ({ id: p.id, title: p.title, summary: p.summary, inputs: p.inputs }));
}

type SessionModules = typeof import('./session-modules.js');

/** What a session needs beyond the start screen: loaded while the operator reads the list. */
interface SessionParts {
  mods: SessionModules;
  executor: Executor;
}

interface Loaded {
  cluster: ClusterTarget;
  catalog: Catalog;
  playbooks: PlaybookChoice[];
  clusterOptions: ClusterOptions;
  /** the driver, executor and transcript modules (~360 KiB not needed for the playbook list) */
  session: Promise<SessionParts>;
}

/** Shown from the first moment: the kube context and the playbooks load behind it. */
// No key handling while loading: keys typed early wait in the terminal for the start
// screen instead of being swallowed by a loading screen.
function Boot({ loading, render: renderLoaded, onFailed }: { loading: Promise<Loaded | string>; render: (l: Loaded) => ReactElement; onFailed: (message: string) => void }) {
  const [loaded, setLoaded] = useState<Loaded | string | null>(null);
  useEffect(() => {
    loading.then(setLoaded, (e: unknown) => setLoaded(e instanceof Error ? e.message : String(e)));
  }, [loading]);
  useEffect(() => {
    if (typeof loaded === 'string') onFailed(loaded);
  }, [loaded, onFailed]);
  if (loaded === null) {
    // the same line launch.ts printed before Ink loaded (first-frame.ts)
    const { head, tail } = bootLine(NETWIZ_VERSION);
    return (
      <Text>
        {head}
        <Text dimColor>{tail}</Text>
      </Text>
    );
  }
  if (typeof loaded === 'string') return <Text bold>{`netwiz: ${loaded}`}</Text>;
  return renderLoaded(loaded);
}

export async function runWizard(opts: WizardLaunchOptions, early?: EarlyStart): Promise<number> {
  const store = new WizardStore();
  let handle: SessionHandle | null = null;
  let exitCode: number | null = null;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));
  let ready: Loaded | null = null;
  const sessionId = `nw-${randomBytes(6).toString('hex')}`;

  const loading: Promise<Loaded | string> = Promise.all([
    early?.cluster ?? import('./cluster-context.js').then((m) => m.readClusterTarget(opts.cluster)),
    // yield first so Ink draws the first frame before the catalog's modules load; through
    // the validated-catalog cache, which answers without loading YAML, zod or CEL at all
    // when no playbook changed (the validator loads only on a miss)
    new Promise((r) => setTimeout(r, 0))
      .then(() => import('../playbook/cache.js'))
      .then(({ loadCatalogCached }) => loadCatalogCached(opts.playbookDirs ?? [])),
  ]).then(([cluster, loadedCatalog]) => {
    const catalog = loadedCatalog.catalog;
    if (opts.playbookId && !catalog[opts.playbookId]) {
      const bad = loadedCatalog.errors.filter((e) => e.file.includes(opts.playbookId ?? ''));
      return `no valid playbook "${opts.playbookId}"${bad.length ? `: ${bad.map((e) => `${e.file}:${e.line}:${e.col}: ${e.message}`).join('; ')}` : '; `netwiz list` shows the playbooks'}`;
    }
    // commands go to the cluster the operator confirmed on screen
    const clusterOptions: ClusterOptions = {
      ...opts.cluster,
      ...(cluster.context && !opts.cluster.context ? { context: cluster.context } : {}),
      namespace: opts.cluster.namespace ?? cluster.namespace,
    };
    // after Ink has drawn the list (its renders are throttled to ~30 a second): compiling
    // these modules would otherwise hold the list back
    const session = new Promise((r) => setTimeout(r, 50))
      .then(() => import('./session-modules.js'))
      .then((mods) => ({ mods, executor: mods.createExecutor(clusterOptions, { sessionId }) }));
    session.catch(() => undefined); // reported when a session or a choice list needs it
    ready = { cluster, catalog, playbooks: startablePlaybooks(catalog), clusterOptions, session };
    return ready;
  });

  const controller: WizardController = {
    start(choice: StartChoice) {
      const fail = (e: unknown) => store.fail(e instanceof Error ? e.message : String(e));
      if (!ready) return fail(new Error('not loaded yet'));
      const l: Loaded = ready;
      // the session modules are normally loaded long before a person gets here
      l.session.then((parts) => {
        if (exitCode !== null || handle) return; // left (q, a signal) while they loaded
        try {
          handle = startSession(l, parts, choice);
        } catch (e) {
          fail(e);
        }
      }, fail);
    },
    cancel: (id) => handle?.cancel(id),
    abort: (reason) => {
      if (handle) handle.abort(reason);
      else controller.exit(130);
    },
    exit(code) {
      if (exitCode !== null) return;
      exitCode = code;
      resolveExit(code);
    },
  };

  function startSession(l: Loaded, { mods, executor }: SessionParts, choice: StartChoice): SessionHandle {
    const { catalog, clusterOptions, cluster } = l;
    const { defaultTranscriptPath, openTranscriptWriter, reachableCatalog, permissionsForCatalog, startDriver, createJournal, preflight, outputFileFor } = mods;
    const transcriptPath = opts.transcript ?? defaultTranscriptPath(sessionId);
    mkdirSync(dirname(transcriptPath), { recursive: true, mode: 0o700 });
    const writer = openTranscriptWriter({ path: transcriptPath, catalog });
    store.beginSession(catalog, transcriptPath);
    const reachable = reachableCatalog(catalog, choice.playbookId);
    // the preflight asks the cluster; only when there is one and the playbook needs it
    const needsRbac = cluster.context !== null && permissionsForCatalog(reachable, { ...(clusterOptions.namespace ? { namespace: clusterOptions.namespace } : {}), inputs: choice.inputs }).size > 0;
    const h = startDriver({
      sessionId,
      catalog,
      rootPlaybook: choice.playbookId,
      inputs: choice.inputs,
      options: { readOnly: !!opts.readOnly, dryRun: !!opts.dryRun, yes: !!opts.yes, maxSteps: opts.maxSteps ?? 500 },
      cluster: clusterOptions,
      executor,
      interaction: store.interaction,
      observers: [writer],
      hooks: store.hooks,
      journal: createJournal(),
      ...(needsRbac ? { preflight: () => preflight(reachable, clusterOptions, { inputs: choice.inputs }) } : {}),
      outputFile: (effectId) => outputFileFor(transcriptPath, effectId),
    });
    h.done.then(
      (outcome) => {
        writer.close();
        store.end(outcome);
      },
      (err: unknown) => {
        writer.close();
        store.fail(err instanceof Error ? err.message : String(err));
      },
    );
    return h;
  }

  // signals from outside (kill, closed terminal) take the same way out as q
  const onSignal = (sig: NodeJS.Signals) => {
    if (!handle || store.getSnapshot().phase !== 'session') {
      controller.exit(sig === 'SIGINT' ? 130 : 143);
      return;
    }
    store.restoreWithoutAsking();
    store.settleForAbort();
    handle.abort(`netwiz received ${sig}`);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);

  // raw mode from the first moment: keys typed while loading are neither echoed nor lost
  // (they wait in the terminal until the start screen reads them)
  if (process.stdin.isTTY) process.stdin.setRawMode(true);
  // Ink's first frame (drawn synchronously by render) replaces the pre-printed one in the
  // same tick: no blank moment, no duplicate line, nothing left when it wrapped
  if (early?.prePrinted) process.stdout.write(eraseSequence(early.prePrinted));
  const instance = render(
    <ThemeProvider value={{ color: colorEnabled() }}>
      <Boot
        loading={loading}
        onFailed={() => setTimeout(() => controller.exit(2), 50)}
        render={(l) => (
          <WizardApp
            store={store}
            controller={controller}
            cluster={l.cluster}
            playbooks={l.playbooks}
            {...(opts.playbookId ? { playbookId: opts.playbookId } : {})}
            {...(opts.inputs ? { preset: opts.inputs } : {})}
            loadChoices={(pb, input, values) => l.session.then(({ mods, executor }) => mods.loadInputChoices(l.catalog, executor, pb, input, values))}
          />
        )}
      />
    </ThemeProvider>,
    { exitOnCtrlC: false, patchConsole: true },
  );

  // a session that ends after q / Ctrl-C leaves at once; a normal end waits for a key
  store.subscribe(() => {
    const snap = store.getSnapshot();
    if (snap.phase === 'ended' && exitCode === null && (snap.outcome?.status === 'aborted' || snap.error)) {
      setTimeout(() => controller.exit(exitCodeFor(snap.outcome)), 50);
    }
  });

  const code = await exited;
  if (handle) {
    // never leave with a session still running: abort and wait for its restore
    const h: SessionHandle = handle;
    if (store.getSnapshot().phase === 'session') {
      store.restoreWithoutAsking();
      store.settleForAbort();
      h.abort('netwiz is exiting');
    }
    await h.done.catch(() => undefined);
  }
  instance.unmount();
  await instance.waitUntilExit().catch(() => undefined);
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  for (const s of signals) process.off(s, onSignal);
  const l: Loaded | null = ready;
  // waits for the session modules if they are still loading, so no executor is left open
  if (l) await (l as Loaded).session.then(({ executor }) => executor.close()).catch(() => undefined);
  return code;
}
