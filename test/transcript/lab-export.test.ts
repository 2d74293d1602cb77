// A real lab diagnosis recorded by `netwiz run` and exported: the Markdown names the cause
// and its evidence, the runbook is valid sh, and the lab's credentials (its kubeconfig's
// bearer token) are nowhere under the transcript's directory.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportTranscript, sessionDocument } from '../../src/transcript/export.js';
import { loadTranscript } from '../../src/transcript/reader.js';
import type { TestLab } from '../helpers/lab.js';
import { CLI_ENTRY as ENTRY, recordLabRun, type RecordedLabRun } from '../helpers/lab-run.js';

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

let lab: TestLab;
let dir: string;
let transcript: string;
let run: RecordedLabRun['run'];

beforeAll(async () => {
  ({ lab, dir, transcript, run } = await recordLabRun('selector-overlap', 'nw-labexp-'));
}, 300_000);

afterAll(async () => {
  await lab?.stop();
});

describe('export of a lab diagnosis (selector-overlap)', () => {
  it('the session concluded the scenario cause', () => {
    expect(run.stderr).toContain(`concluded: ${lab.expectedCause}`);
    expect(run.exitCode).toBe(0);
  });

  it('Markdown names the cause and the evidence that proved it', () => {
    const t = loadTranscript(transcript);
    expect(t.warnings).toEqual([]);
    const doc = sessionDocument(t);
    expect(doc.outcome?.cause).toBe(lab.expectedCause);
    expect(doc.outcome?.evidence.length).toBeGreaterThan(0);
    const md = exportTranscript(t, 'md');
    if (process.env.NETWIZ_KEEP_EXPORT) writeFileSync(process.env.NETWIZ_KEEP_EXPORT, md);
    expect(md).toContain(`**Outcome:** concluded: ${doc.cause!.title.replace(/([\\`*_[\]|~])/g, '\\$1')} (\`${lab.expectedCause}\`)`);
    // the evidence lines of the outcome are in the summary
    for (const e of doc.outcome!.evidence.filter(Boolean)) {
      expect(md).toContain(e.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/([\\`*_[\]|~])/g, '\\$1'));
    }
    expect(md).toContain(`| **Cluster context** | \`${lab.context}\` |`);
    expect(md).toMatch(/\| `selector-overlap` \| confirmed \|/);
    // at least one real kubectl command and its output are in the steps
    expect(md).toMatch(/```sh\nkubectl /);
  });

  it('the runbook passes sh -n', () => {
    const f = join(dir, 'runbook.sh');
    const r = spawnSync(process.execPath, ['--import', 'tsx', ENTRY, 'export', transcript, '--format', 'sh', '-o', f], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(spawnSync('sh', ['-n', f]).status).toBe(0);
    expect(readFileSync(f, 'utf8')).toContain(`k() { kubectl --kubeconfig ${lab.kubeconfig} --context ${lab.context} "$@"; }`);
  });

  it("no byte of the lab kubeconfig's token is on disk under the session directory", () => {
    const token = lab.server.token;
    expect(token.length).toBeGreaterThan(10);
    const files = allFiles(join(dir, 'sessions'));
    expect(files.length).toBeGreaterThan(1);
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      expect(text.includes(token), f).toBe(false);
    }
  });
});
