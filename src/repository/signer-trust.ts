/**
 * Who may sign what (docs/format.md "Snapshots and signer sets", "Index
 * objects"): the owner-signed signer set, plus the signer pinned in the key
 * file in use, decide whether a snapshot counts and how far an index
 * object's entries are trusted. Pure: the repository supplies the set.
 */
import type { SignerSet } from '../format/index.js';
import { Trust } from './blob-index.js';
import type { Keyring } from './keyring.js';

/** Why a snapshot does or does not count. */
export type SnapshotStatus =
  /** Signed by an authorized signer (or by a revoked one before its revocation). */
  | 'verified'
  /** The signature does not verify, or the snapshot names another signer than the one that signed it. */
  | 'bad-signature'
  /** Signed by a key the signer set does not list. */
  | 'unknown-signer'
  /** Signed by a revoked signer, and not among the snapshots the owner kept when revoking it. */
  | 'revoked-signer';

export interface KnownSigner {
  readonly name: string;
  readonly revoked: boolean;
  /** For a revoked signer: its snapshots that still count. */
  readonly trustedSnapshots: ReadonlySet<string>;
}

/**
 * Every signer the set lists (revoked ones included), by public key (hex),
 * plus this key's own signer, which is pinned in the key file and so known
 * even when no valid signer set can be read, unless the set revokes it.
 */
export function knownSigners(set: SignerSet | undefined, keyring: Keyring): Map<string, KnownSigner> {
  const signers = new Map<string, KnownSigner>();
  for (const s of set?.signers ?? []) {
    signers.set(s.publicKey.toString('hex'), { name: s.name, revoked: s.revoked !== null, trustedSnapshots: new Set(s.trustedSnapshots) });
  }
  const own = keyring.signer.publicKey.toString('hex');
  if (!signers.has(own)) signers.set(own, { name: keyring.signer.name, revoked: false, trustedSnapshots: new Set() });
  return signers;
}

/** Whether a snapshot counts, given its signature check and signer. */
export function snapshotStatus(
  id: string, signatureValid: boolean, signer: KnownSigner | undefined,
): SnapshotStatus {
  if (!signatureValid) return 'bad-signature';
  if (!signer) return 'unknown-signer';
  if (signer.revoked && !signer.trustedSnapshots.has(id)) return 'revoked-signer';
  return 'verified';
}

/**
 * How far the entries of an index object signed by `signerHex` are
 * trusted, or undefined when they are ignored. `signers` is undefined for a
 * key that cannot read the signer set (a write-only key): it keeps only the
 * owner's entries and its own, the only ones it deduplicates against anyway.
 */
export function indexTrust(signerHex: string, keyring: Keyring, signers: ReadonlyMap<string, KnownSigner> | undefined): Trust | undefined {
  if (signerHex === keyring.ownerPublicKey.toString('hex')) return Trust.owner;
  if (signerHex === keyring.signer.publicKey.toString('hex')) {
    return signers?.get(signerHex)?.revoked ? Trust.revoked : Trust.own;
  }
  if (!signers) return undefined;
  const known = signers.get(signerHex);
  if (!known) return undefined;
  return known.revoked ? Trust.revoked : Trust.signer;
}
