// Public face of transcript/: writing (observer), reading (replay, resume), exporting.
export { TranscriptWriter, allTranscriptsIdle, openTranscriptWriter, redactFileAsync, redactFileInPlace, redactOutputDir, DEFAULT_INLINE_LIMIT, type TranscriptWriterOptions } from './writer.js';
export { loadTranscript, parseTranscript, lastSeq, replayFrames, type LoadedTranscript, type StateSnapshot, type ReplayFrame } from './reader.js';
export { defaultTranscriptPath, outputFileFor, outputDirFor, sessionsDir } from './paths.js';
export { redactArgv, redactText, redactValue, createOutputRedactor, REDACTED, type OutputRedactor } from './redact.js';
export { exportTranscript, sessionDocument, EXPORT_FORMATS, SESSION_DOCUMENT_VERSION, type ExportFormat, type SessionDocument } from './export.js';
export { buildSessionRecord, formatDuration, describeTarget, type SessionRecord, type StepRecord, type CommandRecord } from './session-record.js';
export { planResume, ResumeError, type ResumePlan } from './resume.js';
export { listSessions, summarise, type SessionSummary } from './sessions.js';
export { inertText, inertOneLine } from './inert.js';
export { shellQuote, shellJoin } from './shell-quote.js';
export { TRANSCRIPT_VERSION, type TranscriptLine, type TranscriptEvent, type TranscriptMeta } from './format.js';
