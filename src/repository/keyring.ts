/**
 * The secrets a key file unlocks, in memory (docs/format.md "Secrets and
 * roles"). A write-only keyring has no read or owner private key, so code
 * that needs them asks through `requireReadKey`/`requireOwnerKey`, which
 * fail with a clear PermissionError.
 */
import { deriveDomainKeys, deriveGearTable, generateRawKeyPair, randomBytes, type DomainKeys } from '../crypto/index.js';
import { PermissionError } from '../errors.js';

export type Role = 'full' | 'write-only';

export interface Domain {
  readonly id: string;
  readonly writerRoot: Buffer;
  readonly keys: DomainKeys;
  readonly gear: Uint32Array;
}

export interface Signer {
  readonly name: string;
  readonly publicKey: Buffer;
  readonly privateKey: Buffer;
}

export interface Keyring {
  readonly repositoryId: Buffer;
  readonly role: Role;
  readonly readPublicKey: Buffer;
  readonly readPrivateKey: Buffer | null;
  readonly ownerPublicKey: Buffer;
  readonly ownerPrivateKey: Buffer | null;
  readonly domains: readonly Domain[];
  readonly signer: Signer;
}

export function makeDomain(id: string, writerRoot: Buffer, repositoryId: Buffer): Domain {
  const keys = deriveDomainKeys(writerRoot, repositoryId);
  return { id, writerRoot, keys, gear: deriveGearTable(keys.chunkerSeed) };
}

/** A brand-new full keyring, for `init`. */
export function generateKeyring(signerName: string): Keyring {
  const repositoryId = randomBytes(32);
  const read = generateRawKeyPair('x25519');
  const owner = generateRawKeyPair('ed25519');
  const signer = generateRawKeyPair('ed25519');
  return {
    repositoryId,
    role: 'full',
    readPublicKey: read.publicKey,
    readPrivateKey: read.privateKey,
    ownerPublicKey: owner.publicKey,
    ownerPrivateKey: owner.privateKey,
    domains: [makeDomain('default', randomBytes(32), repositoryId)],
    signer: { name: signerName, ...signer },
  };
}

export function requireReadKey(keyring: Keyring, action: string): Buffer {
  if (!keyring.readPrivateKey) throw new PermissionError(`${action}: this key can only write backups, not read them (a write-only key)`);
  return keyring.readPrivateKey;
}

export function requireOwnerKey(keyring: Keyring, action: string): Buffer {
  if (!keyring.ownerPrivateKey) throw new PermissionError(`${action}: this needs the repository's full key`);
  return keyring.ownerPrivateKey;
}

/** The domain a writer uses (the first one it holds). */
export function writerDomain(keyring: Keyring): Domain {
  const domain = keyring.domains[0];
  if (!domain) throw new PermissionError('this key holds no dedup domain');
  return domain;
}
