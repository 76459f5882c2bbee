/**
 * age encryption (https://age-encryption.org/v1) through FiloSottile's
 * TypeScript implementation, for key files wrapped to an age recipient. The
 * output is a standard armored age file: `age -d -i IDENTITY` opens it.
 * The library is loaded on first use, so commands that never meet an age
 * key file do not pay for it.
 */
import { FormatError, IntegrityError, UsageError, describe } from '../errors.js';

type AgeModule = typeof import('age-encryption');
let loaded: Promise<AgeModule> | undefined;
const age = (): Promise<AgeModule> => (loaded ??= import('age-encryption'));

// What the library throws when none of the identities is a recipient; any
// other failure means the file is damaged (docs/format.md: an age header
// that does not parse, a bad header MAC, a payload chunk that fails).
const NO_MATCH = "no identity matched any of the file's recipients";

/** Identities read from an age identity file, with the recipient of each. */
export interface AgeIdentities {
  /** `AGE-SECRET-KEY-1...` (X25519) or `AGE-SECRET-KEY-PQ-1...` (hybrid) strings. */
  readonly identities: readonly string[];
  readonly recipients: readonly string[];
}

/**
 * Parses the text of an age identity file (as written by `age-keygen`): one
 * identity per line, `#` comments and blank lines ignored. `source` names the
 * file in messages; the identities themselves never appear in one.
 */
export async function parseAgeIdentities(text: string, source: string): Promise<AgeIdentities> {
  const { identityToRecipient } = await age();
  const identities: string[] = [];
  const recipients: string[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('AGE-PLUGIN-')) {
      throw new UsageError(`${source}: line ${i + 1} is an age plugin identity, which coffer cannot use (only AGE-SECRET-KEY-1... identities)`);
    }
    if (line.startsWith('-----BEGIN AGE ENCRYPTED FILE-----') || line.startsWith('age-encryption.org/')) {
      throw new UsageError(`${source}: a passphrase-protected identity file; decrypt it first (age -d ${source} > identity.txt) or keep it in a password manager`);
    }
    try {
      recipients.push(await identityToRecipient(line));
    } catch {
      throw new UsageError(`${source}: line ${i + 1} is not an age identity (AGE-SECRET-KEY-1...)`);
    }
    identities.push(line);
  }
  if (identities.length === 0) throw new UsageError(`${source}: no age identity in this file`);
  return { identities, recipients };
}

/** Throws a UsageError unless `recipient` is an age recipient the library can encrypt to. */
export async function checkAgeRecipient(recipient: string): Promise<void> {
  const { Encrypter } = await age();
  try {
    new Encrypter().addRecipient(recipient);
  } catch (error) {
    throw new UsageError(`not an age recipient: ${JSON.stringify(recipient.slice(0, 80))} (${describe(error)})`);
  }
}

/** Encrypts `plaintext` to every recipient; returns the armored age file. */
export async function ageEncrypt(recipients: readonly string[], plaintext: Uint8Array): Promise<string> {
  const { Encrypter, armor } = await age();
  const encrypter = new Encrypter();
  for (const recipient of recipients) {
    try {
      encrypter.addRecipient(recipient);
    } catch (error) {
      throw new UsageError(`not an age recipient: ${JSON.stringify(recipient.slice(0, 80))} (${describe(error)})`);
    }
  }
  return armor.encode(await encrypter.encrypt(plaintext));
}

/**
 * Decrypts an armored age file with any of `identities`. Returns null when
 * none of them is a recipient; throws IntegrityError when the file is
 * damaged (armor, header, MAC or payload), FormatError when it is not age.
 */
export async function ageDecrypt(identities: readonly string[], armored: string, what: string): Promise<Buffer | null> {
  const { Decrypter, armor } = await age();
  let file: Uint8Array;
  try {
    file = armor.decode(armored);
  } catch (error) {
    throw new FormatError(`${what}: the age armor is damaged: ${describe(error)}`, { cause: error });
  }
  const decrypter = new Decrypter();
  for (const identity of identities) decrypter.addIdentity(identity);
  try {
    return Buffer.from(await decrypter.decrypt(file));
  } catch (error) {
    if (describe(error) === NO_MATCH) return null;
    throw new IntegrityError(`${what}: the age file is damaged: ${describe(error)}`, { cause: error });
  }
}
