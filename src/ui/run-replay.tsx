// `netwiz replay TRANSCRIPT`: the replay screen on a loaded transcript.
import { render } from 'ink';
import type { Catalog, Cause } from '../engine/model.js';
import type { Outcome } from '../engine/types.js';
import { loadCatalog } from '../playbook/catalog.js';
import { loadTranscript } from '../transcript/reader.js';
import { ReplayApp } from './Replay.js';
import { ThemeProvider, colorEnabled } from './theme.js';

export async function runReplay(path: string, playbookDirs: string[]): Promise<number> {
  const t = loadTranscript(path);
  for (const w of t.warnings) process.stderr.write(`netwiz replay: ${w}\n`);
  let catalog: Catalog = {};
  try {
    catalog = loadCatalog(playbookDirs).catalog;
  } catch {
    // titles fall back to ids; the transcript alone is enough to replay
  }
  const start = t.events.find((e) => e.type === 'session-start');
  const outcomeLine = [...t.events].reverse().find((e) => e.type === 'outcome');
  const outcome: Outcome | undefined = outcomeLine && outcomeLine.type === 'outcome' ? outcomeLine.outcome : undefined;
  const cause = outcomeLine?.cause as Cause | undefined;
  const cluster = {
    context: start && start.type === 'session-start' ? (start.context ?? null) : null,
    namespace: (start && start.type === 'session-start' ? start.namespace : undefined) ?? 'default',
    source: 'kubeconfig' as const,
  };
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((r) => (resolveExit = r));
  const instance = render(
    <ThemeProvider value={{ color: colorEnabled() }}>
      <ReplayApp
        states={t.states}
        catalog={catalog}
        cluster={cluster}
        {...(start?.playbookTitle ? { playbookTitle: start.playbookTitle } : {})}
        {...(outcome ? { outcome } : {})}
        {...(cause ? { cause } : {})}
        transcriptPath={path}
        onExit={(c) => resolveExit(c)}
      />
    </ThemeProvider>,
    { exitOnCtrlC: false },
  );
  const code = await exited;
  instance.unmount();
  await instance.waitUntilExit().catch(() => undefined);
  return code;
}
