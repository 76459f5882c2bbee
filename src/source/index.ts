/**
 * The local filesystem a backup reads and a restore writes: byte paths,
 * metadata, directory listing, excludes, change-aware file reading, and a
 * restore target that is safe against hostile snapshots. Knows nothing of
 * the repository. Test helpers live in ./testing.js.
 */
export { baseName, displayPath, joinPath, joinPaths, parseDisplayPath, toBytes } from './byte-path.js';
export { crossesFilesystem, metadataFromStats, readLinkTarget, readMetadata } from './metadata.js';
export type { EntryMetadata, EntryType } from './metadata.js';
export { listDirectory } from './list-directory.js';
export { errorCode, sourceWarning } from './source-warning.js';
export { Excluder, parseExcludeFile, readExcludeFile } from './exclude.js';
export { DEFAULT_BLOCK_SIZE, SourceFile, isOpenProblem, openSourceFile } from './read-file.js';
export type { FinishResult, OpenProblem, OpenSourceFileOptions, ReadBlocksOptions } from './read-file.js';
export { isAllZero } from './is-all-zero.js';
export { RestoreFile } from './restore-file.js';
export type { FileBlock, RestoreFileStats } from './restore-file.js';
export { RestoreExistsError, RestoreTarget, validateName } from './restore-target.js';
export type { CreateFileOptions, CreateOptions, RestoreTargetOptions, WriteFileOptions } from './restore-target.js';
export type { RestoreMetadata } from './apply-metadata.js';
export { toUtimeSeconds } from './timestamp.js';
