// Property tests: whatever a pod name, an operator's answer or a command's output holds,
// the exports keep it inert — one literal word for sh, one fenced block or one table cell
// for Markdown, no control character left to act on a terminal.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import MarkdownIt from 'markdown-it';
import { describe, expect, it } from 'vitest';
import { mdCode, mdFence, mdText } from '../../src/transcript/export-md.js';
import { inertOneLine, inertText } from '../../src/transcript/inert.js';
import { shellJoin } from '../../src/transcript/shell-quote.js';

const md = new MarkdownIt({ html: true });
const RUNS = 300;

// pieces that break naive quoting, fencing and terminals, mixed with arbitrary code points
const hostile = fc.string({
  unit: fc.oneof(
    fc.constantFrom('$(', ')', '`', '```', '````', ';', '&', '|', '\n', '\r', '\t', "'", '"', '\\', '#', '*', '_', '~', '<', '>', '[', ']',
      '\u001b[2J', '\u001b]0;title\u0007', '\u009b31m', '\u0007', '\u0000', '\u202e', '\u200b', '\u007f', ' ', '-', '=', '{', '}'),
    fc.string({ unit: 'binary', maxLength: 2 }),
  ),
  maxLength: 40,
});

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('hostile text in exports', () => {
  it('sh: every argv comes back from sh exactly as it went in', () => {
    // argv elements cannot hold NUL: drop it, as the kernel would refuse it
    const samples = fc.sample(fc.array(hostile.map((s) => s.replace(/\0/g, '')), { minLength: 1, maxLength: 4 }), RUNS);
    const script = samples.map((argv) => `printf '%s\\0' ${shellJoin(argv)}; printf '\\036'`).join('\n');
    const r = spawnSync('sh', ['-c', script], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const got = r.stdout.split('\u001e').slice(0, -1).map((block) => block.split('\0').slice(0, -1));
    expect(got).toEqual(samples);
  });

  it('Markdown fence: exactly one code block holding the inert text', () => {
    fc.assert(
      fc.property(hostile, (body) => {
        const tokens = md.parse(`before\n\n${mdFence(body, 'text')}\n\nafter\n`, {});
        const fences = tokens.filter((t) => t.type === 'fence');
        expect(fences).toHaveLength(1);
        expect(fences[0]!.content).toBe(`${inertText(body).replace(/\n+$/, '')}\n`);
        expect(fences[0]!.content).not.toMatch(CONTROL);
        // the paragraph after the block is still a paragraph
        expect(tokens.filter((t) => t.type === 'inline').map((t) => t.content)).toEqual(['before', 'after']);
      }),
      { numRuns: RUNS },
    );
  });

  it('Markdown tables: a cell stays one cell whatever its text or code holds', () => {
    fc.assert(
      fc.property(hostile, hostile, (a, b) => {
        const table = `| x | y | z |\n|---|---|---|\n| ${mdText(a)} | ${mdCode(b)} | end |\n`;
        const tokens = md.parse(table, {});
        const cells = tokens.filter((t) => t.type === 'td_open').length;
        expect(cells).toBe(3);
        const html = md.render(table);
        expect(html).not.toMatch(/<(script|a |img|details)/);
        expect(html).toContain('<td>end</td>');
        expect(html).not.toMatch(CONTROL);
      }),
      { numRuns: RUNS },
    );
  });

  it('terminal text: no control character survives, newlines only where allowed', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        expect(inertText(s)).not.toMatch(CONTROL);
        expect(inertOneLine(s)).not.toMatch(/[\n\r]/);
        expect(inertOneLine(s)).not.toMatch(CONTROL);
      }),
      { numRuns: RUNS },
    );
  });
});
