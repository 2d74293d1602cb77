// Command output is hostile text: escape sequences can rewrite a terminal, move the cursor,
// set the window title, or (bidi overrides) make a reviewer read something else than what
// is there. Exports keep the text but make such characters inert.
import stripAnsi from 'strip-ansi';

/** Control Pictures (U+2400…) for C0 controls, so a stray ESC shows as ␛, not as an effect. */
function picture(c: string): string {
  const code = c.codePointAt(0)!;
  if (code < 0x20) return String.fromCodePoint(0x2400 + code);
  if (code === 0x7f) return '\u2421';
  return `<U+${code.toString(16).toUpperCase().padStart(4, '0')}>`;
}

// C0 except \t and \n; DEL; C1 (0x80–0x9f, 0x9b is a one-byte CSI); bidi controls and
// zero-width characters that hide or reorder text.
const UNSAFE_RE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/**
 * Make text safe to print or render: remove well-formed ANSI sequences (colours, cursor
 * moves, OSC titles/hyperlinks), turn CRLF into LF, show every remaining control as a
 * visible placeholder.
 */
export function inertText(text: string): string {
  return stripAnsi(text).replace(/\r\n/g, '\n').replace(UNSAFE_RE, picture);
}

/** One line for a table cell or a comment: inert, and newlines shown as ⏎. */
export function inertOneLine(text: string): string {
  return inertText(text).replace(/\n/g, ' \u23ce ').replace(/\t/g, ' ');
}
