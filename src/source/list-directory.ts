import { readdirSync } from 'node:fs';
import { throwIfAborted } from '../errors.js';

/**
 * The names in a directory (without `.` and `..`), as raw bytes, sorted by
 * `Buffer.compare` so that walks and the trees built from them are
 * deterministic whatever the filesystem's order. Errors are Node's; see
 * {@link sourceWarning} for the recoverable ones.
 */
export async function listDirectory(path: Buffer, signal?: AbortSignal): Promise<Buffer[]> {
  throwIfAborted(signal);
  // Synchronous on purpose, like readMetadata: the thread pool round trip costs more than the call.
  const names = readdirSync(path, { encoding: 'buffer' });
  return names.sort(Buffer.compare);
}
