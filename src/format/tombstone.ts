/**
 * The body of a tombstone (docs/format.md "Garbage collection (prune)"):
 * u32(n) || n x packId(32), the packs prune has deleted or is deleting. The
 * object is header(0x08) || signed("coffer/v1/sig/tombstone", body, ownerPub, sig).
 */
import { Buffer } from 'node:buffer';
import { ByteReader } from './byte-reader.js';
import { checkUnique } from './gc-plan.js';
import { idToBytes, type PackId } from './ids.js';

export function encodeTombstoneBody(packs: readonly PackId[]): Buffer {
  checkUnique(packs, 'tombstoned pack');
  const out = Buffer.alloc(4 + packs.length * 32);
  let pos = out.writeUInt32LE(packs.length, 0);
  for (const id of packs) pos += idToBytes(id).copy(out, pos);
  return out;
}

export function decodeTombstoneBody(bytes: Uint8Array): PackId[] {
  const reader = new ByteReader(bytes, 'tombstone');
  const count = reader.count('pack', 32);
  const packs = new Array<PackId>(count);
  for (let i = 0; i < count; i++) packs[i] = reader.hex32('pack id') as PackId;
  checkUnique(packs, 'tombstoned pack');
  reader.end();
  return packs;
}
