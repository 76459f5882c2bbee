/**
 * Test helpers for the repository layer: a repository on a memory backend
 * with a cheap KDF ({@link testRepository}), the stored-object mutations the
 * negative tests apply, and a check that an operation fails with a coded
 * error ({@link rejectsWith}).
 *
 * ```ts
 * const { repository, backend } = await testRepository();
 * await assert.rejects(() => OpenedPack.open(id, 'data', flipBit(bytes, 300), keys), errorWith('INTEGRITY'));
 * ```
 */
import assert from 'node:assert/strict';
import { MemoryBackend } from '../backend/memory.js';
import type { Codec } from '../codec/index.js';
import { blobIdOf, randomBytes, sha256, type ScryptParams } from '../crypto/index.js';
import { CofferError } from '../errors.js';
import { Compression, type BlobType, type ChunkerParams } from '../format/index.js';
import { initRepository } from './init.js';
import { makeDomain, type Domain, type Keyring } from './keyring.js';
import type { PackableBlob } from './pack-builder.js';
import type { PackReadKeys } from './pack-reader.js';
import type { Repository } from './repository.js';

/** scrypt at the writer's lower bound: about 16 MiB and a few milliseconds, through the real code path. */
export const CHEAP_KDF: ScryptParams = { N: 16384, r: 8, p: 1 };

/** A fixed time for objects created in tests (2026-11-22T10:24:38.123456789Z). */
export const TEST_NOW = 1_795_343_078_123_456_789n;

export const TEST_PASSPHRASE = 'correct horse battery staple';

/** Small chunks, so tests need little data to span several blobs. */
export const TEST_CHUNKER: ChunkerParams = { algorithm: 'fastcdc-v1', min: 1024, avg: 4096, max: 16384 };

export interface TestRepository {
  readonly backend: MemoryBackend;
  readonly repository: Repository;
  readonly keyId: string;
  readonly passphrase: string;
}

/** A new repository on a MemoryBackend, created by `initRepository` with {@link CHEAP_KDF}. */
export async function testRepository(
  options: { passphrase?: string; packSize?: number; chunker?: ChunkerParams; backend?: MemoryBackend } = {},
): Promise<TestRepository> {
  const backend = options.backend ?? new MemoryBackend();
  const passphrase = options.passphrase ?? TEST_PASSPHRASE;
  const { repository, keyId } = await initRepository(backend, {
    passphrase, keyName: 'test', now: TEST_NOW, kdf: CHEAP_KDF, chunker: options.chunker ?? TEST_CHUNKER,
    packSize: options.packSize,
  });
  return { backend, repository, keyId, passphrase };
}

/** The keys to open packs sealed to `keyring`. */
export function packReadKeysOf(keyring: Keyring, limits: { maxBlobSize?: number; packSize?: number } = {}): PackReadKeys {
  assert.ok(keyring.readPrivateKey, 'packReadKeysOf needs a full keyring');
  return {
    readPublicKey: keyring.readPublicKey,
    readPrivateKey: keyring.readPrivateKey,
    idKeys: keyring.domains.map((d) => d.keys.idKey),
    maxBlobSize: limits.maxBlobSize ?? 8 * 1024 * 1024,
    packSize: limits.packSize ?? 16 * 1024 * 1024,
  };
}

/** A dedup domain with a random writer root, standing for another repository's or a foreign writer's. */
export function randomDomain(id = 'default'): Domain {
  return makeDomain(id, randomBytes(32), randomBytes(32));
}

/** A blob ready for buildPack: compressed when that pays (docs/format.md "Blobs"), with its id under `idKey`. */
export function packableBlob(codec: Codec, idKey: Buffer, type: BlobType, plaintext: Buffer): PackableBlob {
  const compressed = codec.compressIfWorthwhile(plaintext);
  return {
    id: blobIdOf(idKey, type, plaintext),
    type,
    compression: compressed ? Compression.zstd : Compression.none,
    stored: compressed ?? plaintext,
    rawLength: plaintext.length,
  };
}

/** A copy of `bytes` with bit `bit` (0 = lowest bit of byte 0) inverted. */
export function flipBit(bytes: Uint8Array, bit: number): Buffer {
  const out = Buffer.from(bytes);
  const index = Math.floor(bit / 8);
  assert.ok(index < out.length, `flipBit: bit ${bit} is past the end`);
  out[index] = (out[index] as number) ^ (1 << (bit % 8));
  return out;
}

/** The name (SHA-256, hex) of stored bytes: what a mutated object would be called. */
export function nameOf(bytes: Uint8Array): string {
  return sha256(bytes).toString('hex');
}

/**
 * An assert.throws/rejects validator: a CofferError with `code` whose message
 * contains `message` (when given). Anything else (a TypeError, a RangeError
 * from a decoder that trusted a length) fails with a description of it.
 */
export function errorWith(code: string, message?: string): (error: unknown) => true {
  return (error: unknown) => {
    assert.ok(error instanceof CofferError, `expected a CofferError ${code}, got ${String(error)}`);
    assert.equal(error.code, code, `expected ${code}, got ${error.code}: ${error.message}`);
    if (message !== undefined) assert.ok(error.message.includes(message), `message "${error.message}" lacks "${message}"`);
    return true;
  };
}

/** Same as {@link errorWith}, for async functions. */
export async function rejectsWith(fn: () => Promise<unknown>, code: string, message?: string): Promise<void> {
  await assert.rejects(fn, errorWith(code, message));
}
