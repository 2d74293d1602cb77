// Validation never throws and every diagnostic points inside the file, whatever the text.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadPlaybookTexts } from '../../src/playbook/index.js';

const good = readFileSync(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/playbook/good/sample-triage.yaml'),
  'utf8',
);

function checkPositions(text: string): void {
  const r = loadPlaybookTexts([{ file: '/pb/sample-triage.yaml', text }]);
  const lines = text.split('\n');
  for (const d of [...r.errors, ...r.warnings]) {
    expect(d.line).toBeGreaterThanOrEqual(1);
    expect(d.col).toBeGreaterThanOrEqual(1);
    expect(d.line).toBeLessThanOrEqual(lines.length);
    expect(d.col).toBeLessThanOrEqual((lines[d.line - 1]?.length ?? 0) + 1);
    expect(d.message.length).toBeGreaterThan(0);
  }
}

describe('validation robustness', () => {
  it('odd documents give errors, not exceptions', () => {
    for (const text of ['', '- a\n- b\n', 'just text', '---\nid: a\n---\nid: b\n', '\tid: x\n', '1: x\n', 'id: [\n', '*nope\n']) {
      const r = loadPlaybookTexts([{ file: '/pb/x.yaml', text }]);
      expect(r.errors.length).toBeGreaterThan(0);
      checkPositions(text);
    }
  });

  it('random edits of a valid playbook never throw and always point inside the file', () => {
    const edit = fc.record({
      at: fc.nat({ max: good.length }),
      cut: fc.nat({ max: 40 }),
      insert: fc.constantFrom('', ':', '- ', '{{', '}}', "'", '"', '\n', '  ', '[', 'next: nowhere', '&a', '*a', '|', '#', 'when: (', ' x'),
    });
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let text = good;
        for (const e of edits) {
          const at = Math.min(e.at, text.length);
          text = text.slice(0, at) + e.insert + text.slice(at + e.cut);
        }
        checkPositions(text);
      }),
      { numRuns: 300 },
    );
  });
});
