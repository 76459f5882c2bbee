import { readdir } from 'node:fs/promises';
import { throwIfAborted } from '../errors.js';

/**
 * The names in a directory (without `.` and `..`), as raw bytes, sorted by
 * `Buffer.compare` so that walks and the trees built from them are
 * deterministic whatever the filesystem's order. Errors are Node's; see
 * {@link sourceWarning} for the recoverable ones.
 */
export async function listDirectory(path: Buffer, signal?: AbortSignal): Promise<Buffer[]> {
  throwIfAborted(signal);
  const names = await readdir(path, { encoding: 'buffer' });
  throwIfAborted(signal);
  return names.sort(Buffer.compare);
}
