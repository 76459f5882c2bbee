/**
 * Key files (docs/format.md "Key files"): the repository secrets sealed under
 * a passphrase stretched by scrypt. Several key files can open one
 * repository; removing one revokes a passphrase, not the secrets it wraps.
 */
import { hostname as osHostname } from 'node:os';
import type { Backend } from '../backend/backend.js';
import { DEFAULT_SCRYPT, deriveWrappingKey, open, randomBytes, seal, sha256, type ScryptParams } from '../crypto/index.js';
import { describe, IntegrityError, KeyFileError, NoRepositoryError, UsageError, WrongPasswordError } from '../errors.js';
import {
  decodeKeyFile, decodeKeySecrets, encodeKeyFile, encodeKeySecrets, KEY_FILE_FORMAT, SCRYPT_READER_MIN_N, shortId,
  validateScryptParams, type KeyFile, type KeySecrets, type RepositoryId,
} from '../format/index.js';
import { makeDomain, type Keyring } from './keyring.js';
import { idOfName, keyName } from './layout.js';
import { loadVerified } from './load-verified.js';
import { NameMismatchError, verifyObjectName } from './pack-reader.js';

const AAD = Buffer.from('coffer/v1/key', 'ascii');

export interface KeyFileOptions {
  readonly name: string;
  readonly host?: string;
  readonly kdf?: ScryptParams;
  readonly now: bigint;
}

export function secretsOf(keyring: Keyring): KeySecrets {
  return {
    repository: keyring.repositoryId.toString('hex') as RepositoryId,
    role: keyring.role,
    readPublicKey: keyring.readPublicKey,
    readPrivateKey: keyring.readPrivateKey,
    ownerPublicKey: keyring.ownerPublicKey,
    ownerPrivateKey: keyring.ownerPrivateKey,
    domains: keyring.domains.map((d) => ({ id: d.id, writerRoot: d.writerRoot })),
    signer: keyring.signer,
  };
}

export function keyringOf(secrets: KeySecrets): Keyring {
  const repositoryId = Buffer.from(secrets.repository, 'hex');
  return {
    repositoryId,
    role: secrets.role,
    readPublicKey: secrets.readPublicKey,
    readPrivateKey: secrets.readPrivateKey,
    ownerPublicKey: secrets.ownerPublicKey,
    ownerPrivateKey: secrets.ownerPrivateKey,
    domains: secrets.domains.map((d) => makeDomain(d.id, d.writerRoot, repositoryId)),
    signer: secrets.signer,
  };
}

/** A new key file sealing `keyring` under `passphrase`, with fresh salt and nonce. */
export async function sealKeyFile(keyring: Keyring, passphrase: string, options: KeyFileOptions): Promise<{ id: string; bytes: Buffer }> {
  const kdf = options.kdf ?? DEFAULT_SCRYPT;
  validateScryptParams(kdf);
  const salt = randomBytes(32);
  const nonce = randomBytes(12);
  const wrappingKey = await deriveWrappingKey(passphrase, salt, kdf);
  const file: KeyFile = {
    format: KEY_FILE_FORMAT,
    name: options.name,
    created: options.now,
    host: options.host ?? osHostname(),
    kdf: { algorithm: 'scrypt', N: kdf.N, r: kdf.r, p: kdf.p, salt },
    nonce,
    ciphertext: seal(wrappingKey, nonce, AAD, encodeKeySecrets(secretsOf(keyring))),
  };
  const bytes = encodeKeyFile(file);
  return { id: sha256(bytes).toString('hex'), bytes };
}

/** Opens a key file; null if the passphrase is wrong. Throws KeyFileError if the file is damaged. */
export async function openKeyFile(bytes: Buffer, passphrase: string, what: string): Promise<Keyring | null> {
  let file: KeyFile;
  try {
    file = decodeKeyFile(bytes);
    validateScryptParams(file.kdf, { minN: SCRYPT_READER_MIN_N });
  } catch (cause) {
    throw new KeyFileError(`${what}: damaged or unsupported key file: ${describe(cause)}`, { cause });
  }
  const wrappingKey = await deriveWrappingKey(passphrase, file.kdf.salt, file.kdf);
  let plain: Buffer;
  try {
    plain = open(wrappingKey, file.nonce, AAD, file.ciphertext, what);
  } catch (error) {
    if (error instanceof IntegrityError) return null;
    throw error;
  }
  try {
    return keyringOf(decodeKeySecrets(plain));
  } catch (cause) {
    throw new KeyFileError(`${what}: key file secrets are damaged: ${describe(cause)}`, { cause });
  }
}

export interface KeyListing {
  readonly id: string;
  readonly file: KeyFile | null;
  readonly problem?: string;
}

/** Every key file in the repository, decoded (not opened). */
export async function listKeyFiles(backend: Backend, signal?: AbortSignal): Promise<KeyListing[]> {
  const out: KeyListing[] = [];
  for await (const object of backend.list('keys/', { signal })) {
    const id = idOfName(object.name);
    try {
      out.push({ id, file: await loadVerified(backend, object.name, (bytes) => {
        verifyObjectName('key', id, bytes);
        return decodeKeyFile(bytes);
      }, { signal }) });
    } catch (error) {
      out.push({ id, file: null, problem: describe(error) });
    }
  }
  return out.sort((a, b) => Number((a.file?.created ?? 0n) - (b.file?.created ?? 0n)));
}

/**
 * Finds the key file `passphrase` opens, trying each (or only `keyId`'s).
 * Wrong passphrase for all: WrongPasswordError. No key files: NoRepositoryError.
 */
export async function unlock(
  backend: Backend, passphrase: string, options: { keyId?: string; signal?: AbortSignal } = {},
): Promise<{ keyring: Keyring; keyId: string }> {
  const damaged: string[] = [];
  let tried = 0;
  for await (const object of backend.list('keys/', { signal: options.signal })) {
    const id = idOfName(object.name);
    if (options.keyId && !id.startsWith(options.keyId)) continue;
    tried += 1;
    let bytes: Buffer;
    try {
      bytes = await loadVerified(backend, object.name, (loaded) => {
        verifyObjectName('key', id, loaded);
        return loaded;
      }, { signal: options.signal });
    } catch (error) {
      if (!(error instanceof NameMismatchError)) throw error;
      damaged.push(error.message);
      continue;
    }
    try {
      const keyring = await openKeyFile(bytes, passphrase, `key ${shortId(id)}`);
      if (keyring) return { keyring, keyId: id };
    } catch (error) {
      if (!(error instanceof KeyFileError)) throw error;
      damaged.push(error.message);
    }
  }
  if (tried === 0) {
    if (options.keyId) throw new UsageError(`no key file ${options.keyId} in ${backend.location}`);
    throw new NoRepositoryError(`no key files at ${backend.location}: not a coffer repository`);
  }
  if (damaged.length === tried) throw new KeyFileError(damaged.join('; '));
  throw new WrongPasswordError(
    `wrong passphrase: no key file of ${backend.location} opens with it` + (damaged.length ? ` (${damaged.join('; ')})` : ''),
  );
}

/** Stores a new key file for `keyring`; returns its id. */
export async function addKeyFile(
  backend: Backend, keyring: Keyring, passphrase: string, options: KeyFileOptions & { signal?: AbortSignal },
): Promise<string> {
  const sealed = await sealKeyFile(keyring, passphrase, options);
  await backend.save(keyName(sealed.id), sealed.bytes, { signal: options.signal });
  return sealed.id;
}
