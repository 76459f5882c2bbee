/**
 * A storage endpoint that could not be reached at all (connection refused,
 * no route to host). Transient by nature, since a server may be restarting,
 * but the retry layer fails fast on it until one request has succeeded: a
 * mistyped port or a server that is not running should be reported at once,
 * not after minutes of backing off (docs/backends.md, "Retries").
 */
import { BackendError } from '../errors.js';

export class UnreachableError extends BackendError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { transient: true, cause: options?.cause });
  }
}
