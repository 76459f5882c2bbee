/**
 * The one place where the local backend turns filesystem failures into the
 * shared error kinds (backend.ts: "map every failure ... in one function").
 */
import { AbortedError, BackendError, CofferError, NotFoundError, describe } from '../errors.js';
import { shortName } from './object-name.js';

/**
 * Why each errno is permanent: retrying cannot help until a person acts (frees
 * space, fixes permissions, remounts). Unknown codes are permanent too, so a
 * surprise surfaces at once instead of after a round of retries.
 */
const PERMANENT: Readonly<Record<string, string>> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only filesystem',
  ENOTDIR: 'a path component is not a directory',
  EEXIST: 'a file is in the way',
  EISDIR: 'is a directory',
  ENAMETOOLONG: 'name too long',
  ELOOP: 'too many symbolic links',
  EFBIG: 'file too large',
  EMLINK: 'too many links',
  EXDEV: 'temporary directory is on another filesystem',
  ENOTSUP: 'hard links not supported by this filesystem',
  EOPNOTSUPP: 'hard links not supported by this filesystem',
};

/**
 * Why each errno is transient: the condition belongs to this moment (too many
 * open files, a busy or flaky network mount), so a retry may well succeed.
 */
const TRANSIENT: Readonly<Record<string, string>> = {
  EIO: 'i/o error',
  EAGAIN: 'resource temporarily unavailable',
  EBUSY: 'resource busy',
  EINTR: 'interrupted system call',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in system',
  ENOMEM: 'out of memory',
  ESTALE: 'stale file handle',
  ETIMEDOUT: 'timed out',
  ECONNRESET: 'connection reset',
  ETXTBSY: 'file busy',
};

/**
 * Maps anything thrown by `node:fs` during `operation` on object `name` to
 * NotFoundError, BackendError (transient or permanent) or AbortedError. Coffer
 * errors pass through unchanged. Exported so tests can feed it errno-style
 * objects that are hard to provoke for real (ENOSPC).
 */
export function mapFsError(operation: string, name: string, error: unknown): CofferError {
  if (error instanceof CofferError) return error;
  if (error instanceof Error && (error.name === 'AbortError' || errnoCode(error) === 'ABORT_ERR')) {
    return new AbortedError(undefined, { cause: error });
  }
  const subject = `${operation} ${shortName(name)}`;
  const code = errnoCode(error);
  const where = error instanceof Error && 'path' in error && typeof error.path === 'string' ? ` (${error.path})` : '';
  // A directory standing where an object was asked for means there is no such object.
  if (code === 'ENOENT' || (code === 'EISDIR' && operation !== 'save')) {
    // Save creates what it needs, so a missing path there is a vanished root or
    // temporary directory (a concurrent cleanup), not a missing object.
    if (operation === 'save') return new BackendError(`${subject}: directory vanished${where}`, { transient: true, cause: error });
    return new NotFoundError(`${subject}: not found`, { cause: error });
  }
  if (code !== undefined && code in TRANSIENT) {
    return new BackendError(`${subject}: ${TRANSIENT[code]}${where}`, { transient: true, cause: error });
  }
  const reason = code !== undefined && code in PERMANENT ? PERMANENT[code] : describe(error).toLowerCase();
  return new BackendError(`${subject}: ${reason}${where}`, { transient: false, cause: error });
}

function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}
