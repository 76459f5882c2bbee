/**
 * OpenPGP (RFC 4880/9580) through OpenPGP.js, for key files wrapped to an
 * OpenPGP key when the `gpg` program is absent, and to check a message's
 * structure before it is handed to `gpg`. Messages are written the way
 * GnuPG 2.2 reads them: public-key encrypted session keys and one
 * integrity-protected (SEIPD v1, MDC) data packet. The library is loaded on
 * first use.
 */
import { FormatError, IntegrityError, UsageError, WrongPasswordError, describe } from '../errors.js';

type OpenPgpModule = typeof import('openpgp');
let loaded: Promise<OpenPgpModule> | undefined;
const pgp = (): Promise<OpenPgpModule> => (loaded ??= import('openpgp'));

/** The packet tags a key-file message may hold (RFC 9580 section 5). */
const TAG_PKESK = 1;
const TAG_SEIPD = 18;
/** Secrets JSON is a few hundred bytes; refuse to inflate a compressed packet past this. */
const MAX_PLAINTEXT = 1024 * 1024;

/** Public keys to encrypt to, read from key files (`gpg --export`), with their primary fingerprints. */
export interface OpenPgpRecipients {
  readonly fingerprints: readonly string[];
  /** OpenPGP.js key objects; opaque outside this module. */
  readonly keys: readonly unknown[];
}

/** Private keys to decrypt with (`gpg --export-secret-keys`), unlocked. */
export interface OpenPgpIdentity {
  readonly fingerprints: readonly string[];
  /** Key ids (16 hex digits) of every key and subkey, to tell whether a message is for us. */
  readonly keyIds: ReadonlySet<string>;
  readonly keys: readonly unknown[];
}

const isArmored = (bytes: Uint8Array) => Buffer.from(bytes.subarray(0, 4096)).toString('latin1').includes('-----BEGIN PGP');

/** Reads public keys (armored or binary) and checks each can encrypt. `source` names the file in messages. */
export async function readOpenPgpRecipients(bytes: Uint8Array, source: string): Promise<OpenPgpRecipients> {
  const openpgp = await pgp();
  let keys;
  try {
    keys = isArmored(bytes)
      ? await openpgp.readKeys({ armoredKeys: Buffer.from(bytes).toString('utf8') })
      : await openpgp.readKeys({ binaryKeys: bytes });
  } catch (error) {
    throw new UsageError(`${source}: not an OpenPGP public key: ${describe(error)}`, { cause: error });
  }
  for (const key of keys) {
    try {
      await key.getEncryptionKey();
    } catch (error) {
      throw new UsageError(`${source}: OpenPGP key ${key.getFingerprint().toUpperCase()} cannot encrypt: ${describe(error)}`, { cause: error });
    }
  }
  return { fingerprints: keys.map((k) => k.getFingerprint().toUpperCase()), keys };
}

/**
 * Reads private keys (armored or binary). A key protected by a passphrase is
 * unlocked with `passphrase()`, asked only then; a wrong one is a
 * WrongPasswordError naming the file.
 */
export async function readOpenPgpIdentity(
  bytes: Uint8Array, source: string, passphrase: () => Promise<string>,
): Promise<OpenPgpIdentity> {
  const openpgp = await pgp();
  let keys;
  try {
    keys = isArmored(bytes)
      ? await openpgp.readPrivateKeys({ armoredKeys: Buffer.from(bytes).toString('utf8') })
      : await openpgp.readPrivateKeys({ binaryKeys: bytes });
  } catch (error) {
    throw new UsageError(`${source}: not an OpenPGP private key: ${describe(error)}`, { cause: error });
  }
  const unlocked = [];
  for (const key of keys) {
    if (key.isDecrypted()) {
      unlocked.push(key);
      continue;
    }
    try {
      unlocked.push(await openpgp.decryptKey({ privateKey: key, passphrase: await passphrase() }));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new WrongPasswordError(`${source}: wrong passphrase for OpenPGP key ${key.getFingerprint().toUpperCase()}`, { cause: error });
    }
  }
  const keyIds = new Set(unlocked.flatMap((k) => k.getKeyIDs().map((id) => id.toHex())));
  return { fingerprints: unlocked.map((k) => k.getFingerprint().toUpperCase()), keyIds, keys: unlocked };
}

/** Encrypts `plaintext` to the recipients as an armored message GnuPG 2.2 reads (SEIPD v1 with MDC). */
export async function openpgpEncrypt(recipients: OpenPgpRecipients, plaintext: Uint8Array): Promise<string> {
  const openpgp = await pgp();
  const message = await openpgp.createMessage({ binary: plaintext, format: 'binary' });
  return openpgp.encrypt({
    message,
    encryptionKeys: recipients.keys as import('openpgp').PublicKey[],
    format: 'armored',
    config: { aeadProtect: false },
  });
}

/**
 * Checks that an armored message is what a key file may hold: one or more
 * public-key encrypted session keys and one integrity-protected data packet,
 * nothing else (no passphrase-encrypted session key, which would make gpg ask
 * the user for a passphrase; no unprotected data). Returns the recipients'
 * key ids (16 hex digits; zeros for a hidden recipient) and the message
 * without its armor: the MDC, not the armor's CRC, is what protects it, so
 * both decrypters get the same bytes. FormatError otherwise.
 */
export async function inspectOpenPgpMessage(armored: string, what: string): Promise<{ keyIds: string[]; binary: Uint8Array }> {
  const openpgp = await pgp();
  let binary: Uint8Array;
  let message;
  try {
    const unarmored = await openpgp.unarmor(armored);
    if (unarmored.type !== openpgp.enums.armor.message) throw new Error('the armor is not that of a message');
    binary = unarmored.data as unknown as Uint8Array;
    message = await openpgp.readMessage({ binaryMessage: binary });
  } catch (error) {
    throw new FormatError(`${what}: the OpenPGP message is damaged: ${describe(error)}`, { cause: error });
  }
  const tags = [...message.packets].map((p) => (p.constructor as { tag?: number }).tag);
  const last = tags[tags.length - 1];
  const pkesk = tags.slice(0, -1);
  if (last !== TAG_SEIPD || pkesk.length === 0 || pkesk.some((t) => t !== TAG_PKESK)) {
    throw new FormatError(
      `${what}: not an OpenPGP message encrypted to a public key with integrity protection (packet tags ${tags.join(', ')})`,
    );
  }
  return { keyIds: message.getEncryptionKeyIDs().map((id) => id.toHex()), binary };
}

/**
 * Decrypts an armored message with the identity. Returns null when the
 * message is not encrypted to any of its keys; throws IntegrityError when it
 * is but does not decrypt or authenticate, FormatError when it is not a
 * message of the expected shape.
 */
export async function openpgpDecrypt(identity: OpenPgpIdentity, armored: string, what: string): Promise<Buffer | null> {
  const { keyIds, binary } = await inspectOpenPgpMessage(armored, what);
  const wildcard = keyIds.every((id) => /^0+$/.test(id));
  if (!wildcard && !keyIds.some((id) => identity.keyIds.has(id))) return null;
  const openpgp = await pgp();
  const message = await openpgp.readMessage({ binaryMessage: binary });
  try {
    const { data } = await openpgp.decrypt({
      message,
      decryptionKeys: identity.keys as import('openpgp').PrivateKey[],
      format: 'binary',
      config: { maxDecompressedMessageSize: MAX_PLAINTEXT },
    });
    return Buffer.from(data);
  } catch (error) {
    if (wildcard) return null;
    throw new IntegrityError(`${what}: the OpenPGP message is damaged: ${describe(error)}`, { cause: error });
  }
}
