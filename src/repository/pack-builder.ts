/**
 * Builds a pack from compressed blobs (docs/format.md "Packs"): fresh
 * ephemeral key per pack, blobs in random order, each padded to PADME and
 * sealed with its position as nonce, then the sealed, padded trailer.
 */
import { randomInt } from 'node:crypto';
import { counterNonce, LABELS, seal, sealInto, sealingKeys, sha256, TAG_LENGTH } from '../crypto/index.js';
import {
  bytesToId, encodePackStart, encodePadded, encodeTrailerBody, ENTRY_LENGTH, HEADER_LENGTH, PACK_PREFIX_LENGTH,
  padme, type BlobEntry, type BlobType, type Compression, type PackId, type PackType,
} from '../format/index.js';

/** A blob ready to be packed: `stored` is its compressed (or raw) form. */
export interface PackableBlob {
  readonly id: Buffer;
  readonly type: BlobType;
  readonly compression: Compression;
  readonly stored: Buffer;
  readonly rawLength: number;
}

export interface BuiltPack {
  readonly id: PackId;
  readonly type: PackType;
  readonly bytes: Buffer;
  readonly entries: BlobEntry[];
}

const zeros = Buffer.alloc(64 * 1024);

function padding(length: number): Buffer {
  return length <= zeros.length ? zeros.subarray(0, length) : Buffer.alloc(length);
}

/** Fisher-Yates with a CSPRNG: blob order in a pack must not reveal file order. */
function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function buildPack(type: PackType, blobs: readonly PackableBlob[], readPublicKey: Buffer): BuiltPack {
  const { ephemeralPublic, keys } = sealingKeys(readPublicKey, [LABELS.packBlob, LABELS.packTrailer]);
  const [blobKey, trailerKey] = keys as [Buffer, Buffer];
  const start = encodePackStart(type, ephemeralPublic);
  const header = start.subarray(0, HEADER_LENGTH);
  // The whole pack is one allocation, sealed into in place: building it needs no second copy.
  const blobsLength = blobs.reduce((n, blob) => n + padme(blob.stored.length) + TAG_LENGTH, 0);
  const trailerLength = padme(8 + ENTRY_LENGTH * blobs.length) + TAG_LENGTH; // padded(u32 count || entries)
  const bytes = Buffer.allocUnsafeSlow(PACK_PREFIX_LENGTH + blobsLength + trailerLength + 4);
  start.copy(bytes, 0);
  const entries: BlobEntry[] = [];
  let offset = PACK_PREFIX_LENGTH;
  shuffled(blobs).forEach((blob, counter) => {
    const id = bytesToId('blob', blob.id);
    const aad = Buffer.concat([header, Buffer.of(blob.type), blob.id]);
    const padded = padme(blob.stored.length);
    const sealedLength = sealInto(blobKey, counterNonce(counter), aad, [blob.stored, padding(padded - blob.stored.length)], bytes, offset);
    entries.push({
      id, type: blob.type, compression: blob.compression, offset, sealedLength,
      storedLength: blob.stored.length, rawLength: blob.rawLength, counter,
    });
    offset += sealedLength;
  });
  const trailer = seal(trailerKey, counterNonce(0), start, encodePadded(encodeTrailerBody(entries)));
  if (trailer.length !== trailerLength) throw new Error(`pack trailer is ${trailer.length} bytes, expected ${trailerLength}`);
  offset += trailer.copy(bytes, offset);
  bytes.writeUInt32LE(trailer.length, offset);
  return { id: bytesToId('pack', sha256(bytes)), type, bytes, entries };
}
