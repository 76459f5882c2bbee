/**
 * Ids (docs/format.md "Conventions"): 32 bytes, written in names and JSON as
 * 64 lowercase hex digits. Each kind is a branded string, so a blob id cannot
 * be passed where a pack id is expected.
 */
import { Buffer } from 'node:buffer';
import { FormatError } from '../errors.js';

type Brand<B extends string> = string & { readonly __brand: B };

/** A blob's id: HMAC(IDkey, u8(type) || plaintext). */
export type BlobId = Brand<'BlobId'>;
/** A pack's id: SHA256 of its stored bytes. */
export type PackId = Brand<'PackId'>;
/** An index object's id: SHA256 of its stored bytes. */
export type IndexId = Brand<'IndexId'>;
/** A snapshot's id: SHA256 of its stored bytes. */
export type SnapshotId = Brand<'SnapshotId'>;
/** A key file's id: SHA256 of its bytes. */
export type KeyId = Brand<'KeyId'>;
/** A signer set's id: SHA256 of its stored bytes. */
export type SignerSetId = Brand<'SignerSetId'>;
/** The repository id (random, fixed at `init`). */
export type RepositoryId = Brand<'RepositoryId'>;

/** The id type of each kind. */
export interface IdKinds {
  blob: BlobId;
  pack: PackId;
  index: IndexId;
  snapshot: SnapshotId;
  key: KeyId;
  signers: SignerSetId;
  repository: RepositoryId;
}
export type IdKind = keyof IdKinds;

/** Length of an id in bytes. */
export const ID_LENGTH = 32;

const HEX_ID = /^[0-9a-f]{64}$/;
const KIND_NAMES: Record<IdKind, string> = {
  blob: 'blob', pack: 'pack', index: 'index', snapshot: 'snapshot', key: 'key', signers: 'signer set',
  repository: 'repository',
};

/** Whether `value` is 64 lowercase hex digits. */
export function isHexId(value: unknown): value is string {
  return typeof value === 'string' && HEX_ID.test(value);
}

/** `value` as an id of `kind`; throws a FormatError unless it is 64 lowercase hex digits. */
export function parseHexId<K extends IdKind>(kind: K, value: string): IdKinds[K] {
  if (!HEX_ID.test(value)) {
    const shown = value.length > 20 ? `${value.slice(0, 20)}...` : value;
    throw new FormatError(`invalid ${KIND_NAMES[kind]} id ${JSON.stringify(shown)}`);
  }
  return value as IdKinds[K];
}

/** The first 8 hex digits, for messages only. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** The 32 raw bytes of a hex id. */
export function idToBytes(id: string): Buffer {
  if (!HEX_ID.test(id)) throw new FormatError(`invalid id ${JSON.stringify(shortId(id))}`);
  return Buffer.from(id, 'hex');
}

/** 32 raw bytes as an id of `kind`. */
export function bytesToId<K extends IdKind>(kind: K, bytes: Uint8Array): IdKinds[K] {
  if (bytes.length !== ID_LENGTH) {
    throw new FormatError(`${KIND_NAMES[kind]} id must be ${ID_LENGTH} bytes, not ${bytes.length}`);
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex') as IdKinds[K];
}
