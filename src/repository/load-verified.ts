/**
 * Loading an object and opening it, with a fresh load when the bytes that
 * arrived do not match the object's name (docs/backends.md, "Verification").
 * Every object but `config` is named by the SHA-256 of its bytes, and the
 * opener checks that name before anything else, so a mismatch means the
 * bytes were damaged or cut short on the way (or in storage): a new download
 * costs little, and damaged bytes are never used either way. Only when every
 * try fails is the object reported damaged.
 */
import type { Backend } from '../backend/backend.js';
import { NameMismatchError } from './pack-reader.js';

/** Downloads of one object before it is reported damaged. */
export const LOAD_ATTEMPTS = 4;

/**
 * Loads `name` whole and returns `open(bytes)`. When `open` throws an error
 * for which `retryIf` holds (by default: the bytes do not match the name),
 * loads again, up to LOAD_ATTEMPTS downloads; then the last error is thrown.
 */
export async function loadVerified<T>(
  backend: Backend,
  name: string,
  open: (bytes: Buffer) => T,
  options: { signal?: AbortSignal; retryIf?: (error: unknown) => boolean } = {},
): Promise<T> {
  const retryIf = options.retryIf ?? ((error: unknown) => error instanceof NameMismatchError);
  for (let attempt = 1; ; attempt += 1) {
    const bytes = await backend.load(name, { signal: options.signal });
    try {
      return open(bytes);
    } catch (error) {
      if (attempt >= LOAD_ATTEMPTS || !retryIf(error)) throw error;
    }
  }
}
