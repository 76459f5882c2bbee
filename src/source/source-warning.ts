import type { Warning } from '../errors.js';
import { displayPath } from './byte-path.js';

/**
 * Maps a filesystem error met while reading the source to a warning, or
 * returns undefined when the error is not one a backup should carry on after
 * (the caller rethrows it). The warning's `path` is {@link displayPath}'s
 * rendering of the raw path.
 *
 * - ENOENT, ENOTDIR: `SOURCE_VANISHED` (removed, or a parent was replaced)
 * - EACCES, EPERM: `SOURCE_UNREADABLE`
 * - ELOOP: `SOURCE_CHANGED` (became a symlink; seen with O_NOFOLLOW)
 * - EIO: `SOURCE_UNREADABLE` (media errors should not lose the whole backup)
 */
export function sourceWarning(error: unknown, path: Buffer): Warning | undefined {
  const shown = displayPath(path);
  switch (errorCode(error)) {
    case 'ENOENT':
    case 'ENOTDIR':
      return { code: 'SOURCE_VANISHED', message: `${shown}: vanished while reading`, path: shown };
    case 'EACCES':
    case 'EPERM':
      return { code: 'SOURCE_UNREADABLE', message: `${shown}: permission denied`, path: shown };
    case 'EIO':
      return { code: 'SOURCE_UNREADABLE', message: `${shown}: input/output error`, path: shown };
    case 'ELOOP':
      return { code: 'SOURCE_CHANGED', message: `${shown}: became a symlink while reading`, path: shown };
    default:
      return undefined;
  }
}

/** The `code` of a Node system error, if any. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
