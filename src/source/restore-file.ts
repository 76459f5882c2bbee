import { closeSync, ftruncateSync, writeSync } from 'node:fs';
import { FormatError, throwIfAborted } from '../errors.js';
import { isAllZero } from './is-all-zero.js';

/** A piece of a file's content at a byte offset. */
export interface FileBlock {
  readonly offset: number;
  readonly data: Uint8Array;
}

/** Bytes a {@link RestoreFile} wrote, and bytes it left as holes because they were zero. */
export interface RestoreFileStats {
  readonly bytesWritten: number;
  readonly holeBytes: number;
}

/**
 * A regular file being restored, freshly created and empty. Blocks may be
 * written in any order and concurrently (each is a positional write). A
 * block that is entirely zero is not written, leaving a hole, and
 * {@link finish} sets the final length, so the restored file is sparse
 * wherever the content is zero (including at its end).
 *
 * Writes are plain synchronous syscalls: a restore of many small files is
 * dominated by per-call cost, which through libuv's thread pool is several
 * times that of the syscall itself.
 */
export class RestoreFile {
  /** The length the file will have after {@link finish}. */
  readonly size: number;
  readonly #fd: number;
  readonly #shown: string;
  #bytesWritten = 0;
  #holeBytes = 0;
  #closed = false;

  constructor(fd: number, size: number, shownPath: string) {
    if (!Number.isSafeInteger(size) || size < 0) throw new FormatError(`${shownPath}: invalid file size ${size}`);
    this.#fd = fd;
    this.size = size;
    this.#shown = shownPath;
  }

  /**
   * Writes `data` at `offset`. A block reaching past the declared size is a
   * FormatError (a snapshot cannot make a file grow beyond what it claims).
   */
  async write(offset: number, data: Uint8Array, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + data.length > this.size) {
      throw new FormatError(`${this.#shown}: block at ${offset} of ${data.length} bytes is outside the file size ${this.size}`);
    }
    if (isAllZero(data)) {
      this.#holeBytes += data.length;
      return;
    }
    let done = 0;
    while (done < data.length) {
      done += writeSync(this.#fd, data, done, data.length - done, offset + done);
    }
    this.#bytesWritten += data.length;
  }

  /** Sets the file's length to {@link size} (creating any trailing hole) and closes it. */
  async finish(signal?: AbortSignal): Promise<RestoreFileStats> {
    throwIfAborted(signal);
    try {
      ftruncateSync(this.#fd, this.size);
    } finally {
      await this.close();
    }
    return { bytesWritten: this.#bytesWritten, holeBytes: this.#holeBytes };
  }

  /** Closes without setting the length (for error paths); safe to call more than once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    closeSync(this.#fd);
  }
}
