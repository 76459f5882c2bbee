/**
 * Key files wrapped to a public key instead of a passphrase (docs/format.md
 * "Key files wrapped by age or OpenPGP"): the same secrets JSON, encrypted
 * as a standard age file or OpenPGP message, so the `age` and `gpg` programs
 * can open it as well as coffer. The recipients are listed in plain text as
 * a hint for people and for `key list`; nothing relies on them.
 */
import { FormatError } from '../errors.js';
import { decodeKeyFile, encodeKeyFile, KEY_FILE_FORMAT, type KeyFile } from './key-file.js';
import { encodeJson, JsonFields, parseJson } from './json-fields.js';
import { formatTimeNs } from './time.js';

/** How a key file's secrets are wrapped: `scrypt` is the passphrase key file of "Key files". */
export type KeyWrapping = 'scrypt' | 'age' | 'openpgp';
export const PUBLIC_KEY_WRAPPINGS = ['age', 'openpgp'] as const;
export type PublicKeyWrapping = (typeof PUBLIC_KEY_WRAPPINGS)[number];

/** A key file is read only up to this size: a message holding a few hundred bytes of secrets is far smaller. */
export const MAX_WRAPPED_MESSAGE_LENGTH = 64 * 1024;
export const MAX_RECIPIENTS = 32;

const ARMOR: Record<PublicKeyWrapping, { begin: string; end: string }> = {
  age: { begin: '-----BEGIN AGE ENCRYPTED FILE-----', end: '-----END AGE ENCRYPTED FILE-----' },
  openpgp: { begin: '-----BEGIN PGP MESSAGE-----', end: '-----END PGP MESSAGE-----' },
};

// age recipients are lowercase Bech32 starting "age1" (post-quantum ones,
// "age1pq1...", run to about 2,000 characters); the age library checks them
// fully when encrypting. OpenPGP recipients are primary-key fingerprints:
// 40 hex digits (v4) or 64 (v5, v6).
const RECIPIENT: Record<PublicKeyWrapping, { pattern: RegExp; description: string }> = {
  age: { pattern: /^age1[0-9a-z]{6,4000}$/, description: 'an age recipient (age1...)' },
  openpgp: { pattern: /^(?:[0-9A-F]{40}|[0-9A-F]{64})$/, description: 'an OpenPGP fingerprint (40 or 64 uppercase hex digits)' },
};

/** A key file whose secrets are an age file or an OpenPGP message, field for field as its JSON. */
export interface WrappedKeyFile {
  readonly format: typeof KEY_FILE_FORMAT;
  readonly name: string;
  readonly created: bigint;
  readonly host: string;
  readonly wrapping: PublicKeyWrapping;
  /** Who can open it, as the writer meant it: age recipients, or OpenPGP fingerprints. Unauthenticated. */
  readonly recipients: readonly string[];
  /** The ASCII-armored age file or OpenPGP message; its plaintext is the secrets JSON. */
  readonly message: string;
}

/** A key file of any wrapping. */
export type AnyKeyFile = KeyFile | WrappedKeyFile;

/** The wrapping of a decoded key file. */
export function keyFileWrapping(file: AnyKeyFile): KeyWrapping {
  return 'wrapping' in file ? file.wrapping : 'scrypt';
}

/** Normalizes a recipient as stored: age recipients lowercase, fingerprints uppercase without spaces. */
export function canonicalRecipient(wrapping: PublicKeyWrapping, recipient: string): string {
  return wrapping === 'age' ? recipient.trim().toLowerCase() : recipient.replace(/\s+/g, '').toUpperCase();
}

/** The key file's JSON, keys in the spec's order; throws a FormatError for one the decoder would refuse. */
export function encodeWrappedKeyFile(file: WrappedKeyFile): Buffer {
  const json = {
    format: file.format,
    name: file.name,
    created: formatTimeNs(file.created),
    host: file.host,
    wrapping: file.wrapping,
    recipients: file.recipients,
    message: file.message,
  };
  wrappedKeyFileFromJson(json);
  return encodeJson(json);
}

/** Encodes a key file of either kind. */
export function encodeAnyKeyFile(file: AnyKeyFile): Buffer {
  return 'wrapping' in file ? encodeWrappedKeyFile(file) : encodeKeyFile(file);
}

/**
 * Decodes a key file of any wrapping: one with a `wrapping` field is a
 * public-key key file, one without is a passphrase key file ("Key files").
 */
export function decodeAnyKeyFile(bytes: Uint8Array): AnyKeyFile {
  if (bytes.length > MAX_WRAPPED_MESSAGE_LENGTH + 16 * 1024) throw new FormatError(`key file: longer than any key file (${bytes.length} bytes)`);
  const value = parseJson(bytes, 'key file');
  if (typeof value === 'object' && value !== null && Object.hasOwn(value, 'wrapping')) return wrappedKeyFileFromJson(value);
  return decodeKeyFile(bytes);
}

function wrappedKeyFileFromJson(value: unknown): WrappedKeyFile {
  const f = JsonFields.of(value, 'key file', ['format', 'name', 'created', 'host', 'wrapping', 'recipients', 'message']);
  const format = f.string('format');
  if (format !== KEY_FILE_FORMAT) {
    throw new FormatError(`key file: unknown format ${JSON.stringify(format)} (this coffer reads ${KEY_FILE_FORMAT})`);
  }
  const wrapping = f.oneOf('wrapping', PUBLIC_KEY_WRAPPINGS);
  const recipients = f.strings('recipients');
  if (recipients.length === 0 || recipients.length > MAX_RECIPIENTS) f.fail('recipients', `must list 1 to ${MAX_RECIPIENTS} recipients`);
  const { pattern, description } = RECIPIENT[wrapping];
  recipients.forEach((r, i) => {
    if (!pattern.test(r)) f.fail(`recipients[${i}]`, `must be ${description}`);
  });
  const message = f.string('message');
  if (message.length > MAX_WRAPPED_MESSAGE_LENGTH) f.fail('message', `is longer than ${MAX_WRAPPED_MESSAGE_LENGTH} characters`);
  const { begin, end } = ARMOR[wrapping];
  const trimmed = message.trim();
  if (!trimmed.startsWith(begin) || !trimmed.endsWith(end)) f.fail('message', `must be an armored ${wrapping === 'age' ? 'age file' : 'OpenPGP message'} (${begin} ... ${end})`);
  return {
    format,
    name: f.string('name'),
    created: f.time('created'),
    host: f.string('host'),
    wrapping,
    recipients,
    message,
  };
}
