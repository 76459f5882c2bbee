/**
 * The outer layout of index objects, snapshots and signer sets
 * (docs/format.md "Index objects", "Snapshots and signer sets"):
 * header || prefix(32) || sealed, where the prefix is the index object's salt
 * or the ephemeral public key E, and both header and prefix are the
 * associated data of the seal.
 */
import { Buffer } from 'node:buffer';
import { FormatError } from '../errors.js';
import { asBuffer } from './byte-reader.js';
import { SEAL_TAG_LENGTH } from './entry.js';
import { decodeHeader, encodeHeader, HEADER_LENGTH, objectTypeName, ObjectType } from './header.js';

/** The object types with this layout. */
export type SealedObjectType =
  typeof ObjectType.index | typeof ObjectType.snapshot | typeof ObjectType.signers | typeof ObjectType.forgotten;

/** header(6) || prefix(32). */
export const SEALED_OBJECT_PREFIX_LENGTH = HEADER_LENGTH + 32;

/** The parts of a sealed object; all are views into its bytes. */
export interface SealedObjectParts {
  /** The 6-byte header. */
  readonly header: Buffer;
  /** The salt (index) or ephemeral public key E (snapshot, signer set). */
  readonly prefix: Buffer;
  /** SEAL(k, nonce(0), header || prefix, padded(signed(...))). */
  readonly sealed: Buffer;
}

/** header || prefix || sealed. */
export function encodeSealedObject(type: SealedObjectType, prefix: Uint8Array, sealed: Uint8Array): Buffer {
  if (prefix.length !== 32) throw new FormatError(`${objectTypeName(type)}: prefix must be 32 bytes, not ${prefix.length}`);
  return Buffer.concat([encodeHeader(type), prefix, sealed]);
}

/** Splits an object found where objects of `type` live, checking its header. */
export function splitSealedObject(bytes: Uint8Array, type: SealedObjectType): SealedObjectParts {
  const object = asBuffer(bytes);
  decodeHeader(object, type);
  if (object.length < SEALED_OBJECT_PREFIX_LENGTH + SEAL_TAG_LENGTH) {
    throw new FormatError(`${objectTypeName(type)}: truncated (${object.length} bytes)`);
  }
  return {
    header: object.subarray(0, HEADER_LENGTH),
    prefix: object.subarray(HEADER_LENGTH, SEALED_OBJECT_PREFIX_LENGTH),
    sealed: object.subarray(SEALED_OBJECT_PREFIX_LENGTH),
  };
}
