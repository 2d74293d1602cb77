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
      return `${jsonInert(JSON.stringify(sessionDocument(t), null, 2))}\n`;
    case 'md':
      return exportMarkdown(redactValue(buildSessionRecord(t)));
    case 'sh':
      return exportShell(redactValue(buildSessionRecord(t)));
  }
}

// JSON.stringify escapes C0 controls (ESC included) but leaves C1 controls and bidi
// overrides raw, which some terminals act on when the export is `cat`ed. The \u escapes
// are the same JSON value, only inert on screen.
const JSON_UNSAFE_RE = /[\u0080-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function jsonInert(json: string): string {
  return json.replace(JSON_UNSAFE_RE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
