/**
 * Changing who may sign (docs/format.md "Snapshots and signer sets"): the
 * owner writes a new signer set with a higher version, adding a signer (a
 * write-only host's key) or revoking one. Both need the full key: the owner
 * key to sign the set, the read key to read the current one.
 */
import { generateRawKeyPair } from '../crypto/index.js';
import { IntegrityError, UsageError } from '../errors.js';
import { shortId, type SignerSet, type SignerSetEntry, type SnapshotId } from '../format/index.js';
import { requireOwnerKey, requireReadKey, writerDomain, type Keyring } from './keyring.js';
import type { Repository } from './repository.js';

/**
 * A write-only keyring for a new host (docs/format.md "Key files"): the
 * pinned repository id and public keys, one domain's writer root, and a
 * fresh signer key pair of its own; no read or owner private key.
 */
export function writeOnlyKeyring(full: Keyring, name: string): Keyring {
  const signer = generateRawKeyPair('ed25519');
  return {
    repositoryId: full.repositoryId,
    role: 'write-only',
    readPublicKey: full.readPublicKey,
    readPrivateKey: null,
    ownerPublicKey: full.ownerPublicKey,
    ownerPrivateKey: null,
    domains: [writerDomain(full)],
    signer: { name, ...signer },
  };
}

/** The current signer set, refusing to build on one older than this client saw (that could undo a revocation). */
async function currentSet(repository: Repository, action: string, signal?: AbortSignal): Promise<{ set: SignerSet; owner: Buffer }> {
  const owner = requireOwnerKey(repository.keyring, action);
  requireReadKey(repository.keyring, action);
  const set = await repository.loadSignerSet(signal);
  if (repository.signerSetStale) {
    throw new IntegrityError(`${action}: storage serves signer set version ${set.version}, older than one this client saw before; refusing to build on it`);
  }
  return { set, owner };
}

/** Adds a signer, by a new owner-signed signer set with the next version; returns that set. */
export async function authorizeSigner(
  repository: Repository, entry: Pick<SignerSetEntry, 'name' | 'publicKey' | 'role'>, now: bigint, signal?: AbortSignal,
): Promise<SignerSet> {
  const { set, owner } = await currentSet(repository, 'key add', signal);
  if (entry.name === '') throw new UsageError('key add: the signer needs a name');
  if (set.signers.some((s) => s.name === entry.name)) throw new UsageError(`key add: a signer named "${entry.name}" exists already`);
  const next: SignerSet = {
    ...set, version: set.version + 1,
    signers: [...set.signers, { ...entry, added: now, revoked: null, trustedSnapshots: [] }],
  };
  await repository.saveSignerSet(next, owner, signal);
  return next;
}

/** Finds one signer by exact name, or by a public key prefix of at least 8 hex digits. */
export function findSigner(set: SignerSet, ref: string): SignerSetEntry {
  const byName = set.signers.filter((s) => s.name === ref);
  const matches = byName.length > 0 || !/^[0-9a-f]{8,64}$/.test(ref)
    ? byName
    : set.signers.filter((s) => s.publicKey.toString('hex').startsWith(ref));
  if (matches.length === 0) throw new UsageError(`no signer "${ref}" in the signer set (see key signers)`);
  if (matches.length > 1) throw new UsageError(`"${ref}" names ${matches.length} signers; give a public key prefix instead`);
  return matches[0]!;
}

/**
 * Revokes a signer: a new signer set marks it revoked and lists the
 * snapshots it signed that the owner sees now and that verify. Those keep
 * counting; any other snapshot it signs (later, or hidden from the owner
 * now) is flagged. Returns the revoked entry.
 */
export async function revokeSigner(repository: Repository, ref: string, now: bigint, signal?: AbortSignal): Promise<SignerSetEntry> {
  const { set, owner } = await currentSet(repository, 'key revoke', signal);
  const target = findSigner(set, ref);
  if (target.revoked !== null) throw new UsageError(`key revoke: signer "${target.name}" was revoked already`);
  if (target.publicKey.equals(repository.keyring.signer.publicKey)) {
    throw new UsageError(`key revoke: "${target.name}" is the signer of the key in use; revoke it with another full key`);
  }
  const { snapshots } = await repository.listSnapshots(signal);
  const trustedSnapshots = snapshots
    .filter((r) => r.verified && r.snapshot.signer.equals(target.publicKey))
    .map((r) => r.id as SnapshotId);
  const revoked: SignerSetEntry = { ...target, revoked: now, trustedSnapshots };
  const next: SignerSet = {
    ...set, version: set.version + 1,
    signers: set.signers.map((s) => (s.publicKey.equals(target.publicKey) ? revoked : s)),
  };
  await repository.saveSignerSet(next, owner, signal);
  return revoked;
}

/** For messages: `name (1a2b3c4d)`. */
export function describeSigner(entry: Pick<SignerSetEntry, 'name' | 'publicKey'>): string {
  return `${entry.name} (${shortId(entry.publicKey.toString('hex'))})`;
}
