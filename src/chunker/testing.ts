/**
 * Test helpers for the chunker: the deterministic inputs and the gear
 * derivation that testdata/chunker-vectors.json specifies. Only tests import
 * this file; it is the one place in chunker/ that may use node:crypto.
 */
import { createHmac } from 'node:crypto';

/**
 * `length` bytes of xorshift32 output: per step `x ^= x << 13; x ^= x >>> 17;
 * x ^= x << 5` (32-bit), each new state written as 4 bytes little-endian.
 */
export function xorshift32Bytes(seed: number, length: number): Buffer {
  if (!Number.isInteger(seed) || seed <= 0 || seed > 0xffffffff) {
    throw new RangeError(`xorshift32 seed must be a nonzero uint32, got ${seed}`);
  }
  const out = Buffer.alloc(length);
  let x = seed >>> 0;
  for (let i = 0; i < length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
    if (i + 1 < length) out[i + 1] = (x >>> 8) & 0xff;
    if (i + 2 < length) out[i + 2] = (x >>> 16) & 0xff;
    if (i + 3 < length) out[i + 3] = x >>> 24;
  }
  return out;
}

/**
 * The format v1 gear table for a 32-byte seed: entry i is the first 4 bytes,
 * little-endian, of HMAC-SHA256(key = seed, "coffer/v1/gear" || byte i).
 */
export function deriveGear(seed: Uint8Array): Uint32Array {
  if (seed.length !== 32) throw new RangeError(`gear seed must be 32 bytes, got ${seed.length}`);
  const label = Buffer.from('coffer/v1/gear', 'ascii');
  const gear = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    const mac = createHmac('sha256', seed).update(label).update(Uint8Array.of(i)).digest();
    gear[i] = mac.readUInt32LE(0);
  }
  return gear;
}

/** A gear table from a short label, for tests that only need "some keyed table". */
export function gearFor(label: string): Uint32Array {
  return deriveGear(Buffer.from(label.padEnd(32, '.').slice(0, 32), 'ascii'));
}

/**
 * The cut point algorithm of format v1, transcribed line by line from the
 * spec with no optimisation, to check the fast implementation against.
 */
export function referenceCutPoint(
  buf: Uint8Array,
  start: number,
  n: number,
  gear: Uint32Array,
  params: { min: number; avg: number; max: number },
): number {
  const bits = Math.log2(params.avg);
  const top = (k: number): number => (k === 0 ? 0 : (0xffffffff << (32 - k)) >>> 0);
  const maskS = top(bits + 2);
  const maskL = top(bits - 2);
  if (n <= params.min) return n;
  let h = 0;
  let i = params.min;
  const normal = Math.min(params.avg, n);
  while (i < normal) {
    h = ((h << 1) + gear[buf[start + i]!]!) >>> 0;
    i++;
    if (((h & maskS) >>> 0) === 0) return i;
  }
  while (i < n) {
    h = ((h << 1) + gear[buf[start + i]!]!) >>> 0;
    i++;
    if (((h & maskL) >>> 0) === 0) return i;
  }
  return n;
}

/** Chunk lengths of a whole buffer by {@link referenceCutPoint}. */
export function referenceChunkLengths(
  data: Uint8Array,
  gear: Uint32Array,
  params: { min: number; avg: number; max: number },
): number[] {
  const lengths: number[] = [];
  for (let pos = 0; pos < data.length;) {
    const len = referenceCutPoint(data, pos, Math.min(data.length - pos, params.max), gear, params);
    lengths.push(len);
    pos += len;
  }
  return lengths;
}
