/**
 * Reads only the trailer of a pack (docs/format.md "Packs", "Garbage
 * collection"): the pack's first 38 bytes (header and E) and its end, in
 * windows of 64 KiB, so prune learns what a pack holds without downloading
 * it. The trailer is authenticated under the pack's key; the blobs are not
 * opened, so this proves which blobs the pack's writer listed, not that
 * their contents match their ids.
 */
import { counterNonce, LABELS, open, openingKeys } from '../crypto/index.js';
import { FormatError } from '../errors.js';
import {
  decodeHeader, decodePadded, decodeTrailerBody, packObjectType, PACK_PREFIX_LENGTH, shortId, type BlobEntry, type PackType,
} from '../format/index.js';
import type { Backend } from '../backend/backend.js';
import { packName } from './layout.js';
import type { PackReadKeys } from './pack-reader.js';

/** Reads are whole multiples of this, so storage sees only a rough trailer size (as it sees the pack size). */
export const TRAILER_WINDOW = 64 * 1024;

/** The authenticated trailer entries of pack `id` of `size` bytes (size 0: unknown, asked of storage). */
export async function readPackTrailer(
  backend: Backend, type: PackType, id: string, size: number, keys: PackReadKeys, signal?: AbortSignal,
): Promise<BlobEntry[]> {
  const name = packName(type, id);
  const length = size > 0 ? size : (await backend.stat(name, { signal })).size;
  const what = `${type} pack ${shortId(id)}`;
  if (length < PACK_PREFIX_LENGTH + 4) throw new FormatError(`${what}: truncated (${length} bytes)`);
  let tailStart = Math.max(0, length - TRAILER_WINDOW);
  let tail = await backend.load(name, { range: { offset: tailStart, length: length - tailStart }, signal });
  if (tail.length !== length - tailStart) throw new FormatError(`${what}: shorter than its listed size`);
  const trailerLength = tail.readUInt32LE(tail.length - 4);
  const trailerStart = length - 4 - trailerLength;
  if (trailerLength > length || trailerStart < PACK_PREFIX_LENGTH) {
    throw new FormatError(`${what}: invalid trailer length ${trailerLength} for a pack of ${length} bytes`);
  }
  if (trailerStart < tailStart) {
    tailStart = Math.max(0, length - Math.ceil((length - trailerStart) / TRAILER_WINDOW) * TRAILER_WINDOW);
    tail = await backend.load(name, { range: { offset: tailStart, length: length - tailStart }, signal });
  }
  const prefix = tailStart === 0 ? tail.subarray(0, PACK_PREFIX_LENGTH)
    : await backend.load(name, { range: { offset: 0, length: PACK_PREFIX_LENGTH }, signal });
  if (prefix.length !== PACK_PREFIX_LENGTH) throw new FormatError(`${what}: truncated prefix`);
  decodeHeader(prefix, packObjectType(type));
  const [trailerKey] = openingKeys(keys.readPrivateKey, keys.readPublicKey, prefix.subarray(6), [LABELS.packTrailer]);
  const sealed = tail.subarray(trailerStart - tailStart, tail.length - 4);
  const body = decodePadded(open(trailerKey!, counterNonce(0), prefix, sealed, `${what} trailer`));
  return decodeTrailerBody(body, {
    packType: type, maxBlobSize: keys.maxBlobSize, trailerStart, packLength: length, packSize: keys.packSize,
  });
}
