/**
 * A backend over a local directory (or any mounted filesystem). Objects are
 * files at their names below the root; `data/ab/<hex>` is the file
 * `<root>/data/ab/<hex>`.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, readdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { NotFoundError, throwIfAborted } from '../errors.js';
import type { Backend, ListedObject, LoadOptions, ObjectInfo, OperationOptions } from './backend.js';
import { type ByteRange, checkRange, clampRange } from './byte-range.js';
import { mapFsError } from './map-fs-error.js';
import { checkName, checkPrefix, isNameSegment, shortName } from './object-name.js';

/**
 * Where objects are written before they get their name. It sits inside the
 * root so the final link stays on one filesystem, and its name starts with '.',
 * which no object name can, so it never collides with an object or a listing.
 * Files left here by a crashed process are never read; they only cost space.
 */
export const TEMP_DIR = '.tmp';

/** Stores objects as files below one directory; see the contract in backend.ts. */
export class LocalBackend implements Backend {
  /** The absolute path of the root directory. */
  readonly location: string;

  constructor(root: string) {
    this.location = path.resolve(root);
  }

  async save(name: string, data: Uint8Array, options?: OperationOptions): Promise<'saved' | 'exists'> {
    const signal = options?.signal;
    try {
      checkName('save', name);
      throwIfAborted(signal);
      const final = this.pathOf(name);
      const temp = path.join(this.location, TEMP_DIR, `${randomBytes(12).toString('hex')}.tmp`);
      await makeDirectories(path.dirname(temp));
      await makeDirectories(path.dirname(final));
      try {
        await writeDurably(temp, data, signal);
        // The last point to abort: once linked the object exists, and finishing
        // (one directory fsync) is better than leaving the caller unsure.
        throwIfAborted(signal);
        // link(2) refuses to replace an existing name: save-if-absent without a race,
        // and a reader sees either no file or the complete one.
        const outcome = await link(temp, final).then(
          () => 'saved' as const,
          (error: unknown) => {
            if (codeOf(error) === 'EEXIST') return 'exists' as const;
            throw error;
          },
        );
        // Also on 'exists': the winner of a concurrent save may not have synced
        // the directory yet, and our caller will rely on the object being there.
        await syncDirectory(path.dirname(final));
        return outcome;
      } finally {
        await unlink(temp).catch(() => undefined);
      }
    } catch (error) {
      throw mapFsError('save', name, error);
    }
  }

  async load(name: string, options?: LoadOptions): Promise<Buffer> {
    const signal = options?.signal;
    try {
      checkName('load', name);
      throwIfAborted(signal);
      const range = options?.range;
      if (range === undefined) return await readFile(this.pathOf(name), { signal });
      checkRange(name, range);
      return await readRange(this.pathOf(name), range, signal);
    } catch (error) {
      throw mapFsError('load', name, error);
    }
  }

  async stat(name: string, options?: OperationOptions): Promise<ObjectInfo> {
    try {
      checkName('stat', name);
      throwIfAborted(options?.signal);
      const info = await stat(this.pathOf(name));
      if (!info.isFile()) throw new NotFoundError(`stat ${shortName(name)}: not found`);
      return { size: info.size, modified: info.mtime };
    } catch (error) {
      throw mapFsError('stat', name, error);
    }
  }

  async *list(prefix: string, options?: OperationOptions): AsyncIterable<ListedObject> {
    const signal = options?.signal;
    try {
      checkPrefix('list', prefix);
      throwIfAborted(signal);
      // Start at the deepest directory the prefix names whole; nothing above it can match.
      const slash = prefix.lastIndexOf('/');
      const start = slash < 0 ? '' : prefix.slice(0, slash);
      for await (const object of this.walk(start, prefix, signal)) {
        throwIfAborted(signal);
        yield object;
      }
    } catch (error) {
      throw mapFsError('list', `${prefix}*`, error);
    }
  }

  async remove(name: string, options?: OperationOptions): Promise<void> {
    try {
      checkName('remove', name);
      throwIfAborted(options?.signal);
      const file = this.pathOf(name);
      await unlink(file).catch(async (error: unknown) => {
        // macOS answers unlink(directory) with EPERM; a directory is not an object.
        if (codeOf(error) === 'EPERM' && (await stat(file).catch(() => undefined))?.isDirectory()) {
          throw new NotFoundError(`remove ${shortName(name)}: not found`, { cause: error });
        }
        throw error;
      });
    } catch (error) {
      throw mapFsError('remove', name, error);
    }
  }

  async close(): Promise<void> {
    // Nothing is held open between operations.
  }

  /** The file for a checked name; checked names cannot climb out of the root. */
  private pathOf(name: string): string {
    return path.join(this.location, ...name.split('/'));
  }

  /** Objects below the directory `relative` (a '/'-separated name prefix) whose names start with `prefix`. */
  private async *walk(relative: string, prefix: string, signal: AbortSignal | undefined): AsyncGenerator<ListedObject> {
    throwIfAborted(signal);
    const directory = relative === '' ? this.location : this.pathOf(relative);
    const entries = await readdir(directory, { withFileTypes: true }).catch((error: unknown) => {
      // A missing folder (or a file where one was expected) simply holds no objects.
      if (codeOf(error) === 'ENOENT' || codeOf(error) === 'ENOTDIR') return [];
      throw error;
    });
    const files: string[] = [];
    for (const entry of entries) {
      // Skips the temporary directory, stale temporary files and anything else
      // that could not have been saved under a valid name.
      if (!isNameSegment(entry.name)) continue;
      const name = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory() && (`${name}/`.startsWith(prefix) || prefix.startsWith(`${name}/`))) {
        yield* this.walk(name, prefix, signal);
      } else if (entry.isFile() && name.startsWith(prefix)) {
        files.push(name);
      }
    }
    const sizes = await Promise.all(files.map((name) => stat(this.pathOf(name)).then((s) => s.size, () => undefined)));
    for (const [index, name] of files.entries()) {
      const size = sizes[index];
      // undefined: removed since readdir, so no longer an object to report.
      if (size !== undefined) yield { name, size };
    }
  }
}

/** Creates `directory` and its missing parents, and makes their new entries durable. */
async function makeDirectories(directory: string): Promise<void> {
  const first = await mkdir(directory, { recursive: true });
  if (first === undefined) return;
  // Each directory created is an entry in its parent, which must reach the disk too.
  for (let created = directory; created !== path.dirname(created); created = path.dirname(created)) {
    await syncDirectory(path.dirname(created));
    if (created === first) return;
  }
}

/** Writes a new file and flushes it to disk before returning. */
async function writeDurably(file: string, data: Uint8Array, signal: AbortSignal | undefined): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    await handle.writeFile(data, { signal });
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Reads the part of `file` a checked range covers, with positional reads. */
async function readRange(file: string, range: ByteRange, signal: AbortSignal | undefined): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const info = await handle.stat();
    // Linux opens directories for reading; a directory is not an object, even for an empty range.
    if (!info.isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    const { start, end } = clampRange(range, info.size);
    const buffer = Buffer.alloc(end - start);
    let filled = 0;
    while (filled < buffer.length) {
      throwIfAborted(signal);
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, start + filled);
      if (bytesRead === 0) break; // truncated under us: return what exists
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/** Flushes a directory's entries, so a new name survives a crash. */
async function syncDirectory(directory: string): Promise<void> {
  // Windows cannot open a directory for fsync and orders metadata itself.
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
}
