/** Content hashes and blob ids (docs/format.md "Layout in storage", "Blobs"). */
import { createHash, createHmac } from 'node:crypto';

/** SHA-256 of `data`: the name of every stored object except `config`. */
export function sha256(data: Uint8Array | readonly Uint8Array[]): Buffer {
  const hash = createHash('sha256');
  if (Array.isArray(data)) for (const part of data) hash.update(part);
  else hash.update(data as Uint8Array);
  return hash.digest();
}

/**
 * Blob id = HMAC(idKey, u8(type) || plaintext). The type byte keeps data and
 * tree blobs from ever sharing an id; the key keeps storage from confirming
 * a guessed plaintext.
 */
export function blobIdOf(idKey: Uint8Array, type: number, plaintext: Uint8Array): Buffer {
  return createHmac('sha256', idKey).update(Buffer.of(type)).update(plaintext).digest();
}
