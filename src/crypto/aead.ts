/**
 * AES-256-GCM with counter nonces (docs/format.md "Conventions": nonce(c) =
 * u64(c) || 0x00000000). Each key is used for one object only, so counters
 * never repeat under a key.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { IntegrityError } from '../errors.js';

export const TAG_LENGTH = 16;
export const KEY_LENGTH = 32;
export const NONCE_LENGTH = 12;

/** The 12-byte nonce for counter `counter`. */
export function counterNonce(counter: number): Buffer {
  const nonce = Buffer.alloc(NONCE_LENGTH);
  nonce.writeBigUInt64LE(BigInt(counter), 0);
  return nonce;
}

/**
 * Encrypts `plaintext` (given as parts, concatenated without copying them
 * first) and returns ciphertext || tag.
 */
export function seal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array | readonly Uint8Array[]): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_LENGTH });
  cipher.setAAD(aad);
  const parts = Array.isArray(plaintext) ? plaintext : [plaintext as Uint8Array];
  const out: Buffer[] = parts.map((p) => cipher.update(p));
  out.push(cipher.final(), cipher.getAuthTag());
  return Buffer.concat(out);
}

/**
 * Like {@link seal}, writing ciphertext || tag into `target` at `offset`
 * instead of a new buffer (a pack is built in one allocation); returns the
 * number of bytes written.
 */
export function sealInto(
  key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: readonly Uint8Array[], target: Buffer, offset: number,
): number {
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_LENGTH });
  cipher.setAAD(aad);
  let at = offset;
  for (const part of plaintext) at += cipher.update(part).copy(target, at);
  at += cipher.final().copy(target, at);
  at += cipher.getAuthTag().copy(target, at);
  return at - offset;
}

/**
 * Decrypts ciphertext || tag. Throws IntegrityError naming `what` if the
 * tag does not verify (wrong key, or any bit changed).
 */
export function open(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array, what: string): Buffer {
  if (sealed.length < TAG_LENGTH) throw new IntegrityError(`${what}: sealed data shorter than its tag`);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_LENGTH });
  decipher.setAAD(aad);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
  try {
    const head = decipher.update(sealed.subarray(0, sealed.length - TAG_LENGTH));
    const tail = decipher.final();
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  } catch (cause) {
    throw new IntegrityError(`${what}: authentication failed`, { cause });
  }
}
