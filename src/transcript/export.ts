// One entry point for every export: load, fold into a SessionRecord, redact once more (so a
// transcript written before a rule existed is still cleaned), render.
import { NETWIZ_VERSION } from '../version.js';
import { exportMarkdown } from './export-md.js';
import { exportShell } from './export-sh.js';
import type { TranscriptLine } from './format.js';
import type { LoadedTranscript } from './reader.js';
import { redactValue } from './redact.js';
import { buildSessionRecord, type SessionRecord } from './session-record.js';

export type ExportFormat = 'md' | 'json' | 'sh';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['md', 'json', 'sh'];

/** Version of the JSON export document (docs/transcript-format.md). */
export const SESSION_DOCUMENT_VERSION = 1;

export interface SessionDocument extends SessionRecord {
  format: 'netwiz-session';
  version: typeof SESSION_DOCUMENT_VERSION;
  exportedBy: string;
  /** every transcript line, redacted, in order */
  events: TranscriptLine[];
}

export function sessionDocument(t: LoadedTranscript): SessionDocument {
  const rec = redactValue(buildSessionRecord(t));
  return {
    format: 'netwiz-session',
    version: SESSION_DOCUMENT_VERSION,
    exportedBy: `netwiz ${NETWIZ_VERSION}`,
    ...rec,
    events: redactValue(t.events),
  };
}

export function exportTranscript(t: LoadedTranscript, format: ExportFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(sessionDocument(t), null, 2)}\n`;
    case 'md':
      return exportMarkdown(redactValue(buildSessionRecord(t)));
    case 'sh':
      return exportShell(redactValue(buildSessionRecord(t)));
  }
}
