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
import { NotFoundError, type Warning } from '../errors.js';
import { bytesToId, shortId, type Snapshot, type SnapshotId } from '../format/index.js';
import {
  BlobWriter, GcSession, HighWater, PackJournal, recoverJournaledPacks, snapshotName, writerDomain, type ClockReading,
  type GcSessionStats, type Repository, type SignerHead, type WriterStats,
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
  /** The local high-water marks (loaded from cacheDir when not given): this signer's last snapshot. */
  readonly highWater?: HighWater;
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
  const highWater = options.highWater ?? await HighWater.load(options.cacheDir);
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
    const { sequence, previous } = await chainPosition(repository, highWater, options.onWarning, signal);
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
    highWater.observeSnapshot(snapshot.signer.toString('hex'), { sequence, snapshot: id });
    await highWater.save();
    if (!options.stream) await cache.save(archived.paths.map((p) => Buffer.from(p)));
    await journal?.discard();
    return { snapshotId: bytesToId('snapshot', Buffer.from(id, 'hex')), snapshot, summary: archived.summary, writer: stats, recoveredPacks, gc: gc.stats };
  } finally {
    gc.close();
    await Promise.all([pool.close(), workers.close()]);
  }
}

/**
 * The next sequence number and previous snapshot for a writer that reads
 * the repository (copy, repair): chainPosition without a local mark.
 */
export async function previousOfSigner(repository: Repository, signal?: AbortSignal): Promise<{ sequence: number; previous: SnapshotId | null }> {
  return chainPosition(repository, HighWater.inMemory(), undefined, signal);
}

/**
 * This signer's next sequence number and previous snapshot (docs/format.md
 * "Snapshots"): after the newest of its snapshots that storage shows
 * (verified ones only: anyone can seal a snapshot claiming to be ours) and
 * the local high-water mark. A write-only key cannot open snapshots, so it
 * has only the mark. Storage hiding the last snapshot is warned about; the
 * chain continues after it, so the gap stays visible to `check`.
 */
async function chainPosition(
  repository: Repository, highWater: HighWater, onWarning: ((warning: Warning) => void) | undefined, signal?: AbortSignal,
): Promise<{ sequence: number; previous: SnapshotId | null }> {
  const own = repository.keyring.signer.publicKey.toString('hex');
  const remembered = highWater.head(own);
  let best: SignerHead | undefined = remembered;
  let stored: boolean;
  if (repository.keyring.readPrivateKey) {
    const { snapshots } = await repository.listSnapshots(signal);
    const ids = new Set<string>();
    for (const record of snapshots) {
      if (!record.verified) continue;
      ids.add(record.id);
      const head = { sequence: record.snapshot.sequence, snapshot: record.id };
      highWater.observeSnapshot(record.snapshot.signer.toString('hex'), head);
      if (record.snapshot.signer.toString('hex') === own && (!best || head.sequence > best.sequence)) best = head;
    }
    stored = !remembered || ids.has(remembered.snapshot);
  } else if (remembered) {
    stored = await exists(repository, snapshotName(remembered.snapshot), signal);
  } else {
    stored = true;
    // Its own index objects show it wrote before (this is not its first backup): the cache was lost.
    if (repository.ownIndexObjects > 0) onWarning?.({
      code: 'SEQUENCE_RESTARTED',
      message: 'no record of earlier snapshots of this write-only key in the local cache: its snapshots start again at sequence 1 (check will note it)',
    });
  }
  if (remembered && !stored) {
    onWarning?.({
      code: 'PREVIOUS_SNAPSHOT_MISSING',
      message: `this key's last snapshot ${shortId(remembered.snapshot)} (sequence ${remembered.sequence}) is no longer in storage: deleted or hidden (check will report the gap)`,
    });
  }
  return best ? { sequence: best.sequence + 1, previous: best.snapshot as SnapshotId } : { sequence: 1, previous: null };
}

async function exists(repository: Repository, name: string, signal?: AbortSignal): Promise<boolean> {
  try {
    await repository.backend.stat(name, { signal });
    return true;
  } catch (error) {
    if (error instanceof NotFoundError) return false;
    throw error;
  }
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}
