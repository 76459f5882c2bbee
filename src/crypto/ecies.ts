/**
 * Per-object keys by an ephemeral X25519 exchange with the read public key
 * (docs/format.md "Packs", "Snapshots"): writers can seal, only holders of
 * the read private key can open.
 */
import { diffieHellman, generateKeyPairSync } from 'node:crypto';
import { IntegrityError } from '../errors.js';
import { hkdf } from './derive.js';
import { privateKeyObject, publicKeyObject, rawPublicKey } from './keys.js';

export interface SealingKeys {
  /** E: the ephemeral public key stored in the object. */
  readonly ephemeralPublic: Buffer;
  /** One key per requested HKDF info label, in order. */
  readonly keys: Buffer[];
}

function objectKeys(shared: Buffer, ephemeralPublic: Uint8Array, readPublic: Uint8Array, infos: readonly string[]): Buffer[] {
  // An all-zero shared secret means a low-order point: refuse it (RFC 7748 §6.1).
  if (shared.every((b) => b === 0)) throw new IntegrityError('x25519 exchange produced an all-zero secret');
  const salt = Buffer.concat([ephemeralPublic, readPublic]);
  return infos.map((info) => hkdf(shared, salt, info));
}

/** Fresh ephemeral key pair and the object keys derived from it, for writing. */
export function sealingKeys(readPublic: Uint8Array, infos: readonly string[]): SealingKeys {
  const ephemeral = generateKeyPairSync('x25519');
  const ephemeralPublic = rawPublicKey(ephemeral.publicKey);
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: publicKeyObject('x25519', readPublic) });
  return { ephemeralPublic, keys: objectKeys(shared, ephemeralPublic, readPublic, infos) };
}

/** The object keys for reading, from the read private key and the stored E. */
export function openingKeys(
  readPrivate: Uint8Array, readPublic: Uint8Array, ephemeralPublic: Uint8Array, infos: readonly string[],
): Buffer[] {
  const shared = diffieHellman({
    privateKey: privateKeyObject('x25519', readPrivate),
    publicKey: publicKeyObject('x25519', ephemeralPublic),
  });
  return objectKeys(shared, ephemeralPublic, readPublic, infos);
}
