/**
 * How a key file's secrets are wrapped and unwrapped (docs/format.md "Key
 * files" and "Key files wrapped by age or OpenPGP"). A KeyWrapper seals the
 * secrets JSON of a new key file; a KeyUnwrapper is something the user holds
 * (a passphrase, an age identity, an OpenPGP key, the gpg program) that may
 * open key files of one wrapping. The rest of the repository code sees only
 * these two interfaces, so a key file kept in the repository or outside it
 * opens the same way, whatever wraps it.
 */
import {
  ageDecrypt, ageEncrypt, checkAgeRecipient, DEFAULT_SCRYPT, deriveWrappingKey, open, openpgpDecrypt, openpgpEncrypt,
  randomBytes, seal, type AgeIdentities, type OpenPgpIdentity, type OpenPgpRecipients, type ScryptParams,
} from '../crypto/index.js';
import { IntegrityError, KeyFileError, UsageError, describe } from '../errors.js';
import {
  canonicalRecipient, MAX_RECIPIENTS, SCRYPT_READER_MIN_N, validateScryptParams,
  type AnyKeyFile, type KeyFileKdf, type KeyWrapping, type PublicKeyWrapping,
} from '../format/index.js';

/** AAD of a passphrase key file's seal (docs/format.md "Key files"). */
const KEY_AAD = Buffer.from('coffer/v1/key', 'ascii');

/** The fields of a key file that depend on its wrapping. */
export type WrappedSecrets =
  | { readonly wrapping: 'scrypt'; readonly kdf: KeyFileKdf; readonly nonce: Buffer; readonly ciphertext: Buffer }
  | { readonly wrapping: PublicKeyWrapping; readonly recipients: readonly string[]; readonly message: string };

/** Seals the secrets JSON of a new key file. */
export interface KeyWrapper {
  readonly wrapping: KeyWrapping;
  /** For messages: "a passphrase", "age recipient age1…". Never holds a secret. */
  readonly description: string;
  wrap(secrets: Buffer, signal?: AbortSignal): Promise<WrappedSecrets>;
}

/** Something the user holds that may open key files of one wrapping. */
export interface KeyUnwrapper {
  readonly wrapping: KeyWrapping;
  /** For messages: "the passphrase", "age identity ~/key.txt", "gpg". Never holds a secret. */
  readonly description: string;
  /**
   * The secrets JSON, or null when this does not open `file` (a wrong
   * passphrase; not one of its recipients). A damaged file throws
   * (IntegrityError, FormatError or KeyFileError) with `what` in the message.
   */
  unwrap(file: AnyKeyFile, what: string, signal?: AbortSignal): Promise<Buffer | null>;
}

/** Wraps with a passphrase stretched by scrypt (fresh salt and nonce each time). */
export function passphraseWrapper(passphrase: string, kdf: ScryptParams = DEFAULT_SCRYPT): KeyWrapper {
  validateScryptParams(kdf);
  return {
    wrapping: 'scrypt',
    description: 'a passphrase',
    async wrap(secrets) {
      const salt = randomBytes(32);
      const nonce = randomBytes(12);
      const wrappingKey = await deriveWrappingKey(passphrase, salt, kdf);
      return {
        wrapping: 'scrypt',
        kdf: { algorithm: 'scrypt', N: kdf.N, r: kdf.r, p: kdf.p, salt },
        nonce,
        ciphertext: seal(wrappingKey, nonce, KEY_AAD, secrets),
      };
    },
  };
}

/**
 * Opens passphrase key files. `passphrase` is called only when such a file
 * is tried, and at most once (it may prompt), so a user who opens the
 * repository with an age identity is never asked for a passphrase.
 */
export function passphraseUnwrapper(passphrase: string | (() => Promise<string>)): KeyUnwrapper {
  let asked: Promise<string> | undefined;
  const get = (): Promise<string> => (asked ??= typeof passphrase === 'string' ? Promise.resolve(passphrase) : passphrase());
  return {
    wrapping: 'scrypt',
    description: 'the passphrase',
    async unwrap(file, what) {
      if (!('kdf' in file)) return null;
      try {
        validateScryptParams(file.kdf, { minN: SCRYPT_READER_MIN_N });
      } catch (cause) {
        throw new KeyFileError(`${what}: damaged or unsupported key file: ${describe(cause)}`, { cause });
      }
      const wrappingKey = await deriveWrappingKey(await get(), file.kdf.salt, file.kdf);
      try {
        return open(wrappingKey, file.nonce, KEY_AAD, file.ciphertext, what);
      } catch (error) {
        if (error instanceof IntegrityError) return null;
        throw error;
      }
    },
  };
}

/** Wraps to age recipients (`age1...`): a standard age file, armored. */
export async function ageWrapper(recipients: readonly string[]): Promise<KeyWrapper> {
  const canonical = checkRecipientCount(recipients.map((r) => canonicalRecipient('age', r)), 'age');
  for (const recipient of canonical) await checkAgeRecipient(recipient);
  return {
    wrapping: 'age',
    description: `age recipient${canonical.length > 1 ? 's' : ''} ${canonical.map(shortRecipient).join(', ')}`,
    async wrap(secrets) {
      return { wrapping: 'age', recipients: canonical, message: await ageEncrypt(canonical, secrets) };
    },
  };
}

/** Opens age key files with the identities of an identity file (`source` names it). */
export function ageUnwrapper(identities: AgeIdentities, source: string): KeyUnwrapper {
  return {
    wrapping: 'age',
    description: `age identity ${source}`,
    async unwrap(file, what) {
      if (!('wrapping' in file) || file.wrapping !== 'age') return null;
      return ageDecrypt(identities.identities, file.message, what);
    },
  };
}

/** Wraps to OpenPGP public keys through OpenPGP.js (for hosts without gpg). */
export function openpgpKeyWrapper(recipients: OpenPgpRecipients): KeyWrapper {
  const fingerprints = checkRecipientCount(recipients.fingerprints, 'openpgp');
  return {
    wrapping: 'openpgp',
    description: `OpenPGP key${fingerprints.length > 1 ? 's' : ''} ${fingerprints.map(shortRecipient).join(', ')}`,
    async wrap(secrets) {
      return { wrapping: 'openpgp', recipients: fingerprints, message: await openpgpEncrypt(recipients, secrets) };
    },
  };
}

/** Opens OpenPGP key files with private keys read through OpenPGP.js (`source` names their file). */
export function openpgpIdentityUnwrapper(identity: OpenPgpIdentity, source: string): KeyUnwrapper {
  return {
    wrapping: 'openpgp',
    description: `OpenPGP key ${source}`,
    async unwrap(file, what) {
      if (!('wrapping' in file) || file.wrapping !== 'openpgp') return null;
      return openpgpDecrypt(identity, file.message, what);
    },
  };
}

/** `recipients`, deduplicated, checked to be 1..MAX_RECIPIENTS. */
function checkRecipientCount(recipients: readonly string[], wrapping: PublicKeyWrapping): string[] {
  const unique = [...new Set(recipients)];
  if (unique.length === 0) throw new UsageError(`no ${wrapping === 'age' ? 'age' : 'OpenPGP'} recipient given`);
  if (unique.length > MAX_RECIPIENTS) throw new UsageError(`at most ${MAX_RECIPIENTS} recipients per key file`);
  return unique;
}

/** A recipient shortened for messages: `age1abcdefgh…` or the last 16 digits of a fingerprint. */
export function shortRecipient(recipient: string): string {
  return recipient.startsWith('age1') ? `${recipient.slice(0, 12)}…` : recipient.slice(-16);
}

/** A one-line description of how a key file is wrapped, for messages and `key list`. */
export function describeWrapping(file: AnyKeyFile): string {
  if ('kdf' in file) return `scrypt N=${file.kdf.N} r=${file.kdf.r} p=${file.kdf.p}`;
  return `${file.wrapping === 'age' ? 'age' : 'openpgp'} ${file.recipients.map(shortRecipient).join(', ')}`;
}
