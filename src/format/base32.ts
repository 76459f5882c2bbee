/**
 * Crockford's Base32 (https://www.crockford.com/base32.html), for text that
 * people copy by hand (docs/format.md "Key export"): digits and uppercase
 * letters without I, L, O and U, so no two symbols look alike. Decoding
 * ignores case and reads O as 0 and I, L as 1, the usual misreadings.
 * Bits are taken most significant first; the last symbol is padded with
 * zero bits, and there are no padding characters.
 */
import { FormatError } from '../errors.js';

export const BASE32_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const VALUES = new Map<string, number>([...BASE32_ALPHABET].map((c, i) => [c, i]));
for (const [alias, value] of [['O', 0], ['I', 1], ['L', 1]] as const) VALUES.set(alias, value);

/** Bytes as Crockford Base32 symbols (uppercase, no separators). */
export function encodeBase32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += BASE32_ALPHABET[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** The canonical symbol for a typed character (case folded, O/I/L read as 0/1), or undefined. */
export function canonicalBase32Symbol(char: string): string | undefined {
  const value = VALUES.get(char.toUpperCase());
  return value === undefined ? undefined : BASE32_ALPHABET[value];
}

/**
 * Decodes symbols (already canonical or not; no separators). A length that
 * no byte string encodes to, or non-zero padding bits, is a FormatError.
 */
export function decodeBase32(text: string): Buffer {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const [i, char] of [...text].entries()) {
    const value = VALUES.get(char.toUpperCase());
    if (value === undefined) throw new FormatError(`base32: ${JSON.stringify(char)} at position ${i + 1} is not a base32 symbol`);
    buffer = (buffer << 5) | value;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
      buffer &= (1 << bits) - 1;
    }
  }
  if (bits >= 5 || buffer !== 0) throw new FormatError('base32: the text does not end on a whole byte');
  return Buffer.from(out);
}
