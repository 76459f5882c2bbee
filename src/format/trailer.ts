/**
 * The body of a pack trailer (docs/format.md "Packs"): u32(k) || k entries.
 * The trailer itself is SEAL(trailerKey, nonce(0), header || E,
 * padded(body)); sealing and padding are the caller's.
 */
import { Buffer } from 'node:buffer';
import { FormatError } from '../errors.js';
import { ByteReader } from './byte-reader.js';
import { dataView, ENTRY_LENGTH, readEntry, writeEntry, type BlobEntry } from './entry.js';
import { validatePackEntries, type PackLimits } from './pack-entries.js';

/** u32(k) || entry_0 || ... || entry_{k-1}. */
export function encodeTrailerBody(entries: readonly BlobEntry[]): Buffer {
  const out = Buffer.allocUnsafe(4 + entries.length * ENTRY_LENGTH);
  const view = dataView(out);
  view.setUint32(0, entries.length, true);
  entries.forEach((entry, i) => writeEntry(entry, out, view, 4 + i * ENTRY_LENGTH));
  return out;
}

/**
 * The entries of a trailer body, after every check validatePackEntries makes
 * (`trailerStart` is required here: a pack trailer always knows it).
 */
export function decodeTrailerBody(bytes: Uint8Array, limits: PackLimits & { readonly trailerStart: number }): BlobEntry[] {
  const reader = new ByteReader(bytes, 'pack trailer');
  const count = reader.count('entry', ENTRY_LENGTH);
  if (reader.remaining !== count * ENTRY_LENGTH) {
    throw new FormatError(`pack trailer: ${count} entries need ${count * ENTRY_LENGTH} bytes, found ${reader.remaining}`);
  }
  const entries = new Array<BlobEntry>(count);
  const view = dataView(reader.bytes);
  for (let i = 0; i < count; i++) entries[i] = readEntry(reader.bytes, view, 4 + i * ENTRY_LENGTH);
  validatePackEntries(entries, limits);
  return entries;
}
