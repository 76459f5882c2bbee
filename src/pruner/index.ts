/** Garbage collection: the `prune` pipeline (docs/format.md "Garbage collection (prune)"). */
export { prune, DEFAULT_MAX_UNUSED, DEFAULT_WINDOW_MS, type PruneOptions, type PruneProgress, type PruneResult } from './prune.js';
