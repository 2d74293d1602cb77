// `netwiz export TRANSCRIPT --format md|json|sh [-o FILE]`: a recorded session in the forms
// an incident review wants. Redaction is applied again on export. A damaged last line (a
// crash) is reported on stderr and the rest is exported.
import type { Command } from 'commander';

export function registerExport(program: Command): void {
  program
    .command('export')
    .argument('<transcript>', 'a session transcript (.jsonl); list them with `netwiz sessions`')
    .option('-f, --format <format>', 'md (incident review), json (versioned document) or sh (runbook)', 'md')
    .option('-o, --output <file>', 'write here instead of stdout')
    .description('export a session transcript as Markdown, JSON or a shell runbook')
    .action(async (transcript: string, opts: { format: string; output?: string }) => {
      process.exitCode = await runExport(transcript, opts);
    });
}

export async function runExport(transcript: string, opts: { format: string; output?: string }): Promise<number> {
  const t = await import('../../transcript/index.js');
  const format = opts.format as import('../../transcript/index.js').ExportFormat;
  if (!t.EXPORT_FORMATS.includes(format)) {
    process.stderr.write(`netwiz export: unknown format "${opts.format}"; use one of ${t.EXPORT_FORMATS.join(', ')}\n`);
    return 2;
  }
  let loaded;
  try {
    loaded = t.loadTranscript(transcript);
  } catch (err) {
    process.stderr.write(`netwiz export: ${(err as Error).message}\n`);
    return 1;
  }
  for (const w of loaded.warnings) process.stderr.write(`netwiz export: warning: ${w}\n`);
  // outputs of an interrupted session may not have been redacted yet
  if (!loaded.events.some((e) => e.type === 'session-end')) t.redactOutputDir(transcript);
  const text = t.exportTranscript(loaded, format);
  if (opts.output) {
    const { writeFileSync } = await import('node:fs');
    // a runbook is meant to be run; the others are documents
    writeFileSync(opts.output, text, { mode: format === 'sh' ? 0o700 : 0o600 });
    process.stderr.write(`netwiz export: wrote ${opts.output}\n`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}
