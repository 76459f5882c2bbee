/**
 * Forget records (docs/format.md "Forget records"): before `forget` or
 * `repair snapshots --forget` deletes snapshots, the owner saves a signed
 * list of them, so `check` accepts exactly those gaps in the signers'
 * chains. Only records signed by the owner key count: storage can delete
 * snapshots but cannot forge a record that excuses the gap.
 */
import { describe, IntegrityError, throwIfAborted } from '../errors.js';
import {
  decodeForgetRecordJson, encodeForgetRecordJson, shortId, type ForgetRecord, type ForgottenSnapshot, type RepositoryId,
  type SnapshotId,
} from '../format/index.js';
import { requireOwnerKey, requireReadKey } from './keyring.js';
import { forgottenName, idOfName } from './layout.js';
import type { Repository, RepositoryIssue, SnapshotRecord } from './repository.js';
import { openDocument, sealDocument } from './sealed-document.js';

/** A snapshot about to be deleted, as a forget record lists it. */
export function forgottenSnapshotOf(record: Pick<SnapshotRecord, 'id' | 'snapshot'>): ForgottenSnapshot {
  return { id: record.id as SnapshotId, signer: record.snapshot.signer, sequence: record.snapshot.sequence };
}

/**
 * Saves an owner-signed record of `snapshots` (which the caller deletes
 * only after this returns); returns the record's id. Needs the full key.
 */
export async function saveForgetRecord(
  repository: Repository, snapshots: readonly ForgottenSnapshot[], now: bigint, action: string, signal?: AbortSignal,
): Promise<string> {
  const ownerPrivateKey = requireOwnerKey(repository.keyring, action);
  const record: ForgetRecord = { format: 1, repository: repository.repositoryId as RepositoryId, time: now, snapshots };
  const sealed = sealDocument('forgotten', encodeForgetRecordJson(record),
    { publicKey: repository.keyring.ownerPublicKey, privateKey: ownerPrivateKey }, repository.keyring.readPublicKey);
  await repository.backend.save(forgottenName(sealed.id), sealed.bytes, { signal });
  return sealed.id;
}

/**
 * Every forgotten snapshot that an authentic record lists. A record that
 * does not open, is not signed by the owner key or names another
 * repository is returned as an issue and excuses nothing.
 */
export async function loadForgottenSnapshots(
  repository: Repository, signal?: AbortSignal,
): Promise<{ snapshots: ForgottenSnapshot[]; issues: RepositoryIssue[] }> {
  const readPrivate = requireReadKey(repository.keyring, 'read forget records');
  const snapshots: ForgottenSnapshot[] = [];
  const issues: RepositoryIssue[] = [];
  for await (const object of repository.backend.list('forgotten/', { signal })) {
    const id = idOfName(object.name);
    try {
      const doc = openDocument('forgotten', id, await repository.backend.load(object.name, { signal }), readPrivate, repository.keyring.readPublicKey);
      if (!doc.signatureValid || !doc.signerPublicKey.equals(repository.keyring.ownerPublicKey)) {
        throw new IntegrityError('not signed by the owner key');
      }
      const record = decodeForgetRecordJson(doc.json);
      if (record.repository !== repository.repositoryId) {
        throw new IntegrityError('belongs to another repository');
      }
      snapshots.push(...record.snapshots);
    } catch (error) {
      throwIfAborted(signal);
      // A damaged or forged record never excuses a gap; check reports it.
      issues.push({ object: object.name, message: `forget record ${shortId(id)}: ${describe(error)}; it excuses no deleted snapshot` });
    }
  }
  return { snapshots, issues };
}
