import { lstatSync, readlinkSync, type BigIntStats } from 'node:fs';
import { throwIfAborted } from '../errors.js';

/** The kinds of filesystem entry a snapshot can hold. */
export type EntryType = 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'chardev' | 'blockdev';

/** What lstat(2) says about an entry, in the units the archiver stores. */
export interface EntryMetadata {
  readonly type: EntryType;
  /** Permission bits including setuid, setgid and sticky (`mode & 0o7777`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly size: number;
  readonly mtimeNs: bigint;
  readonly ctimeNs: bigint;
  readonly inode: bigint;
  /** The filesystem the entry lives on; see {@link crossesFilesystem}. */
  readonly device: bigint;
  /** Number of hard links; above 1 the archiver may look for other names of the same inode. */
  readonly links: number;
  /** Device number of a chardev or blockdev, 0 otherwise. */
  readonly rdev: number;
}

/** Converts bigint stats (from lstat or fstat with `{bigint: true}`) to {@link EntryMetadata}. */
export function metadataFromStats(stats: BigIntStats): EntryMetadata {
  return {
    type: entryType(stats),
    mode: Number(stats.mode & 0o7777n),
    uid: Number(stats.uid),
    gid: Number(stats.gid),
    size: Number(stats.size),
    mtimeNs: stats.mtimeNs,
    ctimeNs: stats.ctimeNs,
    inode: stats.ino,
    device: stats.dev,
    links: Number(stats.nlink),
    rdev: Number(stats.rdev),
  };
}

function entryType(stats: BigIntStats): EntryType {
  if (stats.isFile()) return 'file';
  if (stats.isDirectory()) return 'dir';
  if (stats.isSymbolicLink()) return 'symlink';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice()) return 'chardev';
  if (stats.isBlockDevice()) return 'blockdev';
  // S_IFMT has no other values on the systems Node runs on.
  throw new Error(`unknown file type in mode ${stats.mode.toString(8)}`);
}

/**
 * Reads an entry's metadata without following a final symlink. Errors are
 * Node's (`code` ENOENT, EACCES...); {@link sourceWarning} turns the
 * recoverable ones into warnings.
 */
export async function readMetadata(path: Buffer, signal?: AbortSignal): Promise<EntryMetadata> {
  throwIfAborted(signal);
  // Synchronous on purpose: see SYNC_READ_LIMIT in read-file.ts (8x cheaper than through the thread pool).
  return metadataFromStats(lstatSync(path, { bigint: true }));
}

/** The target of a symlink, as the bytes stored in it. */
export async function readLinkTarget(path: Buffer, signal?: AbortSignal): Promise<Buffer> {
  throwIfAborted(signal);
  return readlinkSync(path, { encoding: 'buffer' });
}

/**
 * True when `child` lives on another filesystem than `parent` (a mount point
 * below it). With one-file-system backups the caller compares each directory
 * it would descend into against the root's metadata.
 */
export function crossesFilesystem(parent: EntryMetadata, child: EntryMetadata): boolean {
  return parent.device !== child.device;
}
