// Everything the wizard needs to run a session but not to draw its first frame. Imported
// dynamically by run-wizard.tsx after the first frame, so YAML/zod/CEL set-up, the
// executor and the transcript code are evaluated while the operator already sees netwiz.
export { reachableCatalog } from '../cli/session-setup.js';
export { loadCatalog } from '../playbook/catalog.js';
export { createExecutor, createJournal, permissionsForCatalog, preflight } from '../exec/index.js';
export { startDriver } from '../session/driver.js';
export { defaultTranscriptPath, outputFileFor } from '../transcript/paths.js';
export { openTranscriptWriter } from '../transcript/writer.js';
export { loadInputChoices } from './input-choices.js';
