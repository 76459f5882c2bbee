/**
 * Objects that are signed but not encrypted, after the header: config, gc
 * plans and tombstones (docs/format.md): header || signed(label, body, pub, sig).
 * Verifying the signature, and whether `pub` is trusted, is the caller's.
 */
import { Buffer } from 'node:buffer';
import { decodeHeader, encodeHeader, HEADER_LENGTH, type ObjectType } from './header.js';
import { decodeSigned, encodeSigned, type Signed } from './signed.js';

export function encodeSignedObject(type: ObjectType, body: Uint8Array, publicKey: Uint8Array, signature: Uint8Array): Buffer {
  return Buffer.concat([encodeHeader(type), encodeSigned(body, publicKey, signature)]);
}

/** Checks the header (the type of the place the object was found in) and splits the signed structure. */
export function decodeSignedObject(bytes: Uint8Array, type: ObjectType): Signed {
  decodeHeader(bytes, type);
  return decodeSigned(bytes.subarray(HEADER_LENGTH));
}
