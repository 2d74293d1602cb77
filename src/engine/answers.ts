// Checking an operator's answer against its question. Pure; shared by the engine (which
// stores the normalised value), the non-interactive CLI (answers file) and the TUI.
import type { QuestionSpec } from './model.js';

export type AnswerCheck = { ok: true; value: string | boolean } | { ok: false; error: string };

const YES = new Set(['y', 'yes', 'true', '1']);
const NO = new Set(['n', 'no', 'false', '0']);

/** Normalises an answer: confirm → boolean, choice → one of the choices, text → matches `pattern`. */
export function checkAnswer(question: QuestionSpec, raw: unknown): AnswerCheck {
  if (question.type === 'confirm') {
    if (typeof raw === 'boolean') return { ok: true, value: raw };
    const t = String(raw).trim().toLowerCase();
    if (YES.has(t)) return { ok: true, value: true };
    if (NO.has(t)) return { ok: true, value: false };
    return { ok: false, error: `expected yes or no, got "${String(raw)}"` };
  }
  if (raw === null || raw === undefined || typeof raw === 'object') {
    return { ok: false, error: `expected a text answer, got ${raw === null || raw === undefined ? 'nothing' : 'a structure'}` };
  }
  const text = String(raw);
  if (question.type === 'choice') {
    const choices = question.choices ?? [];
    if (choices.length > 0 && !choices.includes(text)) {
      return { ok: false, error: `"${text}" is not one of: ${choices.join(', ')}` };
    }
    return { ok: true, value: text };
  }
  if (question.pattern !== undefined) {
    let re: RegExp;
    try {
      re = new RegExp(question.pattern);
    } catch {
      // an invalid pattern is a playbook bug reported by validate; do not block the operator
      return { ok: true, value: text };
    }
    if (!re.test(text)) return { ok: false, error: `"${text}" does not match ${question.pattern}` };
  }
  return { ok: true, value: text };
}
