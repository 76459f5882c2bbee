/**
 * `coffer copy`: copies verified snapshots from a source repository into a
 * target repository, skipping those the target already holds a copy of
 * (a verified target snapshot whose "original" names the source snapshot,
 * docs/format.md "Snapshots"). Each copy is written like a backup: packs
 * through the target's blob writer and pack journal, index objects, then
 * the snapshot last, signed by the target's signer with its sequence and
 * previous. An interrupted copy leaves journaled packs that the next run
 * indexes and reuses, and every snapshot finished before the interruption
 * is not copied again.
 */
import { join } from 'node:path';
import { previousOfSigner } from '../archiver/backup.js';
import { CompressPool } from '../codec/index.js';
import { blobIdOf } from '../crypto/index.js';
import { CofferError, UsageError } from '../errors.js';
import type { BlobId, RepositoryId, Snapshot, SnapshotId } from '../format/index.js';
import {
  BlobWriter, GcSession, PackJournal, recoverJournaledPacks, writerDomain, type Repository, type SnapshotRecord,
} from '../repository/index.js';
import type { PauseGate } from '../pause-file.js';
import { TreeCopier, type CopiedPair, type CopyProgress } from './tree-copier.js';

export interface CopyOptions {
  /** Source snapshots to copy, verified, oldest first. */
  readonly snapshots: readonly SnapshotRecord[];
  /** The target's cache directory (for its pack journal), or null. */
  readonly cacheDir: string | null;
  readonly program: string;
  readonly clock: () => number;
  readonly pause?: PauseGate;
  readonly onCopy?: (event: CopyEvent) => void;
  readonly onProgress?: (progress: CopyProgress) => void;
  readonly signal?: AbortSignal;
  /** The smallest gc window plans may have (MIN_GC_WINDOW_MS unless a test lowers it). */
  readonly gcMinWindowMs?: number;
}

export type CopyEvent =
  | { readonly type: 'skip'; readonly source: string; readonly target: string }
  | { readonly type: 'copy'; readonly source: string; readonly target: string; readonly stats: CopyStats }
  | { readonly type: 'fail'; readonly source: string; readonly error: CofferError | Error };

export interface CopyStats {
  readonly files: number;
  readonly filesReused: number;
  readonly dirs: number;
  readonly dirsReused: number;
  readonly bytesRead: number;
  readonly bytesAdded: number;
  readonly packsAdded: number;
  readonly durationMs: number;
}

export interface CopyResult {
  readonly copied: number;
  readonly skipped: number;
  readonly failed: number;
  readonly recoveredPacks: number;
}

/** Errors that mean "this source snapshot cannot be read whole": reported, and the next snapshot is copied. */
const SOURCE_DAMAGE = new Set(['INTEGRITY', 'FORMAT', 'NOT_FOUND']);

export async function copySnapshots(source: Repository, target: Repository, options: CopyOptions): Promise<CopyResult> {
  const { signal, pause } = options;
  if (source.repositoryId === target.repositoryId) throw new UsageError('copy: source and target are the same repository');
  await pause?.wait(signal);
  // Copying writes snapshots: it follows the gc writer protocol like a backup (docs/format.md "Writers").
  const gc = await GcSession.start({ backend: target.backend, keyring: target.keyring, minWindowMs: options.gcMinWindowMs, signal });
  const journalDir = options.cacheDir ? join(options.cacheDir, 'journal') : null;
  const recoveredPacks = journalDir ? await recoverJournaledPacks(target, journalDir, signal, (pack) => gc.isDoomed(pack)) : 0;
  const copies = await existingCopies(source, target, signal);
  const domain = writerDomain(target.keyring);
  const pool = new CompressPool();
  const journal = journalDir ? await PackJournal.create(journalDir) : undefined;
  const result = { copied: 0, skipped: 0, failed: 0, recoveredPacks };
  try {
    for (const record of options.snapshots) {
      const done = copies.get(record.id);
      if (done) {
        result.skipped += 1;
        options.onCopy?.({ type: 'skip', source: record.id, target: done.id });
        continue;
      }
      const started = options.clock();
      const writer = new BlobWriter({
        backend: target.backend, keyring: target.keyring, index: target.index, pool,
        packSize: target.config.packSize, journal, signal, gate: pause, gc,
      });
      const copier = new TreeCopier(source, {
        chunker: target.domainConfig(domain.id).chunker,
        gear: domain.gear,
        blobIdOf: (type, data) => blobIdOf(domain.keys.idKey, type, data),
        knows: (id) => writer.knows(id),
        add: async (type, id, data) => {
          await pause?.wait(signal);
          return writer.add(type, id, data);
        },
        loadTreeBlob: (id, s) => target.loadTreeBlob(id, s),
      }, { onProgress: options.onProgress, signal });
      let tree: BlobId;
      try {
        tree = await copier.copy(record.snapshot.tree, await parentPair(source, record, copies, signal));
      } catch (error) {
        if (!(error instanceof CofferError && SOURCE_DAMAGE.has(error.code))) throw error;
        await writer.finish(); // keep what was stored: the blobs are valid and a later copy reuses them
        result.failed += 1;
        options.onCopy?.({ type: 'fail', source: record.id, error });
        continue;
      }
      const stats = await writer.finish();
      const copied = copySnapshot(record, tree, {
        sourceRepository: source.config.repository, target, domain: domain.id, program: options.program,
        chain: await previousOfSigner(target, signal),
        summary: { bytesAdded: stats.storedBytesAdded, packsAdded: stats.packsAdded, durationMs: Math.round(options.clock() - started) },
      });
      await gc.beforeSnapshot();
      const id = await target.saveSnapshot(copied, signal);
      await journal?.discard();
      copies.set(record.id, { id, snapshot: copied });
      result.copied += 1;
      const p = copier.progress;
      options.onCopy?.({
        type: 'copy', source: record.id, target: id,
        stats: {
          files: p.files, filesReused: p.filesReused, dirs: p.dirs, dirsReused: p.dirsReused, bytesRead: p.bytesRead,
          bytesAdded: copied.summary.bytesAdded, packsAdded: copied.summary.packsAdded, durationMs: copied.summary.durationMs,
        },
      });
    }
    return result;
  } finally {
    gc.close();
    await pool.close();
  }
}

interface TargetCopy {
  readonly id: string;
  readonly snapshot: Snapshot;
}

/** Source snapshot id -> its verified copy in the target. */
async function existingCopies(source: Repository, target: Repository, signal?: AbortSignal): Promise<Map<string, TargetCopy>> {
  const copies = new Map<string, TargetCopy>();
  // Only verified snapshots count: a forged "copy" must not stop the real one from being made.
  for (const record of (await target.listSnapshots(signal)).snapshots) {
    const original = record.snapshot.original;
    if (record.verified && original?.repository === source.repositoryId) copies.set(original.snapshot, record);
  }
  return copies;
}

/**
 * The newest earlier copy of a snapshot with the same host and paths whose
 * source snapshot still opens, to reuse unchanged directories and files.
 */
async function parentPair(
  source: Repository, record: SnapshotRecord, copies: ReadonlyMap<string, TargetCopy>, signal?: AbortSignal,
): Promise<CopiedPair | undefined> {
  const same = (s: Snapshot) => s.hostname === record.snapshot.hostname
    && s.paths.length === record.snapshot.paths.length && s.paths.every((p, i) => p === record.snapshot.paths[i]);
  const candidates = [...copies].filter(([, copy]) => same(copy.snapshot))
    .sort(([, a], [, b]) => (a.snapshot.time < b.snapshot.time ? 1 : a.snapshot.time > b.snapshot.time ? -1 : 0));
  for (const [sourceId, copy] of candidates.slice(0, 3)) {
    try {
      const parent = await source.loadSnapshot(sourceId, signal);
      if (parent.verified) return { source: parent.snapshot.tree, target: copy.snapshot.tree };
    } catch (error) {
      // A forgotten or damaged source snapshot: try the next.
      if (signal?.aborted) throw error;
    }
  }
  return undefined;
}

/** The target's snapshot for a copy: the source's fields, the target's tree, domain, signer and chain. */
function copySnapshot(
  record: SnapshotRecord, tree: Snapshot['tree'],
  made: {
    sourceRepository: RepositoryId; target: Repository; domain: string; program: string;
    chain: { sequence: number; previous: SnapshotId | null };
    summary: Pick<Snapshot['summary'], 'bytesAdded' | 'packsAdded' | 'durationMs'>;
  },
): Snapshot {
  const s = record.snapshot;
  return {
    format: 1,
    time: s.time,
    tree,
    paths: s.paths,
    hostname: s.hostname,
    username: s.username,
    tags: s.tags,
    domain: made.domain,
    signer: made.target.keyring.signer.publicKey,
    sequence: made.chain.sequence,
    previous: made.chain.previous,
    incomplete: s.incomplete,
    program: made.program,
    // What the original backup found; what this copy added to the target.
    summary: { ...s.summary, ...made.summary },
    original: { repository: made.sourceRepository, snapshot: record.id as SnapshotId },
  };
}
