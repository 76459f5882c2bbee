/**
 * An open repository: the encryption boundary. Above it, pipelines see
 * plaintext blobs, trees and snapshots; below it, the backend sees only
 * sealed, self-verifying objects (docs/format.md).
 */
import type { Backend } from '../backend/backend.js';
import { ZstdCodec } from '../codec/index.js';
import { FormatError, IntegrityError, NoRepositoryError, NotFoundError } from '../errors.js';
import {
  BlobType, decodeSignerSetJson, decodeSnapshotJson, encodeSignerSetJson, encodeSnapshotJson, shortId,
  type BlobId, type PackType, type RepositoryConfig, type SignerSet, type Snapshot,
} from '../format/index.js';
import { alternateLocations } from './alternate-locations.js';
import { BlobIndex, Trust, type BlobLocation } from './blob-index.js';
import { decodeConfigObject } from './config-object.js';
import { loadTombstones } from './gc-objects.js';
import { openIndex } from './index-object.js';
import { requireReadKey, type Keyring } from './keyring.js';
import { indexTrust, knownSigners, snapshotStatus, type KnownSigner, type SnapshotStatus } from './signer-trust.js';
import { CONFIG_NAME, idOfName, packName, signersName, snapshotName } from './layout.js';
import { loadVerified } from './load-verified.js';
import { OpenedPack, type PackReadKeys } from './pack-reader.js';
import { openDocument, sealDocument } from './sealed-document.js';

/** A snapshot as listed: decoded if it could be opened, with whether its signer is trusted. */
export interface SnapshotRecord {
  readonly id: string;
  readonly snapshot: Snapshot;
  /** The signer's name from the signer set (revoked signers included), if it is listed there. */
  readonly signerName: string | undefined;
  /** True if the signature verifies and the signer is authorized (status 'verified'). */
  readonly verified: boolean;
  /** Why the snapshot counts or not. */
  readonly status: SnapshotStatus;
}

export interface RepositoryIssue {
  readonly object: string;
  readonly message: string;
}

const PACK_CACHE_SIZE = 4;

export class Repository {
  readonly index = new BlobIndex();
  readonly codec = new ZstdCodec();
  private signerSet: SignerSet | undefined;
  private authorized: Map<string, string> | undefined;
  private signers: Map<string, KnownSigner> | undefined;
  /** Signer sets that failed to open or verify, for check to report. */
  readonly signerSetIssues: RepositoryIssue[] = [];
  /** Packs listed by owner-signed (endorsed) index objects, filled by loadIndex. */
  readonly endorsedPacks = new Set<string>();
  /** Index objects signed by this key's own signer that loadIndex found: has this key written before? */
  ownIndexObjects = 0;
  /** The highest signer set version this client saw before (its high-water mark), if known. */
  private signerSetHighWater = 0;
  /** True when the newest signer set in storage is older than the high-water mark. */
  signerSetStale = false;
  private readonly packCache = new Map<string, Promise<OpenedPack>>();
  private alternates: Promise<Map<string, BlobLocation[]>> | undefined;
  /** Packs that valid tombstones list, filled by loadIndex: their index entries are ignored. */
  readonly tombstonedPacks = new Set<string>();

  constructor(readonly backend: Backend, readonly config: RepositoryConfig, readonly keyring: Keyring) {}

  /** Loads and authenticates `config` against the key's pinned trust roots. */
  static async loadConfig(backend: Backend, keyring: Keyring, signal?: AbortSignal): Promise<RepositoryConfig> {
    try {
      // `config` is not named by its hash; its owner signature is checked instead, and a failure may be damage on the way.
      return await loadVerified(backend, CONFIG_NAME, (bytes) => decodeConfigObject(bytes, keyring), {
        signal, retryIf: (error) => error instanceof IntegrityError || error instanceof FormatError,
      });
    } catch (error) {
      if (error instanceof NotFoundError) throw new NoRepositoryError(`no coffer repository at ${backend.location}`, { cause: error });
      throw error;
    }
  }

  get repositoryId(): string {
    return this.config.repository;
  }

  /** The version of the signer set in use, once one was loaded. */
  get signerSetVersion(): number | undefined {
    return this.signerSet?.version;
  }

  /** The chunker parameters of the writer's domain. */
  domainConfig(domainId: string) {
    const domain = this.config.domains.find((d) => d.id === domainId);
    if (!domain) throw new IntegrityError(`config: no dedup domain ${JSON.stringify(domainId)}`);
    return domain;
  }

  packReadKeys(action: string): PackReadKeys {
    return {
      readPublicKey: this.keyring.readPublicKey,
      readPrivateKey: requireReadKey(this.keyring, action),
      idKeys: this.keyring.domains.map((d) => d.keys.idKey),
      maxBlobSize: this.config.maxBlobSize,
      packSize: this.config.packSize,
    };
  }

  /**
   * Reads every index object into the in-memory index, each entry with the
   * trust its signer earns (signer-trust.ts): the owner's and this key's own
   * first, then other authorized signers, then revoked ones; objects of
   * unknown signers are ignored and returned as issues. A write-only key
   * loads only the owner's entries and its own. Objects that fail to open
   * are returned as issues (check reports them); their packs are simply
   * unknown, so a backup stores those blobs again rather than trusting them.
   */
  async loadIndex(signal?: AbortSignal): Promise<RepositoryIssue[]> {
    // Tombstones first (docs/format.md "Garbage collection"): entries for packs prune removes are ignored.
    const { tombstones, issues } = await loadTombstones(this.backend, this.keyring.ownerPublicKey, signal);
    for (const tombstone of tombstones) for (const pack of tombstone.packs) this.tombstonedPacks.add(pack);
    const signers = this.keyring.readPrivateKey ? await this.knownSigners(signal) : undefined;
    for await (const object of this.backend.list('index/', { signal })) {
      const id = idOfName(object.name);
      try {
        const opened = await loadVerified(this.backend, object.name, (bytes) => openIndex(id, bytes, this.keyring.domains), { signal });
        const trust = indexTrust(opened.signerPublicKey.toString('hex'), this.keyring, signers);
        if (trust === undefined) {
          if (signers) issues.push({ object: object.name, message: `index ${shortId(id)}: signed by an unknown signer, ignored` });
          continue;
        }
        if (trust === Trust.own) this.ownIndexObjects += 1;
        for (const pack of opened.payload.packs) {
          if (this.tombstonedPacks.has(pack.id)) continue;
          if (trust === Trust.owner) this.endorsedPacks.add(pack.id);
          for (const entry of pack.entries) this.index.add(Buffer.from(entry.id, 'hex'), { ...entry, packId: pack.id }, trust);
        }
      } catch (error) {
        issues.push({ object: object.name, message: (error as Error).message });
      }
    }
    return issues;
  }

  /**
   * Every signer the signer set lists (revoked ones included) plus this key
   * file's own, which is pinned in the key file and so known even when no
   * valid signer set can be read (check reports that through signerSetIssues).
   */
  async knownSigners(signal?: AbortSignal): Promise<ReadonlyMap<string, KnownSigner>> {
    if (this.signers) return this.signers;
    let set: SignerSet | undefined;
    try {
      set = await this.loadSignerSet(signal);
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
    }
    this.signers = knownSigners(set, this.keyring);
    return this.signers;
  }

  /** Authorized, unrevoked signers by public key (hex) -> name (see knownSigners). */
  async authorizedSigners(signal?: AbortSignal): Promise<Map<string, string>> {
    if (this.authorized) return this.authorized;
    const signers = new Map<string, string>();
    for (const [key, signer] of await this.knownSigners(signal)) if (!signer.revoked) signers.set(key, signer.name);
    this.authorized = signers;
    return signers;
  }

  /**
   * Tells the repository the highest signer set version this client saw
   * before (a local high-water mark): a lower one served later is reported
   * in signerSetIssues, since storage may be hiding a revocation.
   */
  expectSignerSetVersion(version: number): void {
    this.signerSetHighWater = Math.max(this.signerSetHighWater, version);
  }

  /** The authentic signer set with the highest version. */
  async loadSignerSet(signal?: AbortSignal): Promise<SignerSet> {
    if (this.signerSet) return this.signerSet;
    if (this.signerSetIssues.length > 0) throw new IntegrityError('no valid signer set signed by the owner key');
    const readPrivate = requireReadKey(this.keyring, 'read signer set');
    let best: SignerSet | undefined;
    for await (const object of this.backend.list('signers/', { signal })) {
      try {
        const doc = await loadVerified(this.backend, object.name,
          (bytes) => openDocument('signers', idOfName(object.name), bytes, readPrivate, this.keyring.readPublicKey), { signal });
        if (!doc.signatureValid || !doc.signerPublicKey.equals(this.keyring.ownerPublicKey)) {
          throw new IntegrityError(`signer set ${shortId(idOfName(object.name))}: not signed by the owner key`);
        }
        const set = decodeSignerSetJson(doc.json);
        if (set.repository !== this.config.repository) {
          throw new IntegrityError(`signer set ${shortId(idOfName(object.name))}: belongs to another repository`);
        }
        if (!best || set.version > best.version) best = set;
      } catch (error) {
        // A damaged or foreign signer set never grants trust; check reports it.
        this.signerSetIssues.push({ object: object.name, message: (error as Error).message });
      }
    }
    if (!best) {
      if (this.signerSetIssues.length === 0) this.signerSetIssues.push({ object: 'signers/', message: 'no signer set in the repository' });
      throw new IntegrityError('no valid signer set signed by the owner key');
    }
    if (best.version < this.signerSetHighWater) {
      this.signerSetStale = true;
      this.signerSetIssues.push({
        object: 'signers/',
        message: `the newest signer set in storage is version ${best.version}, but this client saw version ${this.signerSetHighWater} before: storage is hiding a newer one (a revocation may be undone)`,
      });
    }
    this.signerSet = best;
    return best;
  }

  async saveSignerSet(set: SignerSet, ownerPrivateKey: Buffer, signal?: AbortSignal): Promise<string> {
    const sealed = sealDocument('signers', encodeSignerSetJson(set),
      { publicKey: this.keyring.ownerPublicKey, privateKey: ownerPrivateKey }, this.keyring.readPublicKey);
    await this.backend.save(signersName(sealed.id), sealed.bytes, { signal });
    // The set just written is the newest (callers write version + 1 of the newest they read).
    this.signerSet = this.signerSet && set.version > this.signerSet.version ? set : undefined;
    this.authorized = undefined;
    this.signers = undefined;
    return sealed.id;
  }

  async saveSnapshot(snapshot: Snapshot, signal?: AbortSignal): Promise<string> {
    const sealed = sealDocument('snapshot', encodeSnapshotJson(snapshot), this.keyring.signer, this.keyring.readPublicKey);
    await this.backend.save(snapshotName(sealed.id), sealed.bytes, { signal });
    return sealed.id;
  }

  /** Opens one snapshot and judges its signature against the signer set. */
  async loadSnapshot(id: string, signal?: AbortSignal): Promise<SnapshotRecord> {
    const readPrivate = requireReadKey(this.keyring, 'read snapshots');
    const doc = await loadVerified(this.backend, snapshotName(id),
      (bytes) => openDocument('snapshot', id, bytes, readPrivate, this.keyring.readPublicKey), { signal });
    const snapshot = decodeSnapshotJson(doc.json);
    const signer = (await this.knownSigners(signal)).get(doc.signerPublicKey.toString('hex'));
    const status = snapshotStatus(id, doc.signatureValid && snapshot.signer.equals(doc.signerPublicKey), signer);
    return { id, snapshot, signerName: signer?.name, verified: status === 'verified', status };
  }

  /** Every snapshot that opens, oldest first; those that do not are returned as issues. */
  async listSnapshots(signal?: AbortSignal): Promise<{ snapshots: SnapshotRecord[]; issues: RepositoryIssue[] }> {
    requireReadKey(this.keyring, 'list snapshots'); // fail once, not once per snapshot
    const snapshots: SnapshotRecord[] = [];
    const issues: RepositoryIssue[] = [];
    for await (const object of this.backend.list('snapshots/', { signal })) {
      try {
        snapshots.push(await this.loadSnapshot(idOfName(object.name), signal));
      } catch (error) {
        issues.push({ object: object.name, message: (error as Error).message });
      }
    }
    snapshots.sort((a, b) => (a.snapshot.time < b.snapshot.time ? -1 : a.snapshot.time > b.snapshot.time ? 1 : a.id.localeCompare(b.id)));
    return { snapshots, issues };
  }

  /** Loads and opens a whole pack (verified name and trailer), through a small cache. */
  loadPack(id: string, type: PackType, signal?: AbortSignal): Promise<OpenedPack> {
    const cached = this.packCache.get(id);
    if (cached) {
      this.packCache.delete(id);
      this.packCache.set(id, cached);
      return cached;
    }
    const loading = this.readPack(id, type, signal);
    this.packCache.set(id, loading);
    while (this.packCache.size > PACK_CACHE_SIZE) this.packCache.delete(this.packCache.keys().next().value!);
    return loading;
  }

  /** Loads and opens a whole pack without caching it (for reading every pack once, as check does). */
  async readPack(id: string, type: PackType, signal?: AbortSignal): Promise<OpenedPack> {
    const keys = this.packReadKeys('read data');
    return loadVerified(this.backend, packName(type, id), (bytes) => OpenedPack.open(id, type, bytes, keys), { signal });
  }

  /**
   * The verified plaintext of a blob. If the indexed location fails (the
   * pack is missing, damaged, or does not hold the blob: a lying index
   * entry), every other location some index object gives is tried.
   */
  async loadBlob(id: BlobId, type: BlobType, signal?: AbortSignal): Promise<Buffer> {
    const location = this.index.lookup(Buffer.from(id, 'hex'));
    if (!location || location.type !== type) throw new NotFoundError(`blob ${shortId(id)} is not in the index`);
    try {
      return await this.loadBlobAt(id, type, location, signal);
    } catch (error) {
      if (!(error instanceof IntegrityError || error instanceof NotFoundError)) throw error;
      for (const alternate of (await this.alternateLocations(signal)).get(id) ?? []) {
        if (alternate.type !== type) continue;
        try {
          return await this.loadBlobAt(id, type, alternate, signal);
        } catch (retry) {
          if (!(retry instanceof IntegrityError || retry instanceof NotFoundError)) throw retry;
        }
      }
      throw error;
    }
  }

  private async loadBlobAt(id: BlobId, type: BlobType, location: BlobLocation, signal?: AbortSignal): Promise<Buffer> {
    const pack = await this.loadPack(location.packId, type === BlobType.tree ? 'tree' : 'data', signal);
    const entry = pack.entry(id);
    if (!entry) throw new IntegrityError(`blob ${shortId(id)}: not in pack ${shortId(location.packId)} although the index says so`);
    return pack.openBlob(entry, this.codec);
  }

  /** Locations of blobs other than the one the index kept (alternate-locations.ts), built once, after a location failed. */
  private alternateLocations(signal?: AbortSignal): Promise<Map<string, BlobLocation[]>> {
    this.alternates ??= (async () => alternateLocations(
      this.backend, this.keyring, this.keyring.readPrivateKey ? await this.knownSigners(signal) : undefined, this.index, signal,
    ))();
    this.alternates.catch(() => {
      this.alternates = undefined; // an aborted scan is tried again next time
    });
    return this.alternates;
  }

  loadTreeBlob(id: BlobId, signal?: AbortSignal): Promise<Buffer> {
    return this.loadBlob(id, BlobType.tree, signal);
  }

  loadDataBlob(id: BlobId, signal?: AbortSignal): Promise<Buffer> {
    return this.loadBlob(id, BlobType.data, signal);
  }
}
