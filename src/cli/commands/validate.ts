// `netwiz validate [PATH...]`: every problem of every playbook as file:line:col: message.
// Exit 2 on any error, 0 with a one-line summary otherwise.
import type { Command } from 'commander';
import { addPlaybooksOption } from './playbook-options.js';

export function registerValidate(program: Command): void {
  addPlaybooksOption(
    program
      .command('validate')
      .argument('[paths...]', 'playbook files or folders (default: every playbook on the search path)')
      .description('check playbooks: schema, references, reachability, variables, CEL; exit 2 on any error'),
  ).action(async (paths: string[], opts: { playbooks?: string[] }) => {
    const code = await runValidate(paths, opts.playbooks ?? []);
    process.exitCode = code;
  });
}

export async function runValidate(paths: string[], playbookDirs: string[]): Promise<number> {
  const pb = await import('../../playbook/index.js');
  let result;
  let pathErrors: import('../../playbook/index.js').Diagnostic[] = [];
  let count: number;
  if (paths.length === 0) {
    result = pb.loadCatalog(playbookDirs, { cache: false });
    count = result.files.length;
  } else {
    // the named files are checked against the whole catalog (for `call`), and override it
    const expanded = pb.expandPaths(paths);
    pathErrors = expanded.errors;
    const named = new Set(expanded.files);
    const searchFiles = pb.playbookSearchPath(playbookDirs).flatMap(pb.playbookFilesIn).filter((f) => !named.has(f));
    result = pb.loadPlaybookFiles([...searchFiles, ...expanded.files], named, { cache: false });
    count = expanded.files.length;
  }
  const errors = pb.sortDiagnostics([...pathErrors, ...result.errors]);
  const out: string[] = [];
  for (const w of result.warnings) out.push(pb.formatDiagnostic({ ...w, message: `warning: ${w.message}` }));
  for (const e of errors) out.push(pb.formatDiagnostic(e));
  const steps = result.summaries.reduce((n, s) => n + s.steps, 0);
  const summary = `netwiz: ${count} playbook${count === 1 ? '' : 's'}, ${steps} steps, ${errors.length} error${errors.length === 1 ? '' : 's'}`;
  if (out.length > 0) process.stderr.write(out.join('\n') + '\n');
  if (errors.length > 0) {
    process.stderr.write(`${summary}\n`);
    return 2;
  }
  if (count === 0) process.stderr.write('netwiz: no playbooks found (built-in playbooks/, --playbooks DIR, $NETWIZ_PLAYBOOKS)\n');
  process.stdout.write(`${summary}\n`);
  return 0;
}
