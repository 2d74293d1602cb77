// Where transcripts live: one JSONL file per session under the XDG state dir, and beside
// each a `<file>.d/` directory holding whole outputs too long for a readable line.
import { mkdirSync } from 'node:fs';
import { stateDir } from '../exec/state-dir.js';
import { join } from 'node:path';

/** `$XDG_STATE_HOME/netwiz/sessions` (XDG_STATE_HOME defaults to ~/.local/state). */
export function sessionsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'sessions');
}

/** Ids and effect ids become file names: keep them to a safe alphabet. */
export function safeFileComponent(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return cleaned.slice(0, 120) || '_';
}

/** `20261124T064012Z` — sorts by time, no colons (portable file names). */
export function fileTimestamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Default transcript path for a new session: `<sessionsDir>/<time>-<sessionId>.jsonl`. */
export function defaultTranscriptPath(
  sessionId: string,
  now: Date = new Date(),
  env: NodeJS.ProcessEnv = process.env,
): string {
  return join(sessionsDir(env), `${fileTimestamp(now)}-${safeFileComponent(sessionId)}.jsonl`);
}

/** Directory beside a transcript that holds whole outputs: `<transcript>.d`. */
export function outputDirFor(transcriptPath: string): string {
  return `${transcriptPath}.d`;
}

/**
 * Where the executor keeps the whole stdout of one command (RunRequest.outputFile); its
 * stderr goes to `<that>.stderr`. Creates the directory (mode 0700: outputs can hold
 * cluster details), so the driver can pass the result straight to the executor.
 * The transcript writer redacts these files when the command finishes.
 */
export function outputFileFor(transcriptPath: string, effectId: string): string {
  const dir = outputDirFor(transcriptPath);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return join(dir, `${safeFileComponent(effectId)}.out`);
}
