/**
 * `repair snapshots`: for each snapshot that references data that can no
 * longer be read, saves a new snapshot without it (tree-repairer.ts) and
 * says exactly what was lost. The new snapshot keeps the old one's time,
 * host, paths and summary, gains the tag "repaired", is marked incomplete,
 * and is signed by this key's signer with its next sequence number. It has
 * no "original": a repaired copy no longer counts as a copy of its source,
 * so the next `coffer copy` brings the whole snapshot again (only the lost
 * data moves). The old snapshot is removed only with `forget`, and only
 * after the new one is stored.
 */
import { previousOfSigner } from '../archiver/backup.js';
import { CompressPool } from '../codec/index.js';
import { blobIdOf } from '../crypto/index.js';
import { describe, throwIfAborted } from '../errors.js';
import { BlobType, bytesToId, type BlobId, type Snapshot } from '../format/index.js';
import {
  BlobIndex, BlobWriter, snapshotName, writerDomain, type Repository, type SnapshotRecord,
} from '../repository/index.js';
import { displayPath } from '../source/index.js';
import { snapshotPath } from '../walker/index.js';
import { BlobAvailability } from './blob-availability.js';
import { TreeRepairer } from './tree-repairer.js';

export const REPAIRED_TAG = 'repaired';

export interface RepairSnapshotsOptions {
  readonly snapshots: readonly SnapshotRecord[];
  /** Also read every pack the snapshots use and treat blobs that do not verify as lost. */
  readonly readData?: boolean;
  /** Report what is lost, write nothing. */
  readonly dryRun?: boolean;
  /** Remove each old snapshot once its repaired version is stored. */
  readonly forget?: boolean;
  readonly program: string;
  readonly onRepair?: (repair: SnapshotRepair) => void;
  readonly onProgress?: (progress: { done: number; total: number }) => void;
  readonly signal?: AbortSignal;
}

export interface SnapshotRepair {
  readonly snapshot: string;
  /** Paths (as shown) dropped from the snapshot, and why. */
  readonly lost: readonly { readonly path: string; readonly reason: string }[];
  /** The new snapshot's id, when one was saved. */
  readonly repaired: string | null;
  /** Why nothing could be saved (the root tree itself is lost). */
  readonly unrepairable: string | null;
  readonly forgotten: boolean;
  /** Why the old snapshot could not be removed (for example storage refusing deletes). */
  readonly forgetError: string | null;
}

export async function repairSnapshots(repository: Repository, options: RepairSnapshotsOptions): Promise<SnapshotRepair[]> {
  const { signal } = options;
  const domain = writerDomain(repository.keyring);
  const availability = await BlobAvailability.create(repository, { readData: options.readData, signal });
  const pool = options.dryRun ? undefined : new CompressPool();
  // The writer deduplicates only against what it wrote itself; whether a tree blob already
  // exists is asked of `availability`, so a blob that is indexed but lost is written again.
  const writer = pool && new BlobWriter({
    backend: repository.backend, keyring: repository.keyring, index: new BlobIndex(), pool,
    packSize: repository.config.packSize, signal,
  });
  const store = async (bytes: Buffer): Promise<BlobId> => {
    const id = blobIdOf(domain.keys.idKey, BlobType.tree, bytes);
    const blobId = bytesToId('blob', id);
    if (writer && (await availability.problem(blobId, BlobType.tree)) !== undefined) await writer.add(BlobType.tree, id, bytes);
    return blobId;
  };
  const repairer = new TreeRepairer(repository, availability, store, signal);
  const results: SnapshotRepair[] = [];
  try {
    for (const [i, record] of options.snapshots.entries()) {
      throwIfAborted(signal);
      options.onProgress?.({ done: i, total: options.snapshots.length });
      const result = await repairOne(repository, record, repairer, writer, options);
      results.push(result);
      options.onRepair?.(result);
    }
    options.onProgress?.({ done: options.snapshots.length, total: options.snapshots.length });
    return results;
  } finally {
    await pool?.close();
  }
}

async function repairOne(
  repository: Repository, record: SnapshotRecord, repairer: TreeRepairer, writer: BlobWriter | undefined,
  options: RepairSnapshotsOptions,
): Promise<SnapshotRepair> {
  const { signal } = options;
  const none = { repaired: null, unrepairable: null, forgotten: false, forgetError: null };
  const repaired = await repairer.repair(record.snapshot.tree);
  if (repaired.tree === null) return { snapshot: record.id, lost: [], ...none, unrepairable: repaired.reason };
  const lost = repaired.lost.map((l) => ({ path: displayPath(snapshotPath(l.path)), reason: l.reason }));
  if (!repaired.changed || !writer) return { snapshot: record.id, lost, ...none };

  await writer.finish(); // every new tree blob and its index object are stored before the snapshot
  const old = record.snapshot;
  const { original: _copiedFrom, ...kept } = old;
  const snapshot: Snapshot = {
    ...kept,
    tree: repaired.tree,
    tags: old.tags.includes(REPAIRED_TAG) ? old.tags : [...old.tags, REPAIRED_TAG],
    domain: writerDomain(repository.keyring).id,
    signer: repository.keyring.signer.publicKey,
    ...(await previousOfSigner(repository, signal)),
    incomplete: true,
    program: options.program,
  };
  const id = await repository.saveSnapshot(snapshot, signal);
  let forgotten = false;
  let forgetError: string | null = null;
  if (options.forget) {
    try {
      await repository.backend.remove(snapshotName(record.id), { signal });
      forgotten = true;
    } catch (error) {
      throwIfAborted(signal);
      forgetError = describe(error);
    }
  }
  return { snapshot: record.id, lost, repaired: id, unrepairable: null, forgotten, forgetError };
}
