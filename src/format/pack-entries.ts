/**
 * The checks docs/format.md ("Packs") requires of a pack's entries, shared by
 * the pack trailer reader and the index reader (which applies those that do
 * not need the pack itself).
 */
import { FormatError } from '../errors.js';
import { BlobType, SEAL_TAG_LENGTH, type BlobEntry } from './entry.js';
import { HEADER_LENGTH, ObjectType } from './header.js';
import { shortId } from './ids.js';
import { padme } from './padme.js';

/** The two kinds of pack. */
export type PackType = 'data' | 'tree';

/** header(6) || ephemeralPublic(32): where the first sealed blob may start. */
export const PACK_PREFIX_LENGTH = HEADER_LENGTH + 32;

/** The header object type of a pack of `packType`. */
export function packObjectType(packType: PackType): typeof ObjectType.dataPack | typeof ObjectType.treePack {
  return packType === 'data' ? ObjectType.dataPack : ObjectType.treePack;
}

/** The blob type every entry of a pack of `packType` has. */
export function packBlobType(packType: PackType): BlobType {
  return packType === 'data' ? BlobType.data : BlobType.tree;
}

/** What the entries of one pack are checked against. */
export interface PackLimits {
  readonly packType: PackType;
  /** The configuration's maxBlobSize. */
  readonly maxBlobSize: number;
  /** Where the sealed trailer starts (from splitPack). Index objects do not record it: omit it there. */
  readonly trailerStart?: number;
  /** The pack's length and the configuration's packSize: when both are given, a longer pack must hold one blob. */
  readonly packLength?: number;
  readonly packSize?: number;
}

/**
 * Throws a FormatError unless: every entry's blob type matches the pack type;
 * sealed blobs start at or after offset 38, end at or before the trailer (when
 * known) and do not overlap; sealed length = PADME(stored length) + 16;
 * counters are distinct; stored length = raw length when uncompressed; raw
 * length <= maxBlobSize; and the pack is within packSize unless it holds a
 * single blob (when its length is given).
 */
export function validatePackEntries(entries: readonly BlobEntry[], limits: PackLimits): void {
  const blobType = packBlobType(limits.packType);
  const end = limits.trailerStart ?? Number.POSITIVE_INFINITY;
  const counters = new Set<number>();
  entries.forEach((e, i) => {
    const fail = (problem: string): never => {
      throw new FormatError(`${limits.packType} pack: entry ${i} (blob ${shortId(e.id)}): ${problem}`);
    };
    if (e.type !== blobType) fail(`blob type ${e.type} in a ${limits.packType} pack`);
    if (e.sealedLength !== padme(e.storedLength) + SEAL_TAG_LENGTH) {
      fail(`sealed length ${e.sealedLength} does not follow from stored length ${e.storedLength}`);
    }
    if (e.offset < PACK_PREFIX_LENGTH || e.offset + e.sealedLength > end) {
      fail(`sealed blob at ${e.offset}+${e.sealedLength} lies outside the pack's blob area`);
    }
    if (e.compression === 0 && e.storedLength !== e.rawLength) {
      fail(`uncompressed but stored length ${e.storedLength} differs from raw length ${e.rawLength}`);
    }
    if (e.rawLength > limits.maxBlobSize) fail(`raw length ${e.rawLength} exceeds maxBlobSize ${limits.maxBlobSize}`);
    if (counters.has(e.counter)) fail(`counter ${e.counter} is used twice`);
    counters.add(e.counter);
  });
  checkNoOverlap(entries, limits.packType);
  const { packLength, packSize } = limits;
  if (packLength !== undefined && packSize !== undefined && packLength > packSize && entries.length > 1) {
    throw new FormatError(
      `${limits.packType} pack: ${packLength} bytes exceeds packSize ${packSize} but holds ${entries.length} blobs`,
    );
  }
}

function checkNoOverlap(entries: readonly BlobEntry[], packType: PackType): void {
  const byOffset = entries.slice().sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < byOffset.length; i++) {
    const previous = byOffset[i - 1] as BlobEntry;
    const current = byOffset[i] as BlobEntry;
    if (previous.offset + previous.sealedLength > current.offset) {
      throw new FormatError(
        `${packType} pack: blobs ${shortId(previous.id)} and ${shortId(current.id)} overlap at offset ${current.offset}`,
      );
    }
  }
}
