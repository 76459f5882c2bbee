/**
 * The `signed(label, body, pub, sig)` structure (docs/format.md
 * "Conventions"): u32(len(body)) || body || pub(32) || sig(64). This module
 * handles the layout only; the caller verifies `sig` over
 * `signatureMessage(label, body)` and decides whether `pub` is trusted.
 */
import { Buffer } from 'node:buffer';
import { FormatError } from '../errors.js';
import { ByteReader } from './byte-reader.js';

/** Signature labels, one per signed object type. */
export const SignatureLabel = {
  config: 'coffer/v1/sig/config',
  index: 'coffer/v1/sig/index',
  snapshot: 'coffer/v1/sig/snapshot',
  signers: 'coffer/v1/sig/signers',
  forgotten: 'coffer/v1/sig/forgotten',
  gcPlan: 'coffer/v1/sig/plan',
  tombstone: 'coffer/v1/sig/tombstone',
} as const;
export type SignatureLabel = (typeof SignatureLabel)[keyof typeof SignatureLabel];

/** Ed25519 public key length. */
export const PUBLIC_KEY_LENGTH = 32;
/** Ed25519 signature length. */
export const SIGNATURE_LENGTH = 64;

/** A decoded `signed` structure; the fields are views into the input. */
export interface Signed {
  readonly body: Buffer;
  readonly publicKey: Buffer;
  readonly signature: Buffer;
}

/** The message that is signed: label || 0x00 || body. */
export function signatureMessage(label: SignatureLabel, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(label, 'ascii'), Buffer.of(0), body]);
}

/** u32(len(body)) || body || publicKey || signature. */
export function encodeSigned(body: Uint8Array, publicKey: Uint8Array, signature: Uint8Array): Buffer {
  if (publicKey.length !== PUBLIC_KEY_LENGTH) throw new FormatError(`signed: public key must be 32 bytes, not ${publicKey.length}`);
  if (signature.length !== SIGNATURE_LENGTH) throw new FormatError(`signed: signature must be 64 bytes, not ${signature.length}`);
  if (body.length > 0xffffffff) throw new RangeError(`signed: body of ${body.length} bytes is too long`);
  const out = Buffer.allocUnsafe(4 + body.length + PUBLIC_KEY_LENGTH + SIGNATURE_LENGTH);
  out.writeUInt32LE(body.length, 0);
  out.set(body, 4);
  out.set(publicKey, 4 + body.length);
  out.set(signature, 4 + body.length + PUBLIC_KEY_LENGTH);
  return out;
}

/** Splits a `signed` structure, which must have exactly its stated length. */
export function decodeSigned(bytes: Uint8Array): Signed {
  const reader = new ByteReader(bytes, 'signed');
  const length = reader.u32('body length');
  const body = reader.take(length, 'body');
  const publicKey = reader.take(PUBLIC_KEY_LENGTH, 'public key');
  const signature = reader.take(SIGNATURE_LENGTH, 'signature');
  reader.end();
  return { body, publicKey, signature };
}
