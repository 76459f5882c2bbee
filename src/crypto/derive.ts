/**
 * Key derivation (docs/format.md "Secrets and roles", "Packs", "Index objects").
 * Every label here is part of format v1; changing one breaks every repository.
 */
import { createHmac, hkdfSync } from 'node:crypto';

/** HKDF-SHA-256 (RFC 5869), extract and expand. */
export function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string, length = 32): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from(info, 'ascii'), length));
}

export const LABELS = {
  idKey: 'coffer/v1/id-key',
  chunkerSeed: 'coffer/v1/chunker-seed',
  indexKey: 'coffer/v1/index-key',
  packBlob: 'coffer/v1/pack/blob',
  packTrailer: 'coffer/v1/pack/trailer',
  index: 'coffer/v1/index',
  snapshot: 'coffer/v1/snapshot',
  signers: 'coffer/v1/signers',
  forgotten: 'coffer/v1/forgotten',
  keyFile: 'coffer/v1/key',
  gear: 'coffer/v1/gear',
} as const;

/** The keys a dedup domain's writer root yields. */
export interface DomainKeys {
  /** HMAC key for blob ids. */
  readonly idKey: Buffer;
  /** Secret that keys the chunker's gear table. */
  readonly chunkerSeed: Buffer;
  /** Root of the per-object keys of index objects. */
  readonly indexKey: Buffer;
}

export function deriveDomainKeys(writerRoot: Uint8Array, repositoryId: Uint8Array): DomainKeys {
  return {
    idKey: hkdf(writerRoot, repositoryId, LABELS.idKey),
    chunkerSeed: hkdf(writerRoot, repositoryId, LABELS.chunkerSeed),
    indexKey: hkdf(writerRoot, repositoryId, LABELS.indexKey),
  };
}

/** gear[i] = first 4 bytes (LE) of HMAC(seed, "coffer/v1/gear" || u8(i)). */
export function deriveGearTable(chunkerSeed: Uint8Array): Uint32Array {
  const gear = new Uint32Array(256);
  const label = Buffer.from(LABELS.gear, 'ascii');
  for (let i = 0; i < 256; i++) {
    gear[i] = createHmac('sha256', chunkerSeed).update(label).update(Buffer.of(i)).digest().readUInt32LE(0);
  }
  return gear;
}
