/**
 * Key files (docs/format.md "Key files"): the repository secrets sealed under
 * a passphrase stretched by scrypt, or wrapped to age or OpenPGP recipients
 * (key-wrapping.ts). Several key files can open one repository; removing one
 * revokes a passphrase (or recipient), not the secrets it wraps.
 */
import { hostname as osHostname } from 'node:os';
import type { Backend } from '../backend/backend.js';
import { sha256, type ScryptParams } from '../crypto/index.js';
import { CofferError, describe, KeyFileError, NoRepositoryError, UsageError, WrongPasswordError } from '../errors.js';
import {
  decodeAnyKeyFile, decodeKeySecrets, encodeAnyKeyFile, encodeKeySecrets, KEY_FILE_FORMAT, keyFileWrapping, shortId,
  type AnyKeyFile, type KeySecrets, type KeyWrapping, type RepositoryId,
} from '../format/index.js';
import { passphraseUnwrapper, passphraseWrapper, type KeyUnwrapper, type KeyWrapper } from './key-wrapping.js';
import { makeDomain, type Keyring } from './keyring.js';
import { CONFIG_NAME, idOfName, keyName } from './layout.js';

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
  return sealKeyFileWith(keyring, passphraseWrapper(passphrase, options.kdf), options);
}

/** A new key file sealing `keyring` with `wrapper` (a passphrase, age recipients, OpenPGP keys). */
export async function sealKeyFileWith(
  keyring: Keyring, wrapper: KeyWrapper, options: KeyFileOptions & { signal?: AbortSignal },
): Promise<{ id: string; bytes: Buffer }> {
  const wrapped = await wrapper.wrap(encodeKeySecrets(secretsOf(keyring)), options.signal);
  const common = { format: KEY_FILE_FORMAT, name: options.name, created: options.now, host: options.host ?? osHostname() } as const;
  const file: AnyKeyFile = wrapped.wrapping === 'scrypt'
    ? { ...common, kdf: wrapped.kdf, nonce: wrapped.nonce, ciphertext: wrapped.ciphertext }
    : { ...common, wrapping: wrapped.wrapping, recipients: wrapped.recipients, message: wrapped.message };
  const bytes = encodeAnyKeyFile(file);
  return { id: sha256(bytes).toString('hex'), bytes };
}

/** Opens a key file; null if the passphrase is wrong. Throws KeyFileError if the file is damaged. */
export async function openKeyFile(bytes: Buffer, passphrase: string, what: string): Promise<Keyring | null> {
  return openKeyFileWith(bytes, [passphraseUnwrapper(passphrase)], what);
}

/**
 * Opens a key file of any wrapping with the first unwrapper that can; null
 * if none does (wrong passphrase, not a recipient, or no unwrapper for its
 * wrapping). Throws KeyFileError if the file is damaged, naming `what`.
 */
export async function openKeyFileWith(
  bytes: Buffer, unwrappers: readonly KeyUnwrapper[], what: string, signal?: AbortSignal,
): Promise<Keyring | null> {
  const file = decodeKeyFileFor(bytes, what);
  for (const unwrapper of unwrappers) {
    if (unwrapper.wrapping !== keyFileWrapping(file)) continue;
    const keyring = await unwrapWith(unwrapper, file, what, signal);
    if (keyring) return keyring;
  }
  return null;
}

function decodeKeyFileFor(bytes: Buffer, what: string): AnyKeyFile {
  try {
    return decodeAnyKeyFile(bytes);
  } catch (cause) {
    throw new KeyFileError(`${what}: damaged or unsupported key file: ${describe(cause)}`, { cause });
  }
}

/** Unwraps and decodes the secrets; a damaged file (whatever the unwrapper threw) is a KeyFileError. */
async function unwrapWith(unwrapper: KeyUnwrapper, file: AnyKeyFile, what: string, signal?: AbortSignal): Promise<Keyring | null> {
  let plain: Buffer | null;
  try {
    plain = await unwrapper.unwrap(file, what, signal);
  } catch (error) {
    if (error instanceof KeyFileError) throw error;
    if (error instanceof CofferError && (error.code === 'INTEGRITY' || error.code === 'FORMAT')) {
      throw new KeyFileError(error.message.startsWith(what) ? error.message : `${what}: ${error.message}`, { cause: error });
    }
    throw error;
  }
  if (plain === null) return null;
  try {
    return keyringOf(decodeKeySecrets(plain));
  } catch (cause) {
    throw new KeyFileError(`${what}: key file secrets are damaged: ${describe(cause)}`, { cause });
  }
}

export interface KeyListing {
  readonly id: string;
  readonly file: AnyKeyFile | null;
  readonly problem?: string;
}

/** Every key file in the repository, decoded (not opened). */
export async function listKeyFiles(backend: Backend, signal?: AbortSignal): Promise<KeyListing[]> {
  const out: KeyListing[] = [];
  for await (const object of backend.list('keys/', { signal })) {
    const id = idOfName(object.name);
    try {
      out.push({ id, file: decodeAnyKeyFile(await backend.load(object.name, { signal })) });
    } catch (error) {
      out.push({ id, file: null, problem: describe(error) });
    }
  }
  return out.sort((a, b) => Number((a.file?.created ?? 0n) - (b.file?.created ?? 0n)));
}

/**
 * Finds a key file that opens: with a passphrase, or with each unwrapper in
 * turn (outer loop), trying every key file of its wrapping (or only
 * `keyId`'s). None opens: WrongPasswordError naming what was tried and why.
 * Every key file tried is damaged: KeyFileError. No key files:
 * NoRepositoryError.
 */
export async function unlock(
  backend: Backend, credentials: string | readonly KeyUnwrapper[], options: { keyId?: string; signal?: AbortSignal } = {},
): Promise<{ keyring: Keyring; keyId: string }> {
  const unwrappers = typeof credentials === 'string' ? [passphraseUnwrapper(credentials)] : credentials;
  const { signal } = options;
  const candidates: { id: string; what: string; file: AnyKeyFile }[] = [];
  const damaged = new Map<string, string>();
  let found = 0;
  for await (const object of backend.list('keys/', { signal })) {
    const id = idOfName(object.name);
    if (options.keyId && !id.startsWith(options.keyId)) continue;
    found += 1;
    const what = `key ${shortId(id)}`;
    const bytes = await backend.load(object.name, { signal });
    if (sha256(bytes).toString('hex') !== id) {
      damaged.set(id, `${what}: content does not match its name`);
      continue;
    }
    try {
      candidates.push({ id, what, file: decodeKeyFileFor(bytes, what) });
    } catch (error) {
      damaged.set(id, (error as Error).message);
    }
  }
  if (found === 0) {
    if (options.keyId) throw new UsageError(`no key file ${options.keyId} in ${backend.location}`);
    if (await hasConfig(backend, signal)) {
      // Every key file was removed on purpose (after `key export`): say how to get back in.
      throw new NoRepositoryError(`the repository at ${backend.location} holds no key files: make one from a key export with "coffer key import FILE"`);
    }
    throw new NoRepositoryError(`no key files at ${backend.location}: not a coffer repository`);
  }
  const tried = new Set<string>();
  const refusals: string[] = [];
  for (const unwrapper of unwrappers) {
    for (const { id, what, file } of candidates) {
      if (damaged.has(id) || unwrapper.wrapping !== keyFileWrapping(file)) continue;
      tried.add(id);
      try {
        const keyring = await unwrapWith(unwrapper, file, what, signal);
        if (keyring) return { keyring, keyId: id };
        if (unwrapper.wrapping !== 'scrypt') refusals.push(`${what} is wrapped for ${describeRecipients(file)}, not for ${unwrapper.description}`);
      } catch (error) {
        if (!(error instanceof KeyFileError)) throw error;
        damaged.set(id, error.message);
      }
    }
  }
  const problems = [...damaged.values()];
  // Every key file is damaged, or every one the credentials could have opened is: the damage is the news.
  const sound = [...tried].filter((id) => !damaged.has(id));
  if (damaged.size === found || (tried.size > 0 && sound.length === 0)) throw new KeyFileError(problems.join('; '));
  throw new WrongPasswordError(noKeyOpens(backend.location, unwrappers, candidates, tried, damaged, refusals));
}

async function hasConfig(backend: Backend, signal?: AbortSignal): Promise<boolean> {
  try {
    await backend.stat(CONFIG_NAME, { signal });
    return true;
  } catch (error) {
    if (error instanceof CofferError && error.code === 'NOT_FOUND') return false;
    throw error;
  }
}

function describeRecipients(file: AnyKeyFile): string {
  return 'recipients' in file ? file.recipients.join(', ') : 'a passphrase';
}

/** The message when nothing opened: what was tried, why each refused, and which key files need something else. */
function noKeyOpens(
  location: string, unwrappers: readonly KeyUnwrapper[], candidates: readonly { id: string; file: AnyKeyFile }[],
  tried: ReadonlySet<string>, damaged: ReadonlyMap<string, string>, refusals: readonly string[],
): string {
  // Name only what met a key file of its wrapping: an implicit gpg with no OpenPGP key file to try is noise.
  const wrappings = new Set(candidates.filter((c) => tried.has(c.id)).map((c) => keyFileWrapping(c.file)));
  const used = unwrappers.filter((u) => wrappings.has(u.wrapping));
  const onlyPassphrase = used.length > 0 && used.every((u) => u.wrapping === 'scrypt');
  const untried = new Map<KeyWrapping, number>();
  for (const { id, file } of candidates) {
    if (tried.has(id) || damaged.has(id)) continue;
    untried.set(keyFileWrapping(file), (untried.get(keyFileWrapping(file)) ?? 0) + 1);
  }
  const parts: string[] = [];
  if (onlyPassphrase && tried.size > 0) parts.push(`wrong passphrase: no key file of ${location} opens with it`);
  else parts.push(`no key file of ${location} opens with ${(used.length > 0 ? used : unwrappers).map((u) => u.description).join(' or ') || 'what was given'}`);
  if (refusals.length > 0) parts.push(`: ${refusals.join('; ')}`);
  if (untried.size > 0) {
    const hints = { scrypt: 'a passphrase', age: 'an age identity (--age-identity)', openpgp: 'an OpenPGP key (gpg, or --gpg-identity)' };
    parts.push(` (${[...untried].map(([w, n]) => `${n} key file${n > 1 ? 's' : ''} need${n > 1 ? '' : 's'} ${hints[w]}`).join(', ')})`);
  }
  if (damaged.size > 0) parts.push(` (${[...damaged.values()].join('; ')})`);
  return parts.join('');
}

/** Stores a new key file sealed with `wrapper`; returns its id. */
export async function addKeyFileWith(
  backend: Backend, keyring: Keyring, wrapper: KeyWrapper, options: KeyFileOptions & { signal?: AbortSignal },
): Promise<string> {
  const sealed = await sealKeyFileWith(keyring, wrapper, options);
  await backend.save(keyName(sealed.id), sealed.bytes, { signal: options.signal });
  return sealed.id;
}

/** Stores a new key file for `keyring`; returns its id. */
export async function addKeyFile(
  backend: Backend, keyring: Keyring, passphrase: string, options: KeyFileOptions & { signal?: AbortSignal },
): Promise<string> {
  const sealed = await sealKeyFile(keyring, passphrase, options);
  await backend.save(keyName(sealed.id), sealed.bytes, { signal: options.signal });
  return sealed.id;
}
