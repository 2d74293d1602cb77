// Records a whole session of the transcript-demo playbook through the real engine, real
// local commands (exec's runLocal) and the real TranscriptWriter. It plays the driver's
// part in the order src/session/events.ts describes, so transcript tests do not depend on
// the driver's progress; the crash test also runs `netwiz run` when the driver is there.
import { resolve } from 'node:path';
import { applyEvent, startSession } from '../../../src/engine/index.js';
import type { Catalog } from '../../../src/engine/model.js';
import type { Effect, EngineEvent, SessionState } from '../../../src/engine/types.js';
import { runLocal } from '../../../src/exec/workstation.js';
import { loadPlaybookFiles } from '../../../src/playbook/catalog.js';
import type { SessionEvent } from '../../../src/session/events.js';
import { outputFileFor } from '../../../src/transcript/paths.js';
import type { TranscriptMeta } from '../../../src/transcript/format.js';
import { TranscriptWriter, type TranscriptWriterOptions } from '../../../src/transcript/writer.js';

export const FIXTURES = resolve(import.meta.dirname, '../../fixtures/transcript');
export const DEMO_PLAYBOOK = resolve(FIXTURES, 'playbooks/transcript-demo.yaml');
/** the password the demo passes to `curl -u test:…`: must never reach the disk */
export const CURL_PASSWORD = 'S3cr3t-load-Pw-7731';

export function demoCatalog(): Catalog {
  const load = loadPlaybookFiles([DEMO_PLAYBOOK]);
  if (load.errors.length) throw new Error(load.errors.map((e) => e.message).join('\n'));
  return load.catalog;
}

export function demoInputs(): Record<string, string> {
  return {
    kubeconfig_file: resolve(FIXTURES, 'kubeconfig-with-secrets.yaml'),
    password: CURL_PASSWORD,
    endpoints_file: resolve(FIXTURES, 'endpoints.json'),
    deployment: 'palo-fe',
  };
}

export interface RecordOptions {
  transcript: string;
  sessionId?: string;
  /** continue from this state (resume): its pending effects are run again */
  resumeFrom?: SessionState;
  append?: boolean;
  /** answer to the confirm question */
  answer?: boolean;
  /** first line to write (the resume marker `netwiz resume` writes) */
  note?: TranscriptMeta;
  /** default 1000, so the kubeconfig's output (1.3 KB) is also kept on disk beside the transcript */
  inlineLimit?: number;
  /** more writer options (snapshot spacing) */
  writer?: Partial<TranscriptWriterOptions>;
}

/** Run the demo session to its end, writing every event through a TranscriptWriter. */
export async function recordDemoSession(o: RecordOptions): Promise<SessionState> {
  const catalog = demoCatalog();
  const writer = new TranscriptWriter({ path: o.transcript, catalog, append: o.append, inlineLimit: o.inlineLimit ?? 1000, ...o.writer });
  const emit = (e: SessionEvent) => writer.onEvent(e);
  if (o.note) writer.note(o.note);
  const env = { PATH: `${resolve(FIXTURES, 'bin')}:${process.env.PATH ?? ''}` };
  let state: SessionState;
  let queue: Effect[];
  if (o.resumeFrom) {
    state = o.resumeFrom;
    queue = [...state.pending];
    // like the driver: the state a session (re)starts from is its first snapshot
    emit({ type: 'state', state });
  } else {
    emit({
      type: 'session-start',
      sessionId: o.sessionId ?? 'demo-session',
      netwizVersion: '0.1.0-test',
      playbook: 'transcript-demo',
      inputs: demoInputs(),
      context: 'lab-admin',
      namespace: 'shop',
      options: { readOnly: false, dryRun: false, yes: true },
    });
    const t = startSession(catalog, 'transcript-demo', demoInputs());
    state = t.state;
    queue = t.effects;
    emit({ type: 'state', state });
  }
  while (queue.length) {
    const effect = queue.shift()!;
    if (effect.type === 'done') {
      emit({ type: 'outcome', outcome: effect.outcome });
      continue;
    }
    emit({ type: 'effect', effect });
    let event: EngineEvent;
    if (effect.type === 'ask') {
      event = { type: 'answered', effectId: effect.id, value: o.answer ?? true };
    } else {
      emit({ type: 'command-start', effectId: effect.id, argv: effect.argv, target: effect.target, startedAt: new Date().toISOString() });
      const result = await runLocal({
        argv: effect.argv,
        timeoutMs: effect.timeoutMs,
        outputFile: outputFileFor(o.transcript, effect.id),
        env,
      });
      if (effect.mutates && effect.undo) {
        emit({ type: 'mutation', effectId: effect.id, argv: effect.argv, undo: effect.undo, journalId: `j-${effect.id}` });
      }
      event = { type: 'command-finished', effectId: effect.id, result };
    }
    emit({ type: 'engine-event', event });
    const before = state.hypotheses;
    const next = applyEvent(catalog, state, event);
    state = next.state;
    for (const [k, h] of Object.entries(state.hypotheses)) {
      if (JSON.stringify(before[k]) !== JSON.stringify(h)) emit({ type: 'hypothesis', hypothesis: h });
    }
    emit({ type: 'state', state });
    queue.push(...next.effects);
  }
  if (state.status !== 'running') emit({ type: 'session-end', status: state.status });
  writer.close();
  return state;
}
