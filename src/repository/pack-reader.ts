/**
 * Opens a whole pack (docs/format.md "Packs"): checks its name, decrypts and
 * validates its trailer, and opens blobs on demand, recomputing each blob id.
 */
import { blobIdOf, counterNonce, LABELS, open, openingKeys, sha256 } from '../crypto/index.js';
import { IntegrityError } from '../errors.js';
import {
  decodePadded, decodeTrailerBody, idToBytes, PACK_PREFIX_LENGTH, shortId, splitPack, type BlobEntry, type PackType,
} from '../format/index.js';
import type { Codec } from '../codec/index.js';

/** What opening blobs needs from the keyring and configuration. */
export interface PackReadKeys {
  readonly readPublicKey: Buffer;
  readonly readPrivateKey: Buffer;
  /** ID keys of the domains this reader holds; a blob's id must match one of them. */
  readonly idKeys: readonly Buffer[];
  readonly maxBlobSize: number;
  readonly packSize: number;
}

/** Bytes that do not hash to their object's name: damaged in storage or on the way (load-verified.ts loads again). */
export class NameMismatchError extends IntegrityError {}

/** Checks that `bytes` hash to `name`'s id; every object is self-verifying. */
export function verifyObjectName(what: string, id: string, bytes: Uint8Array): void {
  if (sha256(bytes).toString('hex') !== id) {
    throw new NameMismatchError(`${what} ${shortId(id)}: content does not match its name (damaged or replaced)`);
  }
}

export class OpenedPack {
  private readonly byId: Map<string, BlobEntry>;

  private constructor(
    readonly id: string,
    readonly type: PackType,
    private readonly bytes: Buffer,
    readonly entries: readonly BlobEntry[],
    private readonly blobKey: Buffer,
    private readonly header: Buffer,
    private readonly keys: PackReadKeys,
  ) {
    this.byId = new Map(entries.map((e) => [e.id, e]));
  }

  /** The trailer entry of a blob in this pack. */
  entry(id: string): BlobEntry | undefined {
    return this.byId.get(id);
  }

  static open(id: string, type: PackType, bytes: Buffer, keys: PackReadKeys): OpenedPack {
    verifyObjectName(`${type} pack`, id, bytes);
    const parts = splitPack(bytes, type);
    const [blobKey, trailerKey] = openingKeys(
      keys.readPrivateKey, keys.readPublicKey, parts.ephemeralPublic, [LABELS.packBlob, LABELS.packTrailer],
    ) as [Buffer, Buffer];
    const prefix = bytes.subarray(0, PACK_PREFIX_LENGTH);
    const trailer = decodePadded(open(trailerKey, counterNonce(0), prefix, parts.sealedTrailer, `${type} pack ${shortId(id)} trailer`));
    const entries = decodeTrailerBody(trailer, {
      packType: type, maxBlobSize: keys.maxBlobSize, trailerStart: parts.trailerStart,
      packLength: bytes.length, packSize: keys.packSize,
    });
    return new OpenedPack(id, type, bytes, entries, blobKey, parts.header, keys);
  }

  /** The decrypted, decompressed and id-verified plaintext of one blob of this pack. */
  openBlob(entry: BlobEntry, codec: Codec): Buffer {
    const what = `blob ${shortId(entry.id)} in pack ${shortId(this.id)}`;
    const id = idToBytes(entry.id);
    const aad = Buffer.concat([this.header, Buffer.of(entry.type), id]);
    const sealed = this.bytes.subarray(entry.offset, entry.offset + entry.sealedLength);
    const padded = open(this.blobKey, counterNonce(entry.counter), aad, sealed, what);
    if (!padded.subarray(entry.storedLength).every((b) => b === 0)) throw new IntegrityError(`${what}: non-zero padding`);
    const stored = padded.subarray(0, entry.storedLength);
    const plain = entry.compression === 1 ? codec.decompress(stored, entry.rawLength) : stored;
    if (!this.keys.idKeys.some((key) => blobIdOf(key, entry.type, plain).equals(id))) {
      throw new IntegrityError(`${what}: content does not match the blob id`);
    }
    return plain;
  }
}
