// `netwiz sessions`: one summary per transcript in the sessions directory, newest first.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadTranscript } from './reader.js';
import { redactOutputDir } from './writer.js';
import { buildSessionRecord, type SessionRecordStatus } from './session-record.js';

export interface SessionSummary {
  path: string;
  sessionId: string;
  startedAt?: string;
  context?: string;
  namespace?: string;
  playbook: string;
  status: SessionRecordStatus;
  cause?: string;
  steps: number;
  durationMs?: number;
  /** damaged lines (a crash leaves one) */
  warnings: number;
}

export function summarise(path: string): SessionSummary {
  const r = buildSessionRecord(loadTranscript(path));
  return {
    path,
    sessionId: r.sessionId,
    ...(r.startedAt ? { startedAt: r.startedAt } : {}),
    ...(r.context ? { context: r.context } : {}),
    ...(r.namespace ? { namespace: r.namespace } : {}),
    playbook: r.playbook,
    status: r.status,
    ...(r.outcome?.cause ? { cause: r.outcome.cause } : {}),
    steps: r.steps.length,
    ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
    warnings: r.warnings.length,
  };
}

/** Summaries of every `*.jsonl` in `dir`, newest first; unreadable files are skipped. */
export function listSessions(dir: string): SessionSummary[] {
  if (!existsSync(dir)) return [];
  const out: SessionSummary[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.jsonl')) continue;
    try {
      const s = summarise(join(dir, name));
      // an interrupted session may have left an output unredacted (see redactOutputDir)
      if (s.status === 'interrupted') redactOutputDir(s.path);
      out.push(s);
    } catch {
      // a file that vanished or cannot be read is not a session to list
    }
  }
  return out.sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? '') || b.path.localeCompare(a.path));
}
