/**
 * The binary payload of a key export (docs/format.md "Key export"): the
 * secrets of a full key in as few bytes as possible (public keys are
 * derived from private ones on import), optionally sealed under a
 * passphrase. The text form around it (lines, checksums) is in
 * src/repository/key-export-text.ts.
 */
import { FormatError } from '../errors.js';
import { ByteReader } from './byte-reader.js';
import { validateScryptParams, SCRYPT_READER_MIN_N, type ScryptParams } from './key-file.js';

export const KEY_EXPORT_VERSION = 1;
export const KEY_EXPORT_FINGERPRINT_LENGTH = 16;

/** What a full key holds that cannot be derived: private keys, writer roots, names. */
export interface ExportSecrets {
  readonly readPrivateKey: Buffer;
  readonly ownerPrivateKey: Buffer;
  readonly signer: { readonly name: string; readonly privateKey: Buffer };
  readonly domains: readonly { readonly id: string; readonly writerRoot: Buffer }[];
}

export type KeyExportProtection =
  | { readonly kind: 'none'; readonly secrets: Buffer }
  | {
    readonly kind: 'scrypt';
    readonly kdf: ScryptParams;
    /** 16 bytes. */
    readonly salt: Buffer;
    /** 12 bytes. */
    readonly nonce: Buffer;
    /** SEAL(scrypt key, nonce, aad = the payload up to here, secrets bytes). */
    readonly sealed: Buffer;
  };

export interface KeyExportPayload {
  readonly repository: Buffer;
  /** First 16 bytes of SHA256("coffer/v1/key-export/fingerprint" || secrets bytes). */
  readonly fingerprint: Buffer;
  readonly protection: KeyExportProtection;
}

const KIND = { none: 0, scrypt: 1 } as const;

function shortString(value: string, what: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > 255) throw new FormatError(`key export: ${what} is longer than 255 bytes`);
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

function key32(bytes: Buffer, what: string): Buffer {
  if (bytes.length !== 32) throw new FormatError(`key export: ${what} must be 32 bytes`);
  return bytes;
}

/** readPrivate(32) || ownerPrivate(32) || signerPrivate(32) || str(signerName) || u8(n) || n x (str(id) || writerRoot(32)). */
export function encodeExportSecrets(secrets: ExportSecrets): Buffer {
  if (secrets.domains.length === 0 || secrets.domains.length > 255) throw new FormatError('key export: 1 to 255 domains');
  return Buffer.concat([
    key32(secrets.readPrivateKey, 'read private key'),
    key32(secrets.ownerPrivateKey, 'owner private key'),
    key32(secrets.signer.privateKey, 'signer private key'),
    shortString(secrets.signer.name, 'signer name'),
    Buffer.from([secrets.domains.length]),
    ...secrets.domains.map((d) => Buffer.concat([shortString(d.id, 'domain id'), key32(d.writerRoot, 'writer root')])),
  ]);
}

export function decodeExportSecrets(bytes: Uint8Array): ExportSecrets {
  const r = new ByteReader(bytes, 'key export secrets');
  const readPrivateKey = Buffer.from(r.take(32, 'read private key'));
  const ownerPrivateKey = Buffer.from(r.take(32, 'owner private key'));
  const signerPrivateKey = Buffer.from(r.take(32, 'signer private key'));
  const signerName = readShortString(r, 'signer name');
  const count = r.u8('domain count');
  if (count === 0) throw new FormatError('key export secrets: no domain');
  const domains: { id: string; writerRoot: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    const id = readShortString(r, 'domain id');
    if (id === '' || domains.some((d) => d.id === id)) throw new FormatError(`key export secrets: domain id ${JSON.stringify(id)} is empty or repeated`);
    domains.push({ id, writerRoot: Buffer.from(r.take(32, 'writer root')) });
  }
  r.end();
  return { readPrivateKey, ownerPrivateKey, signer: { name: signerName, privateKey: signerPrivateKey }, domains };
}

function readShortString(r: ByteReader, what: string): string {
  const bytes = Buffer.from(r.take(r.u8(`${what} length`), what));
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) throw new FormatError(`key export secrets: ${what} is not valid utf-8`);
  return text;
}

/** The bytes before the sealed secrets of a protected export: its AAD. */
export function encodeKeyExportHead(payload: KeyExportPayload): Buffer {
  const { protection } = payload;
  const head = [
    Buffer.from([KEY_EXPORT_VERSION, KIND[protection.kind]]),
    key32(payload.repository, 'repository id'),
    payload.fingerprint,
  ];
  if (payload.fingerprint.length !== KEY_EXPORT_FINGERPRINT_LENGTH) throw new FormatError('key export: fingerprint must be 16 bytes');
  if (protection.kind === 'scrypt') {
    validateScryptParams(protection.kdf, { minN: SCRYPT_READER_MIN_N });
    if (protection.salt.length !== 16 || protection.nonce.length !== 12) throw new FormatError('key export: salt 16 bytes, nonce 12');
    head.push(Buffer.from([Math.log2(protection.kdf.N), protection.kdf.r, protection.kdf.p]), protection.salt, protection.nonce);
  }
  return Buffer.concat(head);
}

/**
 * u8(version = 1) || u8(kind: 0 none, 1 scrypt) || repository(32) || fingerprint(16)
 * || [kind 1: u8(log2 N) || u8(r) || u8(p) || salt(16) || nonce(12)] || secrets or sealed secrets
 */
export function encodeKeyExportPayload(payload: KeyExportPayload): Buffer {
  const { protection } = payload;
  return Buffer.concat([encodeKeyExportHead(payload), protection.kind === 'none' ? protection.secrets : protection.sealed]);
}

export function decodeKeyExportPayload(bytes: Uint8Array): KeyExportPayload {
  const r = new ByteReader(bytes, 'key export');
  const version = r.u8('version');
  if (version !== KEY_EXPORT_VERSION) throw new FormatError(`key export: unknown version ${version} (this coffer reads ${KEY_EXPORT_VERSION})`);
  const kind = r.u8('protection');
  const repository = Buffer.from(r.take(32, 'repository id'));
  const fingerprint = Buffer.from(r.take(KEY_EXPORT_FINGERPRINT_LENGTH, 'fingerprint'));
  if (kind === KIND.none) return { repository, fingerprint, protection: { kind: 'none', secrets: Buffer.from(r.take(r.remaining, 'secrets')) } };
  if (kind !== KIND.scrypt) throw new FormatError(`key export: unknown protection ${kind}`);
  const logN = r.u8('scrypt log2 N');
  if (logN > 30) throw new FormatError('key export: scrypt N out of range');
  const kdf = { N: 2 ** logN, r: r.u8('scrypt r'), p: r.u8('scrypt p') };
  try {
    validateScryptParams(kdf, { minN: SCRYPT_READER_MIN_N });
  } catch (error) {
    throw new FormatError(`key export: ${(error as Error).message.replace(/^key file: /, '')}`);
  }
  const salt = Buffer.from(r.take(16, 'salt'));
  const nonce = Buffer.from(r.take(12, 'nonce'));
  const sealed = Buffer.from(r.take(r.remaining, 'sealed secrets'));
  if (sealed.length < 16) throw new FormatError('key export: sealed secrets shorter than a tag');
  return { repository, fingerprint, protection: { kind: 'scrypt', kdf, salt, nonce, sealed } };
}
