/**
 * Helpers for the garbage-collection tests: a repository on a memory backend
 * whose storage clock the test moves, in-process backups with an injectable
 * writer clock, snapshot contents read back through the repository, backend
 * wrappers that refuse deletions (object lock) or die after N writes (a kill
 * at a chosen point), and prune with a tiny window.
 *
 * ```ts
 * const gc = await GcTestRepository.create();
 * const first = await gc.backup(dir);
 * await gc.forget(first.snapshotId);
 * await gc.prune();            // plans
 * gc.advance(gc.windowMs);
 * await gc.prune();            // sweeps
 * await gc.assertHealthy([second]);
 * ```
 */
import { ForwardingBackend } from '../backend/forwarding.js';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { backup, type BackupResult } from '../archiver/backup.js';
import type { Backend, LoadOptions, OperationOptions } from '../backend/backend.js';
import { MemoryBackend } from '../backend/memory.js';
import { check } from '../checker/checker.js';
import { BackendError } from '../errors.js';
import type { BlobId } from '../format/index.js';
import { generateRawKeyPair } from '../crypto/index.js';
import {
  forgottenSnapshotOf, openRepository, Repository, requireOwnerKey, saveForgetRecord, snapshotName, type ClockReading, type Keyring,
} from '../repository/index.js';
import { TEST_CHUNKER, testRepository, TEST_NOW } from '../repository/testing.js';
import { displayPath, Excluder } from '../source/index.js';
import { fileContent, snapshotPath, walkTree } from '../walker/index.js';
import { prune, type PruneOptions, type PruneResult } from './prune.js';

/** The window the tests use: plans may be swept this long (storage time) after they are saved. */
export const TEST_WINDOW_MS = 1000;

/** Storage that can be told to refuse removals, as object lock or a policy without delete does. */
export class LockingBackend extends ForwardingBackend {
  refuseRemove = true;
  refused = 0;
  override async remove(name: string, options?: OperationOptions): Promise<void> {
    if (this.refuseRemove) {
      this.refused += 1;
      throw new BackendError(`remove ${name}: refused: object is locked (retention until 2099)`, { transient: false });
    }
    return this.inner.remove(name, options);
  }
}

/** Thrown by {@link CrashingBackend}: the process "died" here. */
export class Crash extends Error {}

/** Storage seen by a process that dies just before its N-th save or remove: that and every later call fails. */
export class CrashingBackend extends LockingBackend {
  /** Saves and removes attempted so far. */
  writes = 0;
  constructor(inner: Backend, private readonly crashAt: number) {
    super(inner);
    this.refuseRemove = false;
  }
  get crashed(): boolean {
    return this.writes >= this.crashAt;
  }
  override save(name: string, data: Uint8Array, options?: OperationOptions): Promise<'saved' | 'exists'> {
    this.tick();
    return super.save(name, data, options);
  }
  override async remove(name: string, options?: OperationOptions): Promise<void> {
    this.tick();
    return super.remove(name, options);
  }
  override load(name: string, options?: LoadOptions): Promise<Buffer> {
    if (this.crashed) throw new Crash('dead');
    return super.load(name, options);
  }
  private tick(): void {
    this.writes += 1;
    if (this.writes >= this.crashAt) throw new Crash(`killed before write ${this.crashAt}`);
  }
}

/** Storage whose saves first await a hook: a test runs a prune at a chosen point of a backup. */
export class HookedBackend extends LockingBackend {
  constructor(inner: Backend, private readonly beforeSave: (name: string) => Promise<void>) {
    super(inner);
    this.refuseRemove = false;
  }
  override async save(name: string, data: Uint8Array, options?: OperationOptions): Promise<'saved' | 'exists'> {
    await this.beforeSave(name);
    return super.save(name, data, options);
  }
}

/** A snapshot's files: path -> content, read back through a freshly opened repository. */
export async function snapshotFiles(repository: Repository, snapshotId: string): Promise<Map<string, Buffer>> {
  if (repository.index.size === 0) await repository.loadIndex();
  const record = await repository.loadSnapshot(snapshotId);
  const files = new Map<string, Buffer>();
  await walkTree(repository, record.snapshot.tree, async ({ path, node }) => {
    if (node.type !== 'file') return;
    const parts: Buffer[] = [];
    for (const id of await fileContent(repository, node)) parts.push(await repository.loadDataBlob(id as BlobId));
    files.set(displayPath(snapshotPath(path)), Buffer.concat(parts));
  });
  return files;
}

/** A repository on a memory backend with a storage clock the test moves, and a writer clock likewise. */
export class GcTestRepository {
  /** Storage time in ms (MemoryBackend stamps objects with it). */
  get storageNow(): number {
    return this.storage.now;
  }
  /** The writers' clock (wall and monotonic move together unless a test says otherwise). */
  writerClock: ClockReading = { wall: 1_800_000_000_000, mono: 0 };
  readonly windowMs = TEST_WINDOW_MS;
  /** What each snapshot should restore to: path -> bytes. */
  readonly expected = new Map<string, Map<string, Buffer>>();

  private constructor(
    readonly memory: MemoryBackend, public backend: Backend, readonly passphrase: string, private readonly storage: { now: number },
  ) {}

  static async create(options: { packSize?: number } = {}): Promise<GcTestRepository> {
    const clock = { now: 1_800_000_000_000 };
    const memory = new MemoryBackend({ now: () => new Date(clock.now) });
    const { passphrase } = await testRepository({ backend: memory, packSize: options.packSize ?? 1024 * 1024, chunker: TEST_CHUNKER });
    const gc = new GcTestRepository(memory, memory, passphrase, clock);
    return gc;
  }

  /** An independent copy of the repository, every object with its modification time, and of the clocks. */
  async clone(): Promise<GcTestRepository> {
    const storage = { now: this.storage.now };
    const memory = new MemoryBackend({ now: () => new Date(storage.now) });
    for await (const { name } of this.memory.list('')) {
      storage.now = (await this.memory.stat(name)).modified.getTime();
      await memory.save(name, await this.memory.load(name));
    }
    storage.now = this.storage.now;
    const copy = new GcTestRepository(memory, memory, this.passphrase, storage);
    copy.writerClock = this.writerClock;
    for (const [id, files] of this.expected) copy.expected.set(id, files);
    return copy;
  }

  /** Moves only the storage's clock. */
  storageNowAdvance(ms: number): void {
    this.storage.now += ms;
  }

  /** Moves storage and writer clocks forward together. */
  advance(ms: number): void {
    this.storage.now += ms;
    this.writerClock = { wall: this.writerClock.wall + ms, mono: this.writerClock.mono + ms };
  }

  /** A freshly opened repository (its own index), over `backend` (this one's by default). */
  async open(backend: Backend = this.backend): Promise<Repository> {
    return (await openRepository(backend, this.passphrase)).repository;
  }

  /** Backs up `dir` in-process and records what the snapshot must restore to. */
  async backup(dir: string, backend: Backend = this.backend): Promise<BackupResult> {
    const repository = await this.open(backend);
    const result = await backup(repository, {
      paths: [dir], excluder: new Excluder([]), now: TEST_NOW, clock: () => performance.now(), cacheDir: null,
      program: 'coffer test', gcMinWindowMs: this.windowMs, gcClock: () => this.writerClock,
    });
    const files = new Map<string, Buffer>();
    await walkFiles(dir, files);
    this.expected.set(result.snapshotId, files);
    return result;
  }

  /**
   * A write-only host's keyring (docs/format.md "Secrets and roles"), with its
   * own signer, authorized in a new signer set.
   */
  async writeOnlyHost(name: string): Promise<Keyring> {
    const repository = await this.open();
    const signer = { name, ...generateRawKeyPair('ed25519') };
    const set = await repository.loadSignerSet();
    await repository.saveSignerSet({
      ...set, version: set.version + 1,
      signers: [...set.signers, { name, publicKey: signer.publicKey, role: 'write-only', added: 1n, revoked: null, trustedSnapshots: [] }],
    }, requireOwnerKey(repository.keyring, 'test'));
    return { ...repository.keyring, role: 'write-only', readPrivateKey: null, ownerPrivateKey: null, signer };
  }

  /** Backs up `dir` as the host holding `keyring`. */
  async backupAs(keyring: Keyring, dir: string): Promise<BackupResult> {
    const config = await Repository.loadConfig(this.backend, keyring);
    const result = await backup(new Repository(this.backend, config, keyring), {
      paths: [dir], excluder: new Excluder([]), now: TEST_NOW, clock: () => performance.now(), cacheDir: null,
      program: 'coffer test', gcMinWindowMs: this.windowMs, gcClock: () => this.writerClock,
    });
    const files = new Map<string, Buffer>();
    await walkFiles(dir, files);
    this.expected.set(result.snapshotId, files);
    return result;
  }

  /** What `forget` does to one snapshot: an owner-signed forget record, then its object goes. */
  async forget(snapshotId: string): Promise<void> {
    const repository = await this.open(this.memory);
    const record = await repository.loadSnapshot(snapshotId);
    await saveForgetRecord(repository, [forgottenSnapshotOf(record)], TEST_NOW, 'forget');
    await this.memory.remove(snapshotName(snapshotId));
    this.expected.delete(snapshotId);
  }

  async prune(options: PruneOptions = {}, backend: Backend = this.backend): Promise<PruneResult> {
    const repository = await this.open(backend);
    return prune(repository, { windowMs: this.windowMs, minWindowMs: this.windowMs, ...options });
  }

  /** `check --read-data` passes and every snapshot left restores byte for byte. */
  async assertHealthy(label = ''): Promise<void> {
    const repository = await this.open(this.memory);
    const result = await check(repository, { readData: true });
    assert.deepEqual(result.problems, [], `check --read-data ${label}`);
    const { snapshots } = await repository.listSnapshots();
    assert.deepEqual(snapshots.map((s) => s.id).sort(), [...this.expected.keys()].sort(), `snapshots ${label}`);
    for (const [id, files] of this.expected) {
      const restored = await snapshotFiles(repository, id);
      assert.equal(restored.size, files.size, `files of ${id.slice(0, 8)} ${label}`);
      for (const [path, bytes] of files) assert.ok(restored.get(path)?.equals(bytes), `${path} of ${id.slice(0, 8)} restores ${label}`);
    }
  }

  /** Names of objects below a prefix. */
  async names(prefix: string): Promise<string[]> {
    const out: string[] = [];
    for await (const o of this.memory.list(prefix)) out.push(o.name);
    return out.sort();
  }
}

async function walkFiles(dir: string, out: Map<string, Buffer>): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walkFiles(path, out);
    else if (entry.isFile()) out.set(path, await readFile(path));
  }
}
