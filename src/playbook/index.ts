// Public surface of the playbook loader: the engine, session driver and CLI import from here.
export {
  builtinPlaybooksDir,
  expandPaths,
  loadCatalog,
  loadPlaybookFiles,
  loadPlaybookTexts,
  loadText,
  playbookFilesIn,
  playbookSearchPath,
  type CatalogLoad,
  type PlaybookSummary,
  type SearchOptions,
} from './catalog.js';
export { formatDiagnostic, sortDiagnostics, type Diagnostic } from './diagnostics.js';
export { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS, normalisePlaybook, parseDuration } from './normalise.js';
export { playbookJsonSchema, playbookSchema, type PlaybookDoc } from './schema.js';
export { LIMITS } from './source.js';
