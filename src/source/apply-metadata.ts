import {
  chmodSync, closeSync, constants, fchmodSync, fchownSync, fstatSync, futimesSync, lchownSync, lstatSync, lutimesSync, openSync,
} from 'node:fs';
import { CofferError, describe, type Warning } from '../errors.js';
import { metadataFromStats, type EntryType } from './metadata.js';
import { errorCode } from './source-warning.js';
import { toUtimeSeconds } from './timestamp.js';

/** The metadata a restore gives back to an entry. */
export interface RestoreMetadata {
  readonly type: EntryType;
  /** Permission bits including setuid, setgid and sticky; ignored for symlinks. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtimeNs: bigint;
  /** Access time; the modification time when absent. */
  readonly atimeNs?: bigint;
}

/** How {@link applyEntryMetadata} treats ownership. */
export interface OwnershipPolicy {
  /** True to chown entries (only root can give files away). */
  readonly apply: boolean;
  readonly onWarning: (warning: Warning) => void;
}

/**
 * Sets owner, mode and times on the entry at `path`, in that order (chown
 * clears setuid bits, and chmod changes only ctime). Files, directories and
 * FIFOs are opened without following symlinks and changed through the
 * descriptor, so a symlink put in their place cannot redirect the change;
 * symlinks get owner and times only; device nodes and sockets, which must not
 * be opened, are checked with lstat and changed by path.
 *
 * Throws `RESTORE_CHANGED` if the entry is not of the expected type. Uses
 * synchronous syscalls, for the reason given in restore-file.ts.
 */
export async function applyEntryMetadata(
  path: Buffer,
  shown: string,
  meta: RestoreMetadata,
  ownership: OwnershipPolicy,
): Promise<void> {
  const mtime = toUtimeSeconds(meta.mtimeNs);
  const atime = toUtimeSeconds(meta.atimeNs ?? meta.mtimeNs);
  const mode = meta.mode & 0o7777;
  const chownFailed = (error: unknown): void =>
    ownership.onWarning({ code: 'RESTORE_OWNERSHIP', message: `${shown}: cannot set owner: ${describe(error)}`, path: shown });

  const fd = meta.type === 'file' || meta.type === 'dir' || meta.type === 'fifo' ? openEntry(path) : undefined;
  if (fd !== undefined) {
    try {
      expectType(metadataFromStats(fstatSync(fd, { bigint: true })).type, meta.type, shown);
      if (ownership.apply) attempt(() => fchownSync(fd, meta.uid, meta.gid), chownFailed);
      fchmodSync(fd, mode);
      futimesSync(fd, atime, mtime);
    } finally {
      closeSync(fd);
    }
    return;
  }
  // Symlinks, devices, sockets, and entries we may not open (a directory of mode 000 as non-root).
  expectType(metadataFromStats(lstatSync(path, { bigint: true })).type, meta.type, shown);
  if (ownership.apply) attempt(() => lchownSync(path, meta.uid, meta.gid), chownFailed);
  if (meta.type !== 'symlink') chmodSync(path, mode);
  lutimesSync(path, atime, mtime);
}

function attempt(action: () => void, onError: (error: unknown) => void): void {
  try {
    action();
  } catch (error) {
    onError(error);
  }
}

function openEntry(path: Buffer): number | undefined {
  try {
    return openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    // EACCES: not readable by us, ELOOP: a symlink (expectType then reports it).
    if (errorCode(error) === 'EACCES' || errorCode(error) === 'ELOOP') return undefined;
    throw error;
  }
}

function expectType(actual: EntryType, expected: EntryType, shown: string): void {
  if (actual !== expected) {
    throw new CofferError('RESTORE_CHANGED', `${shown}: expected a ${expected}, found a ${actual}`);
  }
}
