/**
 * One base error with a stable string `code` (also emitted in JSON output),
 * and the few kinds every layer shares. The CLI maps codes to exit codes in
 * one place (src/cli/exit-codes.ts); nothing else decides how coffer exits.
 */
export class CofferError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Bad flags, arguments or configuration. */
export class UsageError extends CofferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('USAGE', message, options);
  }
}

/** The location holds no coffer repository (no `config` object). */
export class NoRepositoryError extends CofferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NO_REPOSITORY', message, options);
  }
}

/** Another process holds a lock this operation needs. */
export class LockedError extends CofferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LOCKED', message, options);
  }
}

/** No key file of the repository opens with the given passphrase. */
export class WrongPasswordError extends CofferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('WRONG_PASSWORD', message, options);
  }
}

/** A named object, snapshot, blob or path does not exist. */
export class NotFoundError extends CofferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NOT_FOUND', message, options);
  }
}

/** Storage failed. `transient` failures may succeed when retried. */
export class BackendError extends CofferError {
  readonly transient: boolean;
  constructor(message: string, options: { transient: boolean; cause?: unknown }) {
    super(options.transient ? 'BACKEND_TRANSIENT' : 'BACKEND', message, options);
    this.transient = options.transient;
  }
}

/** Stored bytes do not match their name, id or authentication tag. */
export class IntegrityError extends CofferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INTEGRITY', message, options);
  }
}

/** Bytes that authenticate but do not follow docs/format.md (or a version we do not know). */
export class FormatError extends CofferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FORMAT', message, options);
  }
}

/** A key file is damaged, unsupported, or refers to another repository. */
export class KeyFileError extends CofferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KEY_FILE', message, options);
  }
}

/** The key in use lacks the capability (for example a write-only key asked to read). */
export class PermissionError extends CofferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PERMISSION', message, options);
  }
}

/** The operation was cancelled through its AbortSignal. */
export class AbortedError extends CofferError {
  constructor(message = 'operation interrupted', options?: { cause?: unknown }) {
    super('ABORTED', message, options);
  }
}

/**
 * A recoverable problem met while working (a file that vanished or could not
 * be read). Pipelines report these through an `onWarning` callback and carry on.
 */
export interface Warning {
  readonly code: string;
  readonly message: string;
  readonly path?: string;
}

/** Throws AbortedError if the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError();
}

/** The message of any thrown value, for wrapping foreign errors. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Work raced with another client in a way that could lose data, and was
 * stopped before it did (a backup that outlived prune's safety window while
 * prune was collecting packs it depends on). Running it again is safe.
 */
export class ConflictError extends CofferError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFLICT', message, options);
  }
}
