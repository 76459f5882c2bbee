/**
 * The write side of the repository: deduplicates blobs against the index,
 * compresses them on worker threads, packs and seals them, uploads packs,
 * and writes index objects (docs/format.md "Order of writes"). Memory is
 * bounded: `add` waits while too many bytes are being compressed or packed.
 */
import type { Backend } from '../backend/backend.js';
import type { CompressPool } from '../codec/index.js';
import { throwIfAborted } from '../errors.js';
import {
  BlobType, Compression, ENTRY_LENGTH, PACK_PREFIX_LENGTH, padme, type IndexPack, type PackType,
} from '../format/index.js';
import { Trust, type BlobIndex } from './blob-index.js';
import { sealIndex } from './index-object.js';
import type { Keyring, Signer } from './keyring.js';
import { writerDomain } from './keyring.js';
import { indexName, packName } from './layout.js';
import { buildPack, type PackableBlob } from './pack-builder.js';
import type { PackJournal } from './pack-journal.js';

export interface BlobWriterOptions {
  readonly backend: Backend;
  readonly keyring: Keyring;
  readonly index: BlobIndex;
  readonly pool: CompressPool;
  readonly packSize: number;
  readonly journal?: PackJournal;
  readonly signal?: AbortSignal;
  /** Packs uploaded at once. */
  readonly uploadConcurrency?: number;
  /** Bytes accepted but not yet packed before `add` waits. */
  readonly memoryBudget?: number;
  /** An index object is written after this many packs (and at the end). */
  readonly packsPerIndex?: number;
  /** Each pack upload first waits here (`--pause-file`). */
  readonly gate?: { wait(signal?: AbortSignal): Promise<void> };
  /** The garbage-collection side of the writer's session (docs/format.md "Writers"). */
  readonly gc?: DedupGuard;
  /** Signs the index objects: the key's own signer unless given (prune's rewritten packs are signed by the owner). */
  readonly indexSigner?: Signer;
}

/**
 * What the writer asks of a garbage-collection session: whether a pack is
 * doomed (a prune plan lists it, so it must not be deduplicated against),
 * to note a pack the coming snapshot will depend on, and a chance to refresh.
 */
export interface DedupGuard {
  isDoomed(packId: string): boolean;
  depend(packId: string, type: PackType): void;
  tick(): Promise<void>;
}

/** Bytes of blobs accepted but not yet uploaded before `add` waits. */
const DEFAULT_MEMORY_BUDGET = 48 * 1024 * 1024;

export interface WriterStats {
  blobsAdded: number;
  /** Plaintext bytes of new blobs. */
  rawBytesAdded: number;
  /** Bytes of new packs and index objects written to storage. */
  storedBytesAdded: number;
  packsAdded: number;
}

interface Packer {
  blobs: PackableBlob[];
  /** Sealed bytes the blobs will take in the pack. */
  sealedBytes: number;
}

/** Bytes the sealed trailer and length field take for `k` blobs: PADME(4 + 4 + 54k) + tag + u32. */
function trailerBytes(k: number): number {
  return padme(8 + ENTRY_LENGTH * k) + 16 + 4;
}

export class BlobWriter {
  readonly stats: WriterStats = { blobsAdded: 0, rawBytesAdded: 0, storedBytesAdded: 0, packsAdded: 0 };
  private readonly pending = new Set<string>();
  private readonly restored = new Set<string>();
  private readonly packers: Record<PackType, Packer> = {
    data: { blobs: [], sealedBytes: 0 },
    tree: { blobs: [], sealedBytes: 0 },
  };
  private readonly unindexed: IndexPack[] = [];
  private readonly work = new Set<Promise<void>>();
  private readonly waiters: (() => void)[] = [];
  private uploads = 0;
  private bytesInFlight = 0;
  private failure: unknown;

  constructor(private readonly options: BlobWriterOptions) {}

  /**
   * True if the blob is stored, or will be by this writer. Only entries of
   * the owner (the endorsed index) and of this key's own signer count: an
   * entry another writer signed may be a lie (docs/security.md, index poisoning).
   */
  knows(id: Buffer): boolean {
    return this.status(id) === 'known';
  }

  /**
   * 'known', or 'doomed' when its only indexed copy is in a pack a prune plan
   * lists (it is stored again, and remembered as this writer's), or 'new'.
   */
  private status(id: Buffer): 'known' | 'doomed' | 'new' {
    const key = id.toString('latin1');
    if (this.pending.has(key) || this.restored.has(key)) return 'known';
    if (!this.options.index.has(id, Trust.own)) return 'new';
    const gc = this.options.gc;
    if (gc) {
      const location = this.options.index.lookup(id)!;
      if (gc.isDoomed(location.packId)) return 'doomed';
      gc.depend(location.packId, location.type === BlobType.tree ? 'tree' : 'data');
    }
    return 'known';
  }

  /**
   * Stores a blob unless it is already known. Resolves once the blob is
   * accepted (not yet stored: `finish` waits for that); returns false for a
   * duplicate.
   */
  async add(type: BlobType, id: Buffer, data: Buffer): Promise<boolean> {
    this.throwIfFailed();
    await this.options.gc?.tick();
    if (!this.claim(id)) return false;
    const accepted = data.length; // `data` may be transferred to a worker: read its length first
    this.track(this.options.pool.compress(data).then(({ data: raw, compressed }) => {
      this.pack(type, id, compressed ?? raw, compressed !== null, raw.length, accepted);
    }));
    await this.admit(accepted);
    return true;
  }

  /**
   * Like `add`, for a blob already compressed elsewhere (the archiver's file
   * workers): `stored` is its zstd form if `compressed`, else its raw bytes.
   */
  async addStored(type: BlobType, id: Buffer, stored: Buffer, compressed: boolean, rawLength: number): Promise<boolean> {
    this.throwIfFailed();
    await this.options.gc?.tick();
    if (!this.claim(id)) return false;
    this.pack(type, id, stored, compressed, rawLength, stored.length);
    await this.admit(stored.length);
    return true;
  }

  /**
   * Takes a blob this writer will store, in one synchronous step with the
   * check (so two callers never both store it): false if it is known. A
   * doomed blob is remembered as this writer's, since the index keeps the
   * doomed location.
   */
  private claim(id: Buffer): boolean {
    const status = this.status(id);
    if (status === 'known') return false;
    this.pending.add(id.toString('latin1'));
    if (status === 'doomed') this.restored.add(id.toString('latin1'));
    return true;
  }

  /** Counts an accepted blob against the memory budget and waits while the budget is exceeded. */
  private async admit(bytes: number): Promise<void> {
    this.bytesInFlight += bytes;
    while (this.bytesInFlight > (this.options.memoryBudget ?? DEFAULT_MEMORY_BUDGET) && !this.failure) {
      // Over budget, packers hold bytes only while work is pending; if none is, flush to make progress.
      if (this.work.size === 0) {
        for (const type of ['data', 'tree'] as const) this.sealPack(type);
        if (this.work.size === 0) break;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    this.throwIfFailed();
  }

  /** Packs and uploads everything accepted, then writes the index object. */
  async finish(): Promise<WriterStats> {
    await this.drain();
    for (const type of ['data', 'tree'] as const) this.sealPack(type);
    await this.drain();
    await this.writeIndex();
    this.throwIfFailed();
    return this.stats;
  }

  /** Puts a stored blob into its type's packer; `accepted` bytes were counted in flight for it. */
  private pack(type: BlobType, id: Buffer, stored: Buffer, compressed: boolean, rawLength: number, accepted: number): void {
    const packType: PackType = type === BlobType.tree ? 'tree' : 'data';
    const sealed = padme(stored.length) + 16;
    if (!this.fits(this.packers[packType], sealed)) this.sealPack(packType);
    // Read the packer only now: sealing hands the old one (and its array) to an upload.
    const packer = this.packers[packType];
    packer.blobs.push({ id, type, compression: compressed ? Compression.zstd : Compression.none, stored, rawLength });
    packer.sealedBytes += sealed;
    this.stats.blobsAdded += 1;
    this.stats.rawBytesAdded += rawLength;
    this.bytesInFlight -= accepted - stored.length; // what remains in flight is the stored form, until uploaded
  }

  /** True if a blob of `sealed` bytes still fits the packer within packSize (trailer included). */
  private fits(packer: Packer, sealed: number): boolean {
    if (packer.blobs.length === 0) return true;
    return PACK_PREFIX_LENGTH + packer.sealedBytes + sealed + trailerBytes(packer.blobs.length + 1) <= this.options.packSize;
  }

  private sealPack(type: PackType): void {
    const packer = this.packers[type];
    if (packer.blobs.length === 0) return;
    const blobs = packer.blobs;
    this.packers[type] = { blobs: [], sealedBytes: 0 };
    this.track(this.upload(type, blobs));
  }

  private async upload(type: PackType, blobs: PackableBlob[]): Promise<void> {
    await this.options.gate?.wait(this.options.signal);
    while (this.uploads >= (this.options.uploadConcurrency ?? 2)) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
      this.throwIfFailed();
    }
    this.uploads += 1;
    try {
      throwIfAborted(this.options.signal);
      const pack = buildPack(type, blobs, this.options.keyring.readPublicKey);
      await this.options.backend.save(packName(type, pack.id), pack.bytes, { signal: this.options.signal });
      this.options.gc?.depend(pack.id, type);
      const indexed: IndexPack = { id: pack.id, type, entries: pack.entries };
      await this.options.journal?.record(indexed);
      for (const entry of pack.entries) {
        const id = Buffer.from(entry.id, 'hex');
        this.options.index.add(id, { ...entry, packId: pack.id }, Trust.own);
        this.pending.delete(id.toString('latin1'));
      }
      this.unindexed.push(indexed);
      this.stats.packsAdded += 1;
      this.stats.storedBytesAdded += pack.bytes.length;
      if (this.unindexed.length >= (this.options.packsPerIndex ?? 64)) await this.writeIndex();
    } finally {
      this.uploads -= 1;
      for (const blob of blobs) this.bytesInFlight -= blob.stored.length;
      this.wake();
    }
  }

  private async writeIndex(): Promise<void> {
    if (this.unindexed.length === 0) return;
    // A backup that stalled past prune's window stops here rather than index packs a sweep may have deleted.
    await this.options.gc?.tick();
    const packs = this.unindexed.splice(0);
    const { keyring, backend, signal } = this.options;
    const sealed = sealIndex({ superseded: [], packs }, writerDomain(keyring), this.options.indexSigner ?? keyring.signer);
    await backend.save(indexName(sealed.id), sealed.bytes, { signal });
    this.stats.storedBytesAdded += sealed.bytes.length;
  }

  private track(promise: Promise<void>): void {
    const tracked = promise.catch((error: unknown) => {
      this.failure ??= error;
    }).finally(() => {
      this.work.delete(tracked);
      this.wake();
    });
    this.work.add(tracked);
  }

  private async drain(): Promise<void> {
    while (this.work.size > 0) await Promise.all([...this.work]);
    this.throwIfFailed();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}

