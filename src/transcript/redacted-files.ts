// Kept output files that were written through the stream redactor as the command ran
// (exec/capture.ts). The transcript writer would otherwise read each of them again to
// redact it when the command finishes: for a 100 MiB output that is ~0.5 s of work whose
// result is already on disk. A file is trusted only while its size and mtime are the
// ones it had when its capture closed it; anything else (another executor, a file
// changed since, a session resumed in another process) gets the full pass.
import { statSync } from 'node:fs';

const written = new Map<string, { size: number; mtimeMs: number }>();

/** The capture closed `file`, whose every byte went through createOutputRedactor. */
export function markRedactedOnWrite(file: string): void {
  try {
    const st = statSync(file);
    written.set(file, { size: st.size, mtimeMs: st.mtimeMs });
  } catch {
    written.delete(file);
  }
}

/** Whether `file` is still exactly as its redacting capture left it; forgets it either way. */
export function takeRedactedOnWrite(file: string): boolean {
  const mark = written.get(file);
  if (!mark) return false;
  written.delete(file);
  try {
    const st = statSync(file);
    return st.size === mark.size && st.mtimeMs === mark.mtimeMs;
  } catch {
    return false;
  }
}
