/**
 * Creating a repository (docs/format.md "Order of writes", step 1): key
 * file, then signer set, then `config` last, so an interrupted init leaves
 * no repository behind.
 */
import type { Backend } from '../backend/backend.js';
import type { ScryptParams } from '../crypto/index.js';
import { NotFoundError, UsageError } from '../errors.js';
import { encodeSignerSetJson, type ChunkerParams, type RepositoryConfig, type RepositoryId } from '../format/index.js';
import { encodeConfigObject } from './config-object.js';
import { addKeyFileWith, unlock } from './key-files.js';
import { passphraseWrapper, type KeyUnwrapper, type KeyWrapper } from './key-wrapping.js';
import { generateKeyring, requireOwnerKey } from './keyring.js';
import { CONFIG_NAME, signersName } from './layout.js';
import { Repository } from './repository.js';
import { sealDocument } from './sealed-document.js';

export const DEFAULT_PACK_SIZE = 16 * 1024 * 1024;
export const DEFAULT_CHUNKER: ChunkerParams = { algorithm: 'fastcdc-v1', min: 512 * 1024, avg: 1024 * 1024, max: 8 * 1024 * 1024 };

export interface InitOptions {
  /** Wraps the first key file; ignored when `wrapper` is given. */
  readonly passphrase?: string;
  /** How the first key file is wrapped (age or OpenPGP recipients); a passphrase by default. */
  readonly wrapper?: KeyWrapper;
  readonly keyName: string;
  readonly now: bigint;
  readonly kdf?: ScryptParams;
  readonly chunker?: ChunkerParams;
  readonly packSize?: number;
  readonly signal?: AbortSignal;
}

export async function initRepository(backend: Backend, options: InitOptions): Promise<{ repository: Repository; keyId: string }> {
  const { signal } = options;
  try {
    await backend.stat(CONFIG_NAME, { signal });
    throw new UsageError(`${backend.location} already holds a coffer repository`);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
  const keyring = generateKeyring(options.keyName);
  const chunker = options.chunker ?? DEFAULT_CHUNKER;
  const config: RepositoryConfig = {
    format: 1,
    repository: keyring.repositoryId.toString('hex') as RepositoryId,
    created: options.now,
    features: [],
    readPublicKey: keyring.readPublicKey,
    ownerPublicKey: keyring.ownerPublicKey,
    packSize: options.packSize ?? DEFAULT_PACK_SIZE,
    maxBlobSize: Math.max(chunker.max, 8 * 1024 * 1024),
    compression: 'zstd',
    domains: [{ id: keyring.domains[0]!.id, chunker }],
  };
  const ownerPrivateKey = requireOwnerKey(keyring, 'init');
  const configBytes = encodeConfigObject(config, ownerPrivateKey); // validates before anything is written
  const wrapper = options.wrapper ?? passphraseWrapper(passphraseOf(options), options.kdf);
  const keyId = await addKeyFileWith(backend, keyring, wrapper, { name: options.keyName, now: options.now, signal });
  const signers = sealDocument('signers', encodeSignerSetJson({
    format: 1, repository: config.repository, version: 1,
    signers: [{ name: keyring.signer.name, publicKey: keyring.signer.publicKey, role: 'full', added: options.now, revoked: null }],
  }), { publicKey: keyring.ownerPublicKey, privateKey: ownerPrivateKey }, keyring.readPublicKey);
  await backend.save(signersName(signers.id), signers.bytes, { signal });
  if (await backend.save(CONFIG_NAME, configBytes, { signal }) === 'exists') {
    throw new UsageError(`${backend.location}: another init created a repository at the same time`);
  }
  return { repository: new Repository(backend, config, keyring), keyId };
}

function passphraseOf(options: InitOptions): string {
  if (options.passphrase === undefined) throw new UsageError('init: no passphrase and no recipient for the first key file');
  return options.passphrase;
}

/** Opens a repository with a passphrase, or with whatever the unwrappers hold (key-wrapping.ts). */
export async function openRepository(
  backend: Backend, credentials: string | readonly KeyUnwrapper[], options: { keyId?: string; signal?: AbortSignal } = {},
): Promise<{ repository: Repository; keyId: string }> {
  const { keyring, keyId } = await unlock(backend, credentials, options);
  const config = await Repository.loadConfig(backend, keyring, options.signal);
  return { repository: new Repository(backend, config, keyring), keyId };
}
