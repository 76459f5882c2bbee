/**
 * The outer layout of a pack (docs/format.md "Packs"):
 * header(6) || ephemeralPublic(32) || sealed blobs || sealedTrailer || u32(len(sealedTrailer)).
 */
import { Buffer } from 'node:buffer';
import { FormatError } from '../errors.js';
import { asBuffer } from './byte-reader.js';
import { SEAL_TAG_LENGTH } from './entry.js';
import { decodeHeader, encodeHeader, HEADER_LENGTH } from './header.js';
import { PACK_PREFIX_LENGTH, packObjectType, type PackType } from './pack-entries.js';
import { padme } from './padme.js';

/** The smallest sealed trailer: a padded empty entry list, plus the tag. */
const MIN_SEALED_TRAILER_LENGTH = padme(4 + 4) + SEAL_TAG_LENGTH;

/** The parts of a pack; all are views into the pack's bytes. */
export interface PackParts {
  /** The 6-byte header (part of the associated data of every seal in the pack). */
  readonly header: Buffer;
  /** E, the pack's ephemeral X25519 public key. */
  readonly ephemeralPublic: Buffer;
  readonly sealedTrailer: Buffer;
  /** Offset of the sealed trailer: sealed blobs end at or before it. */
  readonly trailerStart: number;
}

/** header || ephemeralPublic: the first 38 bytes of a pack. */
export function encodePackStart(packType: PackType, ephemeralPublic: Uint8Array): Buffer {
  if (ephemeralPublic.length !== 32) throw new FormatError(`pack: ephemeral public key must be 32 bytes, not ${ephemeralPublic.length}`);
  return Buffer.concat([encodeHeader(packObjectType(packType)), ephemeralPublic]);
}

/** sealedTrailer || u32(len(sealedTrailer)): the end of a pack. */
export function encodePackEnd(sealedTrailer: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(sealedTrailer.length + 4);
  out.set(sealedTrailer, 0);
  out.writeUInt32LE(sealedTrailer.length, sealedTrailer.length);
  return out;
}

/**
 * Splits a pack found in the `packType` folder, checking its header and that
 * the trailer length at its end leaves room for the 38-byte prefix.
 */
export function splitPack(bytes: Uint8Array, packType: PackType): PackParts {
  const pack = asBuffer(bytes);
  decodeHeader(pack, packObjectType(packType));
  if (pack.length < PACK_PREFIX_LENGTH + MIN_SEALED_TRAILER_LENGTH + 4) {
    throw new FormatError(`${packType} pack: truncated (${pack.length} bytes)`);
  }
  const trailerLength = pack.readUInt32LE(pack.length - 4);
  const trailerStart = pack.length - 4 - trailerLength;
  if (trailerLength < MIN_SEALED_TRAILER_LENGTH || trailerStart < PACK_PREFIX_LENGTH) {
    throw new FormatError(`${packType} pack: invalid trailer length ${trailerLength} for a pack of ${pack.length} bytes`);
  }
  return {
    header: pack.subarray(0, HEADER_LENGTH),
    ephemeralPublic: pack.subarray(HEADER_LENGTH, PACK_PREFIX_LENGTH),
    sealedTrailer: pack.subarray(trailerStart, pack.length - 4),
    trailerStart,
  };
}
