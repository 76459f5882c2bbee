/**
 * Key export (docs/format.md "Key export", docs/security.md "Offline
 * keys"): the secrets of a full key as text to print and keep offline,
 * optionally sealed under a passphrase, and the way back to a keyring.
 */
import { deriveWrappingKey, DEFAULT_SCRYPT, open, publicFromPrivate, randomBytes, seal, sha256, type ScryptParams } from '../crypto/index.js';
import { FormatError, IntegrityError, WrongPasswordError } from '../errors.js';
import {
  decodeExportSecrets, decodeKeyExportPayload, encodeExportSecrets, encodeKeyExportHead, encodeKeyExportPayload,
  KEY_EXPORT_FINGERPRINT_LENGTH, validateScryptParams, type ExportSecrets, type KeyExportPayload, type RepositoryId,
} from '../format/index.js';
import { parseKeyExport, renderKeyExport } from './key-export-text.js';
import { keyringOf } from './key-files.js';
import { requireOwnerKey, requireReadKey, type Keyring } from './keyring.js';

const FINGERPRINT_LABEL = Buffer.from('coffer/v1/key-export/fingerprint', 'ascii');

/** A key export read from text, checksums verified, not yet opened. */
export interface ParsedKeyExport {
  /** 64 hex digits. */
  readonly repository: string;
  /** 32 hex digits: identifies the secrets without revealing them. */
  readonly fingerprint: string;
  readonly protected: boolean;
  readonly payload: KeyExportPayload;
}

function exportSecretsOf(keyring: Keyring): ExportSecrets {
  return {
    readPrivateKey: requireReadKey(keyring, 'key export'),
    ownerPrivateKey: requireOwnerKey(keyring, 'key export'),
    signer: { name: keyring.signer.name, privateKey: keyring.signer.privateKey },
    domains: keyring.domains.map((d) => ({ id: d.id, writerRoot: d.writerRoot })),
  };
}

function fingerprintOf(secrets: Uint8Array): Buffer {
  return sha256(Buffer.concat([FINGERPRINT_LABEL, secrets])).subarray(0, KEY_EXPORT_FINGERPRINT_LENGTH);
}

/** The fingerprint an export of this (full) keyring carries, as 32 hex digits. */
export function keyExportFingerprint(keyring: Keyring): string {
  return fingerprintOf(encodeExportSecrets(exportSecretsOf(keyring))).toString('hex');
}

/**
 * The printable export of a full key; sealed under `passphrase` (scrypt with
 * `kdf`, fresh salt and nonce) when one is given. A write-only key cannot be
 * exported: PermissionError.
 */
export async function exportKey(keyring: Keyring, options: { passphrase?: string; kdf?: ScryptParams } = {}): Promise<string> {
  const secrets = encodeExportSecrets(exportSecretsOf(keyring));
  const base = { repository: keyring.repositoryId, fingerprint: fingerprintOf(secrets) };
  let payload: KeyExportPayload;
  if (options.passphrase === undefined) {
    payload = { ...base, protection: { kind: 'none', secrets } };
  } else {
    const kdf = options.kdf ?? DEFAULT_SCRYPT;
    validateScryptParams(kdf);
    const protection = { kind: 'scrypt' as const, kdf, salt: randomBytes(16), nonce: randomBytes(12), sealed: Buffer.alloc(0) };
    const head = encodeKeyExportHead({ ...base, protection });
    const key = await deriveWrappingKey(options.passphrase, protection.salt, kdf);
    payload = { ...base, protection: { ...protection, sealed: seal(key, protection.nonce, head, secrets) } };
  }
  const { protection } = payload;
  return renderKeyExport({
    repository: keyring.repositoryId.toString('hex'),
    protection: protection.kind === 'none' ? 'none' : `passphrase (scrypt N=${protection.kdf.N} r=${protection.kdf.r} p=${protection.kdf.p})`,
  }, encodeKeyExportPayload(payload));
}

/** Reads an export's text: checksums and structure verified (FormatError naming the line), secrets not opened. */
export function readKeyExport(text: string): ParsedKeyExport {
  const { header, payload: bytes } = parseKeyExport(text);
  const payload = decodeKeyExportPayload(bytes);
  const repository = payload.repository.toString('hex');
  if (header.repository !== repository) {
    throw new FormatError(`key export: the repository line says ${header.repository.slice(0, 8)} but the key is for ${repository.slice(0, 8)}`);
  }
  const isProtected = payload.protection.kind !== 'none';
  if (header.protection !== '' && /^none$/i.test(header.protection) === isProtected) {
    throw new FormatError(`key export: the protection line says "${header.protection}" but the key is ${isProtected ? '' : 'not '}sealed under a passphrase`);
  }
  return { repository, fingerprint: payload.fingerprint.toString('hex'), protected: isProtected, payload };
}

/**
 * The full keyring an export holds. A protected export asks `passphrase()`;
 * a wrong one is a WrongPasswordError. Public keys are derived from the
 * private ones; the caller checks them against the repository's `config`.
 */
export async function keyringFromExport(parsed: ParsedKeyExport, passphrase: () => Promise<string>): Promise<Keyring> {
  const { payload } = parsed;
  const { protection } = payload;
  let secretBytes: Buffer;
  if (protection.kind === 'none') {
    secretBytes = protection.secrets;
  } else {
    const key = await deriveWrappingKey(await passphrase(), protection.salt, protection.kdf);
    try {
      secretBytes = open(key, protection.nonce, encodeKeyExportHead(payload), protection.sealed, 'key export');
    } catch (error) {
      if (error instanceof IntegrityError) throw new WrongPasswordError('wrong passphrase for the key export', { cause: error });
      throw error;
    }
  }
  if (!fingerprintOf(secretBytes).equals(payload.fingerprint)) {
    throw new IntegrityError('key export: the secrets do not match the export\'s fingerprint');
  }
  const secrets = decodeExportSecrets(secretBytes);
  return keyringOf({
    repository: parsed.repository as RepositoryId,
    role: 'full',
    readPublicKey: publicFromPrivate('x25519', secrets.readPrivateKey),
    readPrivateKey: secrets.readPrivateKey,
    ownerPublicKey: publicFromPrivate('ed25519', secrets.ownerPrivateKey),
    ownerPrivateKey: secrets.ownerPrivateKey,
    domains: secrets.domains,
    signer: { name: secrets.signer.name, publicKey: publicFromPrivate('ed25519', secrets.signer.privateKey), privateKey: secrets.signer.privateKey },
  });
}
