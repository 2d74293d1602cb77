// The pure engine's public surface: start a session, feed it events, read its answers.
export { startSession, applyEvent, inputFacts, initialSessionState, DEFAULT_MAX_STEPS } from './transition.js';
export { reachableCatalog, stepRuns } from './reachable.js';
export { checkAnswer, type AnswerCheck } from './answers.js';
export { hypothesisKey, nextStatus } from './hypotheses.js';
export { FACT_OUTPUT_BYTES } from './facts.js';
