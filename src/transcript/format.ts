// The shape of one transcript line (documented in docs/transcript-format.md).
// A line is a SessionEvent plus a stamp, and a few optional fields the writer adds so a
// transcript can be read and exported without the playbooks it came from.
import type { Cause } from '../engine/model.js';
import type { SessionEvent } from '../session/events.js';

/** Version of the line format; bumped only on a change old readers would misread. */
export const TRANSCRIPT_VERSION = 1;

export interface TranscriptStamp {
  v: 1;
  /** 1, 2, 3… in file order; continues across a resume */
  seq: number;
  /** ISO-8601 time the line was written */
  ts: string;
}

/** Lines the writer itself adds (not driver events). */
export type TranscriptMeta =
  /** `netwiz resume` reopened this transcript; the session continues from `fromStateSeq` */
  | { type: 'transcript-resume'; netwizVersion: string; fromStateSeq: number | null; reissued: string[] };

/** Optional enrichment the writer adds when it knows the catalog. */
export interface TranscriptExtras {
  /** session-start: the root playbook's title and summary (the symptom) */
  playbookTitle?: string;
  playbookSummary?: string;
  /** session-start: the root playbook's YAML file, so resume finds a playbook given by path */
  playbookFile?: string;
  /** session-start: the YAML files of every playbook reachable from the root, so a reader
   * can load them to rebuild states between sparse snapshots */
  playbookFiles?: string[];
  /** session-start: hash of those playbooks as the engine saw them (`playbooksHash`), so
   * resume and replay notice when they changed since */
  playbooksHash?: string;
  /** outcome: the concluded cause as the playbook describes it */
  cause?: Pick<Cause, 'id' | 'title' | 'explanation' | 'fix' | 'references'>;
  /** outcome: title of the playbook that declared the cause */
  causePlaybook?: string;
}

export type TranscriptEvent = SessionEvent | TranscriptMeta;
export type TranscriptLine = TranscriptStamp & TranscriptEvent & TranscriptExtras;

/** Narrow a line by its type. */
export type LineOf<T extends TranscriptEvent['type']> = TranscriptStamp &
  Extract<TranscriptEvent, { type: T }> &
  TranscriptExtras;

export function isLine<T extends TranscriptEvent['type']>(
  line: TranscriptLine,
  type: T,
): line is LineOf<T> {
  return line.type === type;
}
