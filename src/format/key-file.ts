/**
 * Key files (docs/format.md "Key files"): the outer JSON, which holds the
 * scrypt parameters and the sealed secrets, and the inner secrets JSON. The
 * scrypt parameters are bounded here, before anyone runs scrypt, so a hostile
 * key file cannot make the client allocate unbounded memory.
 */
import { Buffer } from 'node:buffer';
import { FormatError } from '../errors.js';
import type { RepositoryId } from './ids.js';
import { encodeJson, isPowerOfTwo, JsonFields, parseJson } from './json-fields.js';
import { KEY_ROLES, type KeyRole } from './signer-set.js';
import { formatTimeNs } from './time.js';

/** The value of a key file's `format` field. */
export const KEY_FILE_FORMAT = 'coffer-key/v1';
/** The smallest N a writer may use (spec: 2^14 <= N <= 2^22). */
export const SCRYPT_MIN_N = 2 ** 14;
/** The smallest N a reader accepts: below SCRYPT_MIN_N so tests can use cheap parameters through the same code. */
export const SCRYPT_READER_MIN_N = 2 ** 10;
export const SCRYPT_MAX_N = 2 ** 22;
/** Bound of N * r * p (which sets scrypt's memory: 128 * N * r bytes per lane). */
export const SCRYPT_MAX_COST = 2 ** 25;

export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** The `kdf` object of a key file. */
export interface KeyFileKdf extends ScryptParams {
  readonly algorithm: 'scrypt';
  /** 32 random bytes. */
  readonly salt: Buffer;
}

/** A key file, field for field as its JSON. */
export interface KeyFile {
  readonly format: typeof KEY_FILE_FORMAT;
  readonly name: string;
  readonly created: bigint;
  readonly host: string;
  readonly kdf: KeyFileKdf;
  /** 12 bytes. */
  readonly nonce: Buffer;
  /** SEAL(wrappingKey, nonce, "coffer/v1/key", secretsJSON): at least the 16-byte tag. */
  readonly ciphertext: Buffer;
}

/** The secrets a key file seals. Raw 32-byte keys; private keys are null in a write-only key. */
export interface KeySecrets {
  readonly repository: RepositoryId;
  readonly role: KeyRole;
  readonly readPublicKey: Buffer;
  readonly readPrivateKey: Buffer | null;
  readonly ownerPublicKey: Buffer;
  readonly ownerPrivateKey: Buffer | null;
  /** One entry for a write-only key (its domain); one or more for a full key. */
  readonly domains: readonly { readonly id: string; readonly writerRoot: Buffer }[];
  readonly signer: { readonly name: string; readonly publicKey: Buffer; readonly privateKey: Buffer };
}

/**
 * Throws a FormatError unless N is a power of two with minN <= N <= 2^22,
 * 1 <= r <= 32, 1 <= p <= 16 and N * r * p <= 2^25. Writers check with the
 * default minN (2^14); readers with SCRYPT_READER_MIN_N.
 */
export function validateScryptParams(params: ScryptParams, { minN = SCRYPT_MIN_N }: { minN?: number } = {}): void {
  const { N, r, p } = params;
  const fail = (problem: string): never => {
    throw new FormatError(`key file: kdf.${problem}`);
  };
  if (!isPowerOfTwo(N)) fail('N must be a power of two');
  if (N < minN || N > SCRYPT_MAX_N) fail(`N must be between ${minN} and ${SCRYPT_MAX_N}`);
  if (!Number.isInteger(r) || r < 1 || r > 32) fail('r must be an integer between 1 and 32');
  if (!Number.isInteger(p) || p < 1 || p > 16) fail('p must be an integer between 1 and 16');
  if (N * r * p > SCRYPT_MAX_COST) fail('N * r * p must be at most 2^25');
}

/** The key file's JSON, keys in the spec's order; throws a FormatError for one the decoder would refuse. */
export function encodeKeyFile(file: KeyFile): Buffer {
  const { kdf } = file;
  const json = {
    format: file.format,
    name: file.name,
    created: formatTimeNs(file.created),
    host: file.host,
    kdf: { algorithm: kdf.algorithm, N: kdf.N, r: kdf.r, p: kdf.p, salt: kdf.salt.toString('base64') },
    nonce: file.nonce.toString('base64'),
    ciphertext: file.ciphertext.toString('base64'),
  };
  keyFileFromJson(json);
  return encodeJson(json);
}

/** Decodes and validates a key file, including the scrypt bounds (with SCRYPT_READER_MIN_N). */
export function decodeKeyFile(bytes: Uint8Array): KeyFile {
  return keyFileFromJson(parseJson(bytes, 'key file'));
}

function keyFileFromJson(value: unknown): KeyFile {
  const f = JsonFields.of(value, 'key file', ['format', 'name', 'created', 'host', 'kdf', 'nonce', 'ciphertext']);
  const format = f.string('format');
  if (format !== KEY_FILE_FORMAT) {
    throw new FormatError(`key file: unknown format ${JSON.stringify(format)} (this coffer reads ${KEY_FILE_FORMAT})`);
  }
  const k = f.object('kdf', ['algorithm', 'N', 'r', 'p', 'salt']);
  const algorithm = k.oneOf('algorithm', ['scrypt'] as const);
  const N = k.integer('N', 1, Number.MAX_SAFE_INTEGER);
  const r = k.integer('r', 1, Number.MAX_SAFE_INTEGER);
  const p = k.integer('p', 1, Number.MAX_SAFE_INTEGER);
  validateScryptParams({ N, r, p }, { minN: SCRYPT_READER_MIN_N });
  const ciphertext = f.base64('ciphertext');
  if (ciphertext.length < 16) f.fail('ciphertext', 'is shorter than a tag');
  return {
    format,
    name: f.string('name'),
    created: f.time('created'),
    host: f.string('host'),
    kdf: { algorithm, N, r, p, salt: k.base64('salt', 32) },
    nonce: f.base64('nonce', 12),
    ciphertext,
  };
}

/** The secrets' JSON, keys in the spec's order (private keys omitted for write-only). */
export function encodeKeySecrets(secrets: KeySecrets): Buffer {
  const hex = (key: Buffer | null): string | undefined => (key === null ? undefined : key.toString('hex'));
  const json = {
    repository: secrets.repository,
    role: secrets.role,
    readPublicKey: hex(secrets.readPublicKey),
    readPrivateKey: hex(secrets.readPrivateKey),
    ownerPublicKey: hex(secrets.ownerPublicKey),
    ownerPrivateKey: hex(secrets.ownerPrivateKey),
    domains: secrets.domains.map((d) => ({ id: d.id, writerRoot: hex(d.writerRoot) })),
    signer: { name: secrets.signer.name, publicKey: hex(secrets.signer.publicKey), privateKey: hex(secrets.signer.privateKey) },
  };
  // JSON.stringify drops the undefined private keys of a write-only key; validate what will be written.
  const text = JSON.stringify(json);
  keySecretsFromJson(JSON.parse(text));
  return Buffer.from(text, 'utf8');
}

/** Decodes and validates the secrets: private keys present exactly for a full key, domain ids unique. */
export function decodeKeySecrets(bytes: Uint8Array): KeySecrets {
  return keySecretsFromJson(parseJson(bytes, 'key secrets'));
}

function keySecretsFromJson(value: unknown): KeySecrets {
  const f = JsonFields.of(value, 'key secrets', [
    'repository', 'role', 'readPublicKey', 'readPrivateKey', 'ownerPublicKey', 'ownerPrivateKey', 'domains', 'signer',
  ]);
  const role = f.oneOf('role', KEY_ROLES);
  const full = role === 'full';
  const privateKey = (key: string): Buffer | null => {
    if (full) return f.hex32(key);
    if (f.has(key)) f.fail(key, 'must be absent in a write-only key');
    return null;
  };
  const ids = new Set<string>();
  const domains = f.objects('domains', ['id', 'writerRoot']).map((d) => {
    const id = d.nonEmptyString('id');
    if (ids.has(id)) d.fail('id', `${JSON.stringify(id)} is listed twice`);
    ids.add(id);
    return { id, writerRoot: d.hex32('writerRoot') };
  });
  if (domains.length === 0 || (!full && domains.length !== 1)) {
    f.fail('domains', full ? 'must not be empty' : 'must hold exactly one domain in a write-only key');
  }
  const s = f.object('signer', ['name', 'publicKey', 'privateKey']);
  return {
    repository: f.id('repository', 'repository'),
    role,
    readPublicKey: f.hex32('readPublicKey'),
    readPrivateKey: privateKey('readPrivateKey'),
    ownerPublicKey: f.hex32('ownerPublicKey'),
    ownerPrivateKey: privateKey('ownerPrivateKey'),
    domains,
    signer: { name: s.string('name'), publicKey: s.hex32('publicKey'), privateKey: s.hex32('privateKey') },
  };
}
