/**
 * The signed payload of an index object (docs/format.md "Index objects"):
 *
 *   u32(s) || s x supersededIndexId(32)
 *   || u32(m) || m x ( packId(32) || u8(packType) || u32(k) || k x entry(54) )
 *
 * packType is the pack's object type (0x02 data, 0x03 tree). Decoding is
 * linear in the payload and never allocates more than the payload can hold.
 */
import { Buffer } from 'node:buffer';
import { FormatError } from '../errors.js';
import { ByteReader } from './byte-reader.js';
import { dataView, ENTRY_LENGTH, readEntry, writeEntry, type BlobEntry } from './entry.js';
import { ObjectType } from './header.js';
import { idToBytes, isHexId, shortId, type IndexId, type PackId } from './ids.js';
import { packBlobType, packObjectType, type PackType } from './pack-entries.js';

/** One pack an index object lists, with the entries of its blobs. */
export interface IndexPack {
  readonly id: PackId;
  readonly type: PackType;
  readonly entries: readonly BlobEntry[];
}

/** What an index object says. */
export interface IndexPayload {
  /** Index objects this one replaces (empty in backups). */
  readonly superseded: readonly IndexId[];
  readonly packs: readonly IndexPack[];
}

const PACK_HEAD_LENGTH = 32 + 1 + 4;

/** Encodes `payload`; throws a FormatError for ids or entries the decoder would refuse. */
export function encodeIndexPayload(payload: IndexPayload): Buffer {
  checkUnique(payload.superseded, 'superseded index');
  checkUnique(payload.packs.map((p) => p.id), 'pack');
  let size = 4 + payload.superseded.length * 32 + 4;
  for (const pack of payload.packs) size += PACK_HEAD_LENGTH + pack.entries.length * ENTRY_LENGTH;
  const out = Buffer.allocUnsafe(size);
  const view = dataView(out);
  let pos = out.writeUInt32LE(payload.superseded.length, 0);
  for (const id of payload.superseded) pos += idToBytes(id).copy(out, pos);
  pos = out.writeUInt32LE(payload.packs.length, pos);
  for (const pack of payload.packs) {
    pos += idToBytes(pack.id).copy(out, pos);
    out[pos++] = packObjectType(pack.type);
    pos = out.writeUInt32LE(pack.entries.length, pos);
    const blobType = packBlobType(pack.type);
    for (const entry of pack.entries) {
      if (entry.type !== blobType) {
        throw new FormatError(`index: pack ${shortId(pack.id)}: blob ${shortId(entry.id)} of type ${entry.type} in a ${pack.type} pack`);
      }
      writeEntry(entry, out, view, pos);
      pos += ENTRY_LENGTH;
    }
  }
  return out;
}

/**
 * Decodes an index payload: counts are checked against the bytes left, no
 * bytes may trail, pack types are known, pack and superseded ids are unique,
 * and every entry's blob type matches its pack's type. The caller applies
 * validatePackEntries (without trailerStart) per pack.
 */
export function decodeIndexPayload(bytes: Uint8Array): IndexPayload {
  const reader = new ByteReader(bytes, 'index');
  const supersededCount = reader.count('superseded index', 32);
  const superseded = new Array<IndexId>(supersededCount);
  for (let i = 0; i < supersededCount; i++) superseded[i] = reader.hex32('superseded index id') as IndexId;
  checkUnique(superseded, 'superseded index');
  const packCount = reader.count('pack', PACK_HEAD_LENGTH);
  const packs = new Array<IndexPack>(packCount);
  const packIds = new Set<string>();
  const view = dataView(reader.bytes);
  for (let p = 0; p < packCount; p++) {
    const id = reader.hex32('pack id') as PackId;
    if (packIds.has(id)) throw new FormatError(`index: pack ${shortId(id)} is listed twice`);
    packIds.add(id);
    const type = decodePackType(reader.u8('pack type'), id);
    const blobType = packBlobType(type);
    const entryCount = reader.count('entry', ENTRY_LENGTH);
    const entries = new Array<BlobEntry>(entryCount);
    // reader.count checked that all entryCount entries are there.
    for (let i = 0; i < entryCount; i++) {
      const entry = readEntry(reader.bytes, view, reader.pos);
      if (entry.type !== blobType) {
        throw new FormatError(`index: pack ${shortId(id)}: blob ${shortId(entry.id)} of type ${entry.type} in a ${type} pack`);
      }
      entries[i] = entry;
      reader.pos += ENTRY_LENGTH;
    }
    packs[p] = { id, type, entries };
  }
  reader.end();
  return { superseded, packs };
}

function decodePackType(byte: number, id: string): PackType {
  if (byte === ObjectType.dataPack) return 'data';
  if (byte === ObjectType.treePack) return 'tree';
  throw new FormatError(`index: pack ${shortId(id)}: unknown pack type ${byte}`);
}

function checkUnique(ids: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (!isHexId(id)) throw new FormatError(`index: invalid ${what} id ${JSON.stringify(shortId(String(id)))}`);
    if (seen.has(id)) throw new FormatError(`index: ${what} ${shortId(id)} is listed twice`);
    seen.add(id);
  }
}
