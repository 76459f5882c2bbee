/**
 * PADME padding and the `padded(body)` structure (docs/format.md
 * "Conventions"). Padded lengths reveal only the top bits of a length.
 */
import { Buffer } from 'node:buffer';
import { FormatError } from '../errors.js';
import { ByteReader } from './byte-reader.js';

/** floor(log2 n) for an integer n >= 1, exact up to 2^53 (Math.log2 rounds near powers of two). */
function floorLog2(n: number): number {
  if (n < 2 ** 32) return 31 - Math.clz32(n);
  return 32 + floorLog2(Math.floor(n / 2 ** 32));
}

/**
 * PADME(L): for L < 2, L; otherwise E = floor(log2 L), S = floor(log2 E) + 1,
 * z = E - S, and L rounded up to a multiple of 2^z. Defined for safe integers
 * (the spec's `(L + m) & ~m` is written with arithmetic, as JavaScript's
 * bitwise operators stop at 32 bits).
 */
export function padme(length: number): number {
  if (!Number.isSafeInteger(length) || length < 0) throw new RangeError(`padme: invalid length ${length}`);
  if (length < 2) return length;
  const e = floorLog2(length);
  const s = floorLog2(e) + 1;
  const unit = 2 ** (e - s);
  return Math.ceil(length / unit) * unit;
}

/** `padded(body)`: u32(len(body)) || body || zeros, of total length PADME(4 + len(body)). */
export function encodePadded(body: Uint8Array): Buffer {
  if (body.length > 0xffffffff - 4) throw new RangeError(`padded: body of ${body.length} bytes is too long`);
  const out = Buffer.alloc(padme(4 + body.length));
  out.writeUInt32LE(body.length, 0);
  out.set(body, 4);
  return out;
}

/**
 * The body of a `padded` structure, as a view into `bytes`. Checks
 * `4 + len <= total`, that the total is exactly PADME(4 + len) (so a cut
 * structure is never accepted) and that the padding is all zero.
 */
export function decodePadded(bytes: Uint8Array): Buffer {
  const reader = new ByteReader(bytes, 'padded');
  const length = reader.u32('length');
  const body = reader.take(length, 'body');
  const total = reader.bytes.length;
  if (total !== padme(4 + length)) {
    throw new FormatError(`padded: total length ${total} is not PADME(${4 + length}) = ${padme(4 + length)}`);
  }
  for (let i = reader.pos; i < total; i++) {
    if (reader.bytes[i] !== 0) throw new FormatError(`padded: nonzero padding byte at offset ${i}`);
  }
  return body;
}
