/**
 * One backup run: recover interrupted work, archive the sources through a
 * blob writer, wait until every pack and index object is stored, then write
 * the snapshot last (docs/format.md "Order of writes"). A gc session keeps
 * the backup safe from a concurrent prune (docs/format.md "Writers"); the
 * index is loaded here, after the plans.
 */
import { hostname as osHostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { blobIdOf } from '../crypto/index.js';
import { CompressPool } from '../codec/index.js';
import type { Warning } from '../errors.js';
import { bytesToId, type Snapshot, type SnapshotId } from '../format/index.js';
import {
  BlobWriter, GcSession, PackJournal, recoverJournaledPacks, writerDomain, type ClockReading, type GcSessionStats,
  type Repository, type WriterStats,
} from '../repository/index.js';
import type { PauseGate } from '../pause-file.js';
import type { Excluder } from '../source/index.js';
import { Archiver, type ArchiveProgress, type ArchiveSummary } from './archiver.js';
import type { BlobSink } from './blob-sink.js';
import { FileWorkers } from './file-workers.js';
import { FilesCache } from './files-cache.js';
import { archiveStream, type StreamSource } from './stream-archiver.js';

export interface BackupOptions {
  readonly paths: readonly string[];
  /** Back up this stream as one file instead of `paths` (`backup --stdin`). */
  readonly stream?: StreamSource;
  readonly excluder: Excluder;
  readonly oneFileSystem?: boolean;
  readonly tags?: readonly string[];
  readonly hostname?: string;
  /** Snapshot time, nanoseconds since the epoch: now, or an imported backup's own date (`backup --time`). */
  readonly now: bigint;
  readonly clock: () => number;
  /** Per-repository cache directory, or null for no cache. */
  readonly cacheDir: string | null;
  readonly program: string;
  readonly onWarning?: (warning: Warning) => void;
  readonly onProgress?: (progress: ArchiveProgress) => void;
  readonly signal?: AbortSignal;
  /** Reading and uploading wait here while paused (`--pause-file`). */
  readonly pause?: PauseGate;
  /** The smallest gc window plans may have (MIN_GC_WINDOW_MS unless a test lowers it). */
  readonly gcMinWindowMs?: number;
  /** The writer's clocks, for the gc session's elapsed time (docs/format.md "Writers"). */
  readonly gcClock?: () => ClockReading;
}

export interface BackupResult {
  readonly snapshotId: SnapshotId;
  readonly snapshot: Snapshot;
  readonly summary: ArchiveSummary;
  readonly writer: WriterStats;
  readonly recoveredPacks: number;
  readonly gc: GcSessionStats;
}

export async function backup(repository: Repository, options: BackupOptions): Promise<BackupResult> {
  const started = options.clock();
  const { signal, pause } = options;
  await pause?.wait(signal);
  const domain = writerDomain(repository.keyring);
  const chunker = repository.domainConfig(domain.id).chunker;
  // Plans before the index (docs/format.md "Writers"): never deduplicate against packs prune is collecting.
  const gc = await GcSession.start({
    backend: repository.backend, keyring: repository.keyring, minWindowMs: options.gcMinWindowMs, clock: options.gcClock, signal,
  });
  await repository.loadIndex(signal);
  const journalDir = options.cacheDir ? join(options.cacheDir, 'journal') : null;
  const recoveredPacks = journalDir ? await recoverJournaledPacks(repository, journalDir, signal, (pack) => gc.isDoomed(pack)) : 0;
  const cache = options.cacheDir ? await FilesCache.load(join(options.cacheDir, `files-${domain.id}.json`)) : FilesCache.disabled();
  const pool = new CompressPool({ threads: 0 }); // tree blobs only, compressed inline
  const workers = new FileWorkers({ chunker, gear: domain.gear, idKey: domain.keys.idKey });
  const journal = journalDir ? await PackJournal.create(journalDir) : undefined;
  try {
    const writer = new BlobWriter({
      backend: repository.backend, keyring: repository.keyring, index: repository.index, pool,
      packSize: repository.config.packSize, journal, signal, gc, gate: pause,
    });
    const sink: BlobSink = {
      blobIdOf: (type, data) => blobIdOf(domain.keys.idKey, type, data),
      knows: (id) => writer.knows(id),
      add: async (t, id, d) => {
        await pause?.wait(signal);
        return writer.add(t, id, d);
      },
      addStored: async (t, id, stored, compressed, rawLength) => {
        await pause?.wait(signal);
        return writer.addStored(t, id, stored, compressed, rawLength);
      },
    };
    const archiver = new Archiver({
      sink, workers, cache, excluder: options.excluder, oneFileSystem: options.oneFileSystem,
      onWarning: options.onWarning, onProgress: options.onProgress, signal,
    });
    const archived = options.stream
      ? await archiveStream(options.stream, { sink, chunker, gear: domain.gear, onProgress: options.onProgress, signal })
      : await archiver.run(options.paths);
    const stats = await writer.finish();
    const { sequence, previous } = await previousOfSigner(repository, signal);
    const snapshot: Snapshot = {
      format: 1,
      time: options.now,
      tree: archived.tree,
      paths: archived.paths,
      hostname: options.hostname ?? osHostname(),
      username: safeUsername(),
      tags: [...(options.tags ?? [])],
      domain: domain.id,
      signer: repository.keyring.signer.publicKey,
      sequence,
      previous,
      incomplete: archived.summary.warnings > 0,
      program: options.program,
      summary: {
        ...archived.summary,
        bytesAdded: stats.storedBytesAdded,
        packsAdded: stats.packsAdded,
        durationMs: Math.round(options.clock() - started),
      },
    };
    await gc.beforeSnapshot();
    const id = await repository.saveSnapshot(snapshot, signal);
    if (!options.stream) await cache.save(archived.paths.map((p) => Buffer.from(p)));
    await journal?.discard();
    return { snapshotId: bytesToId('snapshot', Buffer.from(id, 'hex')), snapshot, summary: archived.summary, writer: stats, recoveredPacks, gc: gc.stats };
  } finally {
    gc.close();
    await Promise.all([pool.close(), workers.close()]);
  }
}

/** This signer's next sequence number and previous snapshot (docs/format.md "Snapshots"). */
export async function previousOfSigner(repository: Repository, signal?: AbortSignal): Promise<{ sequence: number; previous: SnapshotId | null }> {
  if (!repository.keyring.readPrivateKey) return { sequence: 1, previous: null }; // write-only hosts: local state (later)
  const { snapshots } = await repository.listSnapshots(signal);
  let best: { sequence: number; id: string } | undefined;
  for (const record of snapshots) {
    // Only verified snapshots count: anyone can seal a snapshot claiming to be ours.
    if (!record.verified || !record.snapshot.signer.equals(repository.keyring.signer.publicKey)) continue;
    if (!best || record.snapshot.sequence > best.sequence) best = { sequence: record.snapshot.sequence, id: record.id };
  }
  return best ? { sequence: best.sequence + 1, previous: best.id as SnapshotId } : { sequence: 1, previous: null };
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}
