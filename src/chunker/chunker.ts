/**
 * Streaming FastCDC: the same boundaries as {@link chunkBuffer} on the whole
 * stream, however the stream is split into pushes.
 */
import { type Cutter, type GearState, createCutter, scanGear } from './fastcdc.js';
import type { ChunkerParams } from './params.js';

/**
 * Bytes of an unfinished chunk are held in blocks of at least this size, so
 * many tiny pushes do not make many tiny blocks. Blocks also grow with the
 * chunk (each at least as large as what is already held), so a chunk built
 * from many pushes needs only a few allocations.
 */
const HOLD_BLOCK = 64 * 1024;

/**
 * Cuts a byte stream into content-defined chunks.
 *
 * Each chunk is a new Buffer of exactly its length that owns its whole
 * ArrayBuffer (not pooled), so it can be transferred to a worker thread.
 * Bytes are copied once into their chunk; only the bytes of a chunk that is
 * still unfinished when a push ends are also copied into the chunker, since
 * the caller may reuse its buffer after `push` returns.
 *
 * ```ts
 * const chunker = new Chunker(params, gear);
 * for await (const data of stream) for (const chunk of chunker.push(data)) use(chunk);
 * for (const chunk of chunker.end()) use(chunk);
 * ```
 */
export class Chunker {
  readonly #cutter: Cutter;
  /** Hash of the unfinished chunk through its last held byte (0 until `min` is passed). */
  readonly #state: GearState = { h: 0 };
  /** The unfinished chunk's bytes; all but the last block are full. */
  #blocks: Uint8Array[] = [];
  #lastUsed = 0;
  #held = 0;

  /** @throws RangeError for bad parameters or a gear table that is not 256 entries. */
  constructor(params: ChunkerParams, gear: Uint32Array) {
    this.#cutter = createCutter(params, gear);
  }

  /**
   * Feeds the next bytes of the stream and returns the chunks they complete,
   * in order. `data` is not retained.
   */
  push(data: Uint8Array): Buffer<ArrayBuffer>[] {
    const cutter = this.#cutter;
    const { min, avg, max } = cutter;
    const out: Buffer<ArrayBuffer>[] = [];
    const len = data.length;
    let pos = 0;
    while (pos < len) {
      const held = this.#held;
      const avail = held + (len - pos);
      const n = avail < max ? avail : max;
      let cut = -1;
      if (n > min) {
        // Chunk position p lives at data[base + p]. Every held byte past `min`
        // has been hashed already, so hashing resumes at a position >= held,
        // which is always inside `data`.
        const base = pos - held;
        const from = held > min ? held : min;
        const r = scanGear(data, base + from, base + avg, base + n, cutter, this.#state);
        if (r >= 0) cut = r - base;
      }
      if (cut < 0) {
        if (n < max) {
          // No cut yet and fewer than max bytes: the chunk may go on.
          this.#hold(data.subarray(pos));
          return out;
        }
        cut = max;
      }
      out.push(this.#emit(data, pos, cut - held));
      pos += cut - held;
    }
    return out;
  }

  /**
   * Ends the stream: returns its last chunk (whatever remains, possibly
   * shorter than min), or nothing if no bytes are pending. The chunker is then
   * ready for a new stream.
   */
  end(): Buffer<ArrayBuffer>[] {
    return this.#held > 0 ? [this.#emit(new Uint8Array(0), 0, 0)] : [];
  }

  /** Held bytes followed by `data[pos..pos+fromData)` as one new chunk; resets the state. */
  #emit(data: Uint8Array, pos: number, fromData: number): Buffer<ArrayBuffer> {
    const chunk = Buffer.allocUnsafeSlow(this.#held + fromData);
    let off = 0;
    const last = this.#blocks.length - 1;
    for (let b = 0; b <= last; b++) {
      const block = this.#blocks[b]!;
      const used = b === last ? this.#lastUsed : block.length;
      chunk.set(used === block.length ? block : block.subarray(0, used), off);
      off += used;
    }
    chunk.set(data.subarray(pos, pos + fromData), off);
    this.#blocks = [];
    this.#lastUsed = 0;
    this.#held = 0;
    this.#state.h = 0;
    return chunk;
  }

  /** Copies `src` to the end of the unfinished chunk (which stays below max). */
  #hold(src: Uint8Array): void {
    let off = 0;
    const last = this.#blocks[this.#blocks.length - 1];
    if (last !== undefined && this.#lastUsed < last.length) {
      off = Math.min(last.length - this.#lastUsed, src.length);
      last.set(src.subarray(0, off), this.#lastUsed);
      this.#lastUsed += off;
    }
    const rest = src.length - off;
    if (rest > 0) {
      const room = this.#cutter.max - this.#held - off;
      const block = Buffer.allocUnsafe(Math.min(Math.max(rest, HOLD_BLOCK, this.#held), room));
      block.set(src.subarray(off), 0);
      this.#blocks.push(block);
      this.#lastUsed = rest;
    }
    this.#held += src.length;
  }
}
