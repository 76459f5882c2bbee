/** Ed25519 signatures over `label || 0x00 || body` (docs/format.md "Conventions"). */
import { sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { privateKeyObject, publicKeyObject } from './keys.js';

function message(label: string, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(label, 'ascii'), Buffer.of(0), body]);
}

export function signBody(privateSeed: Uint8Array, label: string, body: Uint8Array): Buffer {
  return nodeSign(null, message(label, body), privateKeyObject('ed25519', privateSeed));
}

/** True if `signature` is `publicKey`'s signature of `label || 0 || body`. */
export function verifyBody(publicKey: Uint8Array, label: string, body: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  try {
    return nodeVerify(null, message(label, body), publicKeyObject('ed25519', publicKey), signature);
  } catch {
    return false;
  }
}
