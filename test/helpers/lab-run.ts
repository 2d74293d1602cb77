// Test helper: a scenario lab and one recorded `netwiz run intermittent-connectivity --yes`
// against it, run from the sources with a transcript, for tests of what a real session records.
//
//   const r = await recordLabRun('selector-overlap', 'nw-labexp-');  // in beforeAll (allow ~300 s)
//   r.run.stderr / r.run.exitCode / r.transcript / r.dir (HOME of the run) / r.lab
//   await r.lab.stop();                                              // in afterAll
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { startLab, type TestLab } from './lab.js';

/** the CLI's entry in the sources: `node --import tsx CLI_ENTRY …` */
export const CLI_ENTRY = resolve(import.meta.dirname, '../../src/cli/entry.ts');

export interface RecordedLabRun {
  lab: TestLab;
  /** temporary folder: HOME of the run; its state under state/, its transcript under sessions/ */
  dir: string;
  transcript: string;
  run: { stderr: string; exitCode?: number };
}

export async function recordLabRun(scenario: string, tmpPrefix: string): Promise<RecordedLabRun> {
  const lab = await startLab(scenario);
  const dir = mkdtempSync(join(tmpdir(), tmpPrefix));
  const transcript = join(dir, 'sessions', 'lab.jsonl');
  // the lab's API server lives in this process: the CLI must run asynchronously (spawnSync
  // would block the server it talks to)
  const run = await execa(
    process.execPath,
    [
      '--import', 'tsx', CLI_ENTRY, 'run', 'intermittent-connectivity',
      '--var', `namespace=${lab.namespace}`, '--var', `service=${lab.service}`, '--var', `client_pod=${lab.clientPod}`,
      '--kubeconfig', lab.kubeconfig, '--context', lab.context, '--yes', '--transcript', transcript,
    ],
    { env: { ...process.env, ...lab.env, HOME: dir, XDG_STATE_HOME: join(dir, 'state') }, reject: false, timeout: 240_000 },
  ).catch(async (e: unknown) => {
    await lab.stop();
    throw e;
  });
  return { lab, dir, transcript, run };
}
