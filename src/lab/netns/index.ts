// The netns data plane of the scenario lab (issue 8). See README.md beside this file.
export { NetnsDataPlane, requireRoot, type NetnsDataPlaneOptions, type NetnsLabStatus } from './plane.js';
export { downFromLedger, readLedger, liveEntries, type DownReport, type LedgerEntry } from './ledger.js';
export { makeLabPrefix } from './names.js';
