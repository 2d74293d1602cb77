// `netwiz list`: the playbooks on the search path (id, title, file).
import path from 'node:path';
import type { Command } from 'commander';
import { addPlaybooksOption } from './playbook-options.js';

export function registerList(program: Command): void {
  addPlaybooksOption(
    program.command('list').description('list the playbooks on the search path').option('--json', 'print a JSON array'),
  ).action(async (opts: { playbooks?: string[]; json?: boolean }) => {
    // through the validated-catalog cache: no YAML/zod/CEL when nothing changed
    const { loadCatalogCached } = await import('../../playbook/cache.js');
    const r = await loadCatalogCached(opts.playbooks ?? []);
    // an overridden playbook is not listed; the one that wins is
    const shown = r.summaries.filter((s) => {
      const winner = r.catalog[s.id];
      return winner ? winner.file === s.file : !r.summaries.some((o) => o.id === s.id && r.summaries.indexOf(o) > r.summaries.indexOf(s));
    });
    const rel = (f: string) => {
      const x = path.relative(process.cwd(), f);
      return x.startsWith('..') ? f : x;
    };
    if (opts.json) {
      const rows = shown.map((s) => {
        const p = r.catalog[s.id];
        return {
          id: s.id,
          title: s.title,
          summary: s.summary,
          file: s.file,
          valid: s.valid,
          inputs: p ? p.inputs.map((i) => ({ name: i.name, prompt: i.prompt, required: i.required, ...(i.default !== undefined ? { default: i.default } : {}) })) : [],
          steps: s.steps,
        };
      });
      process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    } else if (shown.length === 0) {
      process.stdout.write('no playbooks found (built-in playbooks/, --playbooks DIR, $NETWIZ_PLAYBOOKS)\n');
    } else {
      const w = Math.max(...shown.map((s) => s.id.length));
      const t = Math.max(...shown.map((s) => s.title.length));
      for (const s of shown) {
        process.stdout.write(`${s.id.padEnd(w)}  ${s.title.padEnd(t)}  ${rel(s.file)}${s.valid ? '' : '  (invalid: run netwiz validate)'}\n`);
      }
    }
    if (r.errors.length > 0) {
      const files = new Set(r.errors.map((e) => e.file)).size;
      process.stderr.write(`netwiz: ${files} playbook file${files === 1 ? '' : 's'} with errors; run 'netwiz validate' to see them\n`);
    }
  });
}
