/**
 * Content-defined chunking (keyed FastCDC, repository format v1): bytes in,
 * boundaries out. A pure leaf: no I/O, no crypto; the gear table is derived
 * from the repository secret by the caller.
 */
export { Chunker } from './chunker.js';
export { chunkBuffer, findCutPoint } from './fastcdc.js';
export { type ChunkerParams, DEFAULT_CHUNKER_PARAMS, validateChunkerParams } from './params.js';
