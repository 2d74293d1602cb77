// A real, reversible change on this machine for the driver's tests: a playbook that reads a
// file, overwrites it in a mutating step (with an undo that writes back what it read), and
// reads it again.
import type { Catalog } from '../../src/engine/model.js';
import { catalogOf, conclude, playbook, run } from '../engine/helpers.js';

/** argv of `node -e script args…` */
export const node = (script: string, ...args: string[]) => [process.execPath, '-e', script, ...args];
/** writes argv[2] into the file argv[1]: a real, reversible change on this machine */
export const WRITE = 'require("fs").writeFileSync(process.argv[1], process.argv[2])';

/**
 * Playbook 'p': step `readId` cats the file; 'change' writes "changed" into it (mutates,
 * undo writes back what `readId` read; skipped → 'not-changed'); 'after' cats it again;
 * concludes 'changed' ("file now …") or 'not-changed' ("not changed: <reason>").
 */
export const fileChangeCatalog = (file: string, readId: string): Catalog =>
  catalogOf(
    playbook('p', [
      run(readId, ['cat', file], {}, { as: readId }),
      run('change', node(WRITE, file, 'changed'), { mutates: true, undo: node(WRITE, file, `{{${readId}.stdout}}`) }, {
        transitions: [{ when: 'change.skipped', next: 'not-changed' }],
      }),
      run('after', ['cat', file], {}, { as: 'after' }),
      conclude('changed', 'inconclusive', 'file now {{after.stdout}}'),
      conclude('not-changed', 'inconclusive', 'not changed: {{change.reason}}'),
    ]),
  );
