/**
 * Keyed FastCDC cut points, exactly as frozen in repository format v1:
 * a gear hash `h = (h << 1) + gear[byte]` (mod 2^32) that restarts at 0 for
 * every chunk, skips the chunk's first `min` bytes, and cuts after the first
 * byte where `h & mask == 0`. The mask covers the TOP bits of `h`, because
 * they depend on the most (up to 32) preceding bytes: `log2(avg) + 2` bits
 * before the normal size `avg` (cuts are rare), `log2(avg) - 2` bits after it
 * (cuts are common), and a cut is forced at `max`.
 *
 * The gear table is keyed (derived from a repository secret elsewhere), so
 * chunk boundaries do not reveal content fingerprints to the storage.
 */
import { type ChunkerParams, validateChunkerParams } from './params.js';

/**
 * Parameters, masks and gear table in the form the hot loop wants. Masks and
 * gear are held as int32 so the loop stays in 32-bit integer arithmetic; the
 * bits are the same as the unsigned values of the spec.
 *
 * @internal shared by {@link findCutPoint}, {@link chunkBuffer} and the Chunker.
 */
export interface Cutter {
  readonly min: number;
  readonly avg: number;
  readonly max: number;
  readonly maskS: number;
  readonly maskL: number;
  readonly gear: Int32Array;
}

/** The hash carried between calls when one chunk's bytes arrive in pieces. */
export interface GearState {
  h: number;
}

/** `k` high bits set, as an unsigned 32-bit value (0 <= k <= 32). */
export function topBits(k: number): number {
  return k === 0 ? 0 : (~0 << (32 - k)) >>> 0;
}

/**
 * Validates `params` and `gear` and precomputes the masks.
 *
 * @internal
 * @throws RangeError for bad parameters or a gear table that is not 256 entries.
 */
export function createCutter(params: ChunkerParams, gear: Uint32Array): Cutter {
  validateChunkerParams(params);
  if (!(gear instanceof Uint32Array) || gear.length !== 256) {
    throw new RangeError('chunker gear table must be a Uint32Array of 256 entries');
  }
  const bits = Math.log2(params.avg);
  return {
    min: params.min,
    avg: params.avg,
    max: params.max,
    maskS: topBits(bits + 2) | 0,
    maskL: topBits(bits - 2) | 0,
    // A copy: the table cannot change under a chunker half-way through a stream.
    gear: new Int32Array(gear),
  };
}

/**
 * The hot loop. Hashes `buf[from..to)`; indices below `normal` are tested
 * with maskS, the rest with maskL. Returns the index just past the byte whose
 * hash matched (the cut), or -1 with `state.h` updated so a later call can
 * continue the same chunk.
 *
 * @internal
 */
export function scanGear(
  buf: Uint8Array,
  from: number,
  normal: number,
  to: number,
  cutter: Cutter,
  state: GearState,
): number {
  const mid = normal < to ? normal : to;
  if (from < mid) {
    const r = scanRange(buf, from, mid, cutter.maskS, cutter.gear, state);
    if (r >= 0) return r;
    from = mid;
  }
  return scanRange(buf, from, to, cutter.maskL, cutter.gear, state);
}

/**
 * One mask over `buf[i..to)`. Unrolled by hand: V8 does not unroll loops, and
 * eight bytes per bounds check and branch back is about 1.5x faster here.
 */
function scanRange(
  buf: Uint8Array,
  i: number,
  to: number,
  mask: number,
  gear: Int32Array,
  state: GearState,
): number {
  let h = state.h;
  const last8 = to - 8;
  while (i <= last8) {
    h = ((h << 1) + gear[buf[i]!]!) | 0;
    if ((h & mask) === 0) return i + 1;
    h = ((h << 1) + gear[buf[i + 1]!]!) | 0;
    if ((h & mask) === 0) return i + 2;
    h = ((h << 1) + gear[buf[i + 2]!]!) | 0;
    if ((h & mask) === 0) return i + 3;
    h = ((h << 1) + gear[buf[i + 3]!]!) | 0;
    if ((h & mask) === 0) return i + 4;
    h = ((h << 1) + gear[buf[i + 4]!]!) | 0;
    if ((h & mask) === 0) return i + 5;
    h = ((h << 1) + gear[buf[i + 5]!]!) | 0;
    if ((h & mask) === 0) return i + 6;
    h = ((h << 1) + gear[buf[i + 6]!]!) | 0;
    if ((h & mask) === 0) return i + 7;
    h = ((h << 1) + gear[buf[i + 7]!]!) | 0;
    if ((h & mask) === 0) return i + 8;
    i += 8;
  }
  while (i < to) {
    h = ((h << 1) + gear[buf[i]!]!) | 0;
    i++;
    if ((h & mask) === 0) return i;
  }
  state.h = h;
  return -1;
}

/**
 * Length of the chunk that starts at `buf[start]`, given the `n` bytes that
 * are available for it. `n` must be min(bytes remaining in the stream, max):
 * with fewer bytes the answer is only final if it is below `n`.
 */
export function cutPoint(buf: Uint8Array, start: number, n: number, cutter: Cutter): number {
  if (n <= cutter.min) return n;
  const r = scanGear(buf, start + cutter.min, start + cutter.avg, start + n, cutter, { h: 0 });
  return r < 0 ? n : r - start;
}

/**
 * Finds the FastCDC cut point of the chunk starting at `buf[start]`.
 *
 * @param n - bytes available for the chunk: min(bytes remaining in the stream, params.max).
 * @returns the chunk's length, between 1 and `n` (or `n` itself when `n <= params.min`).
 * @throws RangeError for bad parameters, a bad gear table, or a range outside `buf`.
 */
export function findCutPoint(
  buf: Uint8Array,
  start: number,
  n: number,
  gear: Uint32Array,
  params: ChunkerParams,
): number {
  const cutter = createCutter(params, gear);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(n) || start < 0 || n < 0
    || start + n > buf.length || n > params.max) {
    throw new RangeError(`chunker range ${start}+${n} is outside the buffer or above max`);
  }
  return cutPoint(buf, start, n, cutter);
}

/**
 * Splits a whole buffer into chunks and returns their lengths in order; they
 * sum to `data.length`. An empty buffer has no chunks.
 */
export function chunkBuffer(data: Uint8Array, gear: Uint32Array, params: ChunkerParams): number[] {
  const cutter = createCutter(params, gear);
  const lengths: number[] = [];
  for (let pos = 0; pos < data.length;) {
    const remaining = data.length - pos;
    const len = cutPoint(data, pos, remaining < cutter.max ? remaining : cutter.max, cutter);
    lengths.push(len);
    pos += len;
  }
  return lengths;
}
