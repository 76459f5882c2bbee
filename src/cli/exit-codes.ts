/**
 * The one place that decides how coffer exits. Scripts rely on these codes
 * (documented in `--help` through EXIT_CODES_HELP); they follow restic's.
 * Errors are matched by their stable `code` (errors.ts), not by class, so a
 * kind still maps correctly if it crosses a module-instance boundary.
 */
import { CommanderError } from 'commander';

export const EXIT_OK = 0;
/** Any failure without a more specific code. */
export const EXIT_FATAL = 1;
/** Bad flags, arguments or configuration (UsageError, commander's parse errors). */
export const EXIT_USAGE = 2;
/** The backup command wrote a snapshot, but some sources could not be read. Not an error. */
export const EXIT_SOURCES_UNREADABLE = 3;
export const EXIT_NO_REPOSITORY = 10;
export const EXIT_LOCKED = 11;
export const EXIT_WRONG_PASSWORD = 12;
/** The key in use lacks the capability (PermissionError), e.g. a write-only key asked to read. */
export const EXIT_PERMISSION = 13;
/** 128 + SIGINT, as shells report an interrupted process. */
export const EXIT_INTERRUPTED = 130;

const BY_ERROR_CODE: ReadonlyMap<string, number> = new Map([
  ['USAGE', EXIT_USAGE],
  ['NO_REPOSITORY', EXIT_NO_REPOSITORY],
  ['LOCKED', EXIT_LOCKED],
  ['WRONG_PASSWORD', EXIT_WRONG_PASSWORD],
  ['PERMISSION', EXIT_PERMISSION],
  ['ABORTED', EXIT_INTERRUPTED],
]);

/** The process exit code for a thrown value; EXIT_FATAL unless it is a known kind. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    // `--help` and `--version` end parsing by throwing with exitCode 0.
    return error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  }
  if (typeof error !== 'object' || error === null) return EXIT_FATAL;
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (typeof code === 'string') {
    const mapped = BY_ERROR_CODE.get(code);
    if (mapped !== undefined) return mapped;
  }
  // What AbortSignal.abort() rejects with when no reason is given.
  if (name === 'AbortError') return EXIT_INTERRUPTED;
  return EXIT_FATAL;
}

/** The exit-code table for `--help`. */
export const EXIT_CODES_HELP = `Exit codes:
  0    success
  1    fatal error
  2    usage error: bad flags, arguments or configuration
  3    backup written, but some sources could not be read
  10   no repository at the given location
  11   repository locked by another process
  12   wrong passphrase
  13   this key may not do that (a write-only key can only back up)
  130  interrupted`;
