/**
 * Raw 32-byte X25519 and Ed25519 keys (the form stored in key files,
 * docs/format.md "Key files") and their conversion to node:crypto KeyObjects.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { FormatError } from '../errors.js';

// DER prefixes of PKCS#8 private keys and SPKI public keys for the two curves
// (RFC 8410); appending the 32 raw bytes gives a complete DER structure.
const PKCS8_PREFIX = {
  x25519: Buffer.from('302e020100300506032b656e04220420', 'hex'),
  ed25519: Buffer.from('302e020100300506032b657004220420', 'hex'),
};
const SPKI_PREFIX = {
  x25519: Buffer.from('302a300506032b656e032100', 'hex'),
  ed25519: Buffer.from('302a300506032b6570032100', 'hex'),
};

export type Curve = 'x25519' | 'ed25519';

export interface RawKeyPair {
  readonly publicKey: Buffer;
  readonly privateKey: Buffer;
}

function checkLength(raw: Uint8Array, what: string): void {
  if (raw.length !== 32) throw new FormatError(`${what} must be 32 bytes, got ${raw.length}`);
}

/** A KeyObject for a raw 32-byte private key (X25519 scalar or Ed25519 seed). */
export function privateKeyObject(curve: Curve, raw: Uint8Array): KeyObject {
  checkLength(raw, `${curve} private key`);
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX[curve], raw]), format: 'der', type: 'pkcs8' });
}

/** A KeyObject for a raw 32-byte public key. */
export function publicKeyObject(curve: Curve, raw: Uint8Array): KeyObject {
  checkLength(raw, `${curve} public key`);
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX[curve], raw]), format: 'der', type: 'spki' });
}

/** The raw 32 bytes of a public KeyObject. */
export function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'spki' });
  return Buffer.from(der.subarray(der.length - 32));
}

/** The raw 32 bytes of a private KeyObject. */
export function rawPrivateKey(key: KeyObject): Buffer {
  const der = key.export({ format: 'der', type: 'pkcs8' });
  return Buffer.from(der.subarray(der.length - 32));
}

/** A fresh key pair, as raw bytes. */
export function generateRawKeyPair(curve: Curve): RawKeyPair {
  const pair = curve === 'x25519' ? generateKeyPairSync('x25519') : generateKeyPairSync('ed25519');
  return { publicKey: rawPublicKey(pair.publicKey), privateKey: rawPrivateKey(pair.privateKey) };
}

/** The public half of a raw private key. */
export function publicFromPrivate(curve: Curve, raw: Uint8Array): Buffer {
  return rawPublicKey(createPublicKey(privateKeyObject(curve, raw)));
}
