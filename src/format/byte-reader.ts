/**
 * Bounds-checked reading of binary structures. Every read checks the length
 * first and fails with a FormatError naming the structure and the field, so
 * no decoder reads past its input or allocates from an unchecked count.
 * Internal to format/.
 */
import { Buffer } from 'node:buffer';
import { FormatError } from '../errors.js';

/** `bytes` as a Buffer over the same memory (no copy). */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Throws a FormatError unless `value` is an integer in [0, 2^32). */
export function checkU32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new FormatError(`${what} ${String(value)} does not fit in 32 bits`);
  }
}

/** A cursor over `bytes`; `what` names the structure in error messages. */
export class ByteReader {
  readonly bytes: Buffer;
  pos: number;

  constructor(bytes: Uint8Array, readonly what: string, pos = 0) {
    this.bytes = asBuffer(bytes);
    this.pos = pos;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** Throws unless `n` more bytes are available for `field`. */
  need(n: number, field: string): void {
    if (n > this.remaining) {
      throw new FormatError(`${this.what}: truncated at ${field} (needs ${n} bytes, ${this.remaining} left)`);
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.bytes[this.pos++] as number;
  }

  u32(field: string): number {
    this.need(4, field);
    const value = this.bytes.readUInt32LE(this.pos);
    this.pos += 4;
    return value;
  }

  /** The next `n` bytes, as a view (no copy). */
  take(n: number, field: string): Buffer {
    this.need(n, field);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** The next 32 bytes as 64 lowercase hex digits. */
  hex32(field: string): string {
    this.need(32, field);
    const out = this.bytes.toString('hex', this.pos, this.pos + 32);
    this.pos += 32;
    return out;
  }

  /**
   * A u32 count of items of at least `minItemSize` bytes each, checked against
   * the bytes left, so a hostile count cannot make the caller allocate or loop.
   */
  count(field: string, minItemSize: number): number {
    const n = this.u32(`${field} count`);
    if (n * minItemSize > this.remaining) {
      throw new FormatError(`${this.what}: ${field} count ${n} exceeds the ${this.remaining} bytes left`);
    }
    return n;
  }

  /** Throws if bytes are left over. */
  end(): void {
    const n = this.remaining;
    if (n !== 0) throw new FormatError(`${this.what}: ${n} trailing byte${n === 1 ? '' : 's'}`);
  }
}
