import { closeSync, constants, fstatSync, openSync, read, readSync } from 'node:fs';
import { promisify } from 'node:util';
import { CofferError, describe, throwIfAborted, type Warning } from '../errors.js';
import { displayPath } from './byte-path.js';
import { metadataFromStats, type EntryMetadata } from './metadata.js';
import { sourceWarning } from './source-warning.js';

/** Default size of the blocks {@link SourceFile.blocks} yields: 8 MiB. */
export const DEFAULT_BLOCK_SIZE = 8 * 1024 * 1024;

/** How much to read when probing for data beyond the size fstat reported. */
const PROBE_SIZE = 64 * 1024;

const readAsync = promisify(read);

/**
 * Reads up to this size are made synchronously. Metadata calls and small
 * reads through libuv's thread pool cost ~80 us each against ~10 us for the
 * plain syscall, and a tree of many small files is dominated by that cost;
 * larger reads stay asynchronous so the event loop keeps uploading meanwhile.
 */
const SYNC_READ_LIMIT = 256 * 1024;

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
// Linux only; elsewhere the constant is undefined and reading updates atime.
const O_NOATIME: number = constants.O_NOATIME ?? 0;

/** Options for {@link openSourceFile}. */
export interface OpenSourceFileOptions {
  readonly signal?: AbortSignal;
  /** Receives `SOURCE_CHANGED` when the file changed between lstat and open. */
  readonly onWarning?: (warning: Warning) => void;
}

/** Options for {@link SourceFile.blocks}. */
export interface ReadBlocksOptions {
  /** Bytes per block; every block but the last has exactly this length. Default 8 MiB. */
  readonly blockSize?: number;
  /** Allocates each block's buffer; default `Buffer.allocUnsafe`. Must return a fresh buffer each time. */
  readonly allocate?: (size: number) => Buffer;
  readonly signal?: AbortSignal;
}

/** What {@link SourceFile.finish} learned after the last block. */
export interface FinishResult {
  /**
   * True when size, mtime or ctime differ from what fstat said just after
   * opening, or the bytes read differ from the final size: the file was
   * written to while it was read, and the content saved may be torn. The
   * caller reports this as a `SOURCE_CHANGED` warning.
   */
  readonly changed: boolean;
  /** Metadata from fstat after the read, to store with the content. */
  readonly metadata: EntryMetadata;
  readonly bytesRead: number;
}

/** A recoverable reason a file could not be opened; the caller reports it and moves on. */
export interface OpenProblem {
  readonly problem: Warning;
}

/**
 * A regular file opened for a backup. Use: iterate {@link blocks} once, call
 * {@link finish}, and {@link close} in a `finally`.
 */
export class SourceFile {
  readonly path: Buffer;
  /** Metadata from fstat just after opening: the file actually being read. */
  readonly metadata: EntryMetadata;
  /** True when the file differed from the metadata seen while walking. */
  readonly changedBeforeOpen: boolean;
  readonly #fd: number;
  #position = 0;
  #started = false;
  #reachedEnd = false;
  #closed = false;

  constructor(path: Buffer, fd: number, metadata: EntryMetadata, changedBeforeOpen: boolean) {
    this.path = path;
    this.#fd = fd;
    this.metadata = metadata;
    this.changedBeforeOpen = changedBeforeOpen;
  }

  /**
   * The file's content from the start to end of file, in freshly allocated
   * buffers that the consumer may keep. Reads past the size seen at open if
   * the file grew. Can be iterated once. A read error is thrown as a
   * CofferError with code `SOURCE_UNREADABLE`.
   */
  async *blocks(options: ReadBlocksOptions = {}): AsyncGenerator<Buffer, void, undefined> {
    const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
    if (!Number.isSafeInteger(blockSize) || blockSize < 1) throw new RangeError(`invalid block size ${blockSize}`);
    if (this.#started) throw new Error('SourceFile.blocks() can be iterated only once');
    this.#started = true;
    const allocate = options.allocate ?? Buffer.allocUnsafe;
    let pastExpectedEnd = false;
    for (;;) {
      throwIfAborted(options.signal);
      const remaining = this.metadata.size - this.#position;
      let size: number;
      // One byte past the expected end: a short read then proves end of file without a probe read.
      if (remaining > 0) size = Math.min(blockSize, remaining + 1);
      else size = pastExpectedEnd ? blockSize : Math.min(blockSize, PROBE_SIZE);
      const allocated = allocate(size);
      if (allocated.length < size) throw new RangeError(`allocate(${size}) returned ${allocated.length} bytes`);
      const block = allocated.length === size ? allocated : allocated.subarray(0, size);
      const filled = await this.#fill(block);
      if (filled === 0) break;
      this.#position += filled;
      if (remaining <= 0) pastExpectedEnd = true;
      if (filled === size) yield block;
      // A short block: copy it when the rest would waste much memory held by the consumer.
      else yield filled < size / 2 ? Buffer.from(block.subarray(0, filled)) : block.subarray(0, filled);
      if (filled < size) break;
    }
    this.#reachedEnd = true;
  }

  /** Reads until `buffer` is full or end of file; returns the bytes read. */
  async #fill(buffer: Buffer): Promise<number> {
    let filled = 0;
    while (filled < buffer.length) {
      let bytesRead: number;
      try {
        const length = buffer.length - filled;
        const position = this.#position + filled;
        bytesRead = length <= SYNC_READ_LIMIT
          ? readSync(this.#fd, buffer, filled, length, position)
          : (await readAsync(this.#fd, buffer, filled, length, position)).bytesRead;
      } catch (error) {
        const shown = displayPath(this.path);
        throw new CofferError('SOURCE_UNREADABLE', `${shown}: read failed: ${describe(error)}`, { cause: error });
      }
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled;
  }

  /** Stats the open file again and tells whether it changed while it was read. */
  async finish(signal?: AbortSignal): Promise<FinishResult> {
    throwIfAborted(signal);
    const metadata = metadataFromStats(fstatSync(this.#fd, { bigint: true }));
    const before = this.metadata;
    const changed =
      metadata.size !== before.size ||
      metadata.mtimeNs !== before.mtimeNs ||
      metadata.ctimeNs !== before.ctimeNs ||
      (this.#reachedEnd && this.#position !== metadata.size);
    return { changed, metadata, bytesRead: this.#position };
  }

  /** Closes the file; safe to call more than once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }
}

/**
 * Opens a regular file found while walking, without following a symlink
 * that replaced it, without blocking if it was replaced by a FIFO, and
 * without updating its access time where the system allows (O_NOATIME,
 * silently dropped when refused). `expected` is the metadata from the walk:
 * if size, mtime or inode differ after opening, `onWarning` receives
 * `SOURCE_CHANGED` and the file's current metadata is used.
 *
 * A file that vanished, cannot be read, or is no longer a regular file gives
 * `{problem}` instead of throwing; other errors (EMFILE...) are thrown.
 */
export async function openSourceFile(
  path: Buffer,
  expected: EntryMetadata,
  options: OpenSourceFileOptions = {},
): Promise<SourceFile | OpenProblem> {
  throwIfAborted(options.signal);
  const shown = displayPath(path);
  let fd: number;
  try {
    fd = openNoAtime(path, expected);
  } catch (error) {
    const warning = sourceWarning(error, path);
    if (warning) return { problem: warning };
    if ((error as { code?: unknown }).code === 'ENXIO') return { problem: notRegular(shown) };
    throw error;
  }
  try {
    const metadata = metadataFromStats(fstatSync(fd, { bigint: true }));
    if (metadata.type !== 'file') {
      closeSync(fd);
      return { problem: notRegular(shown) };
    }
    const changed =
      metadata.size !== expected.size || metadata.mtimeNs !== expected.mtimeNs || metadata.inode !== expected.inode;
    if (changed) {
      options.onWarning?.({ code: 'SOURCE_CHANGED', message: `${shown}: changed between listing and opening`, path: shown });
    }
    return new SourceFile(path, fd, metadata, changed);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** True for the `{problem}` result of {@link openSourceFile}. */
export function isOpenProblem(result: SourceFile | OpenProblem): result is OpenProblem {
  return !(result instanceof SourceFile);
}

function notRegular(shown: string): Warning {
  return { code: 'SOURCE_CHANGED', message: `${shown}: no longer a regular file`, path: shown };
}

// Asked once: geteuid is a syscall, and this runs for every file.
const EUID = process.geteuid?.();

function openNoAtime(path: Buffer, expected: EntryMetadata): number {
  // O_NOATIME is only permitted to the owner (or with CAP_FOWNER); skip the doomed attempt.
  const euid = EUID;
  if (O_NOATIME === 0 || (euid !== 0 && euid !== expected.uid)) return openSync(path, OPEN_FLAGS);
  try {
    return openSync(path, OPEN_FLAGS | O_NOATIME);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EPERM') throw error;
    return openSync(path, OPEN_FLAGS);
  }
}
