// Where netwiz keeps state between runs (XDG base directory spec): the mutation journal
// and the registry of live sessions that the leftover sweep consults.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';

export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(env.HOME || homedir(), '.local', 'state');
  return join(base, 'netwiz');
}

export function journalDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(stateDir(env), 'journal');
}

function liveDir(env: NodeJS.ProcessEnv): string {
  return join(stateDir(env), 'live');
}

/** file names come from session ids: keep them to one safe path component */
export function sessionFileName(sessionId: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(sessionId) || sessionId.startsWith('.')) {
    throw new Error(`session id ${JSON.stringify(sessionId)} may hold only letters, digits, '.', '_' and '-'`);
  }
  return sessionId;
}

/** a process with this pid exists (EPERM: it does, as another user) */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Mark a session as running in this process (removed by unmarkSessionLive / on exit). */
export function markSessionLive(sessionId: string, env: NodeJS.ProcessEnv = process.env): void {
  const dir = liveDir(env);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, sessionFileName(sessionId)), JSON.stringify({ pid: process.pid, host: hostname() }));
}

export function unmarkSessionLive(sessionId: string, env: NodeJS.ProcessEnv = process.env): void {
  rmSync(join(liveDir(env), sessionFileName(sessionId)), { force: true });
}

/** Sessions whose netwiz process still runs on this host. */
export function liveSessions(env: NodeJS.ProcessEnv = process.env): Set<string> {
  const live = new Set<string>();
  let names: string[] = [];
  try {
    names = readdirSync(liveDir(env));
  } catch {
    return live;
  }
  for (const name of names) {
    try {
      const rec = JSON.parse(readFileSync(join(liveDir(env), name), 'utf8')) as { pid?: number };
      if (typeof rec.pid === 'number' && pidAlive(rec.pid)) live.add(name);
    } catch {
      // unreadable marker: treat the session as dead
    }
  }
  return live;
}
