/**
 * The 54-byte blob entry shared by pack trailers and index objects
 * (docs/format.md "Packs"). Decoding checks only what a single entry's bytes
 * can tell (enumerated fields); `validatePackEntries` checks the rest.
 */
import { Buffer } from 'node:buffer';
import { FormatError } from '../errors.js';
import { asBuffer, checkU32 } from './byte-reader.js';
import { isHexId, type BlobId } from './ids.js';

/** Blob types: byte 32 of an entry, and the type mixed into a blob id. */
export const BlobType = { data: 0, tree: 1 } as const;
export type BlobType = (typeof BlobType)[keyof typeof BlobType];

/** Compression of a stored blob: byte 33 of an entry. */
export const Compression = { none: 0, zstd: 1 } as const;
export type Compression = (typeof Compression)[keyof typeof Compression];

/** Length of an encoded entry. */
export const ENTRY_LENGTH = 54;
/** Length of the tag SEAL appends (docs/format.md "Conventions"). */
export const SEAL_TAG_LENGTH = 16;

/** Where a blob lies in its pack and how to open it. */
export interface BlobEntry {
  readonly id: BlobId;
  readonly type: BlobType;
  readonly compression: Compression;
  /** Offset of the sealed blob in the pack. */
  readonly offset: number;
  /** PADME(storedLength) + 16. */
  readonly sealedLength: number;
  /** Length before padding. */
  readonly storedLength: number;
  /** Length after decompression (the plaintext length). */
  readonly rawLength: number;
  /** j, the blob's position in the pack and its nonce counter. */
  readonly counter: number;
}

/** Writes `entry` into `target` at `pos` (54 bytes). */
export function encodeEntry(entry: BlobEntry, target: Buffer, pos: number): void {
  if (!Number.isInteger(pos) || pos < 0 || pos + ENTRY_LENGTH > target.length) throw new RangeError('entry: target too short');
  writeEntry(entry, target, dataView(target), pos);
}

/** encodeEntry for loops over many entries, sharing one DataView; the caller checks the bounds. */
export function writeEntry(entry: BlobEntry, target: Buffer, view: DataView, pos: number): void {
  if (!isHexId(entry.id)) throw new FormatError(`entry: invalid blob id ${JSON.stringify(String(entry.id).slice(0, 8))}`);
  if (entry.type !== 0 && entry.type !== 1) throw new FormatError(`entry: unknown blob type ${String(entry.type)}`);
  if (entry.compression !== 0 && entry.compression !== 1) {
    throw new FormatError(`entry: unknown compression ${String(entry.compression)}`);
  }
  checkU32(entry.offset, 'entry: offset');
  checkU32(entry.sealedLength, 'entry: sealed length');
  checkU32(entry.storedLength, 'entry: stored length');
  checkU32(entry.rawLength, 'entry: raw length');
  checkU32(entry.counter, 'entry: counter');
  target.write(entry.id, pos, 32, 'hex');
  target[pos + 32] = entry.type;
  target[pos + 33] = entry.compression;
  view.setUint32(pos + 34, entry.offset, true);
  view.setUint32(pos + 38, entry.sealedLength, true);
  view.setUint32(pos + 42, entry.storedLength, true);
  view.setUint32(pos + 46, entry.rawLength, true);
  view.setUint32(pos + 50, entry.counter, true);
}

/** Reads the entry at `pos` of `bytes`. */
export function decodeEntry(input: Uint8Array, pos: number): BlobEntry {
  const bytes = asBuffer(input);
  if (!Number.isInteger(pos) || pos < 0 || pos + ENTRY_LENGTH > bytes.length) {
    throw new FormatError(`entry: truncated (needs ${ENTRY_LENGTH} bytes at offset ${pos} of ${bytes.length})`);
  }
  return readEntry(bytes, dataView(bytes), pos);
}

/** A DataView over `bytes`, for readEntry. */
export function dataView(bytes: Buffer): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * decodeEntry for loops over many entries, which check the bounds once and
 * share one DataView (reading through it is several times faster than
 * Buffer.readUInt32LE). The caller guarantees pos + 54 <= bytes.length.
 */
export function readEntry(bytes: Buffer, view: DataView, pos: number): BlobEntry {
  const type = bytes[pos + 32];
  if (type !== 0 && type !== 1) throw new FormatError(`entry: unknown blob type ${String(type)}`);
  const compression = bytes[pos + 33];
  if (compression !== 0 && compression !== 1) throw new FormatError(`entry: unknown compression ${String(compression)}`);
  return {
    id: bytes.toString('hex', pos, pos + 32) as BlobId,
    type,
    compression,
    offset: view.getUint32(pos + 34, true),
    sealedLength: view.getUint32(pos + 38, true),
    storedLength: view.getUint32(pos + 42, true),
    rawLength: view.getUint32(pos + 46, true),
    counter: view.getUint32(pos + 50, true),
  };
}
