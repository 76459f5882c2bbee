/**
 * An open repository: the encryption boundary. Above it, pipelines see
 * plaintext blobs, trees and snapshots; below it, the backend sees only
 * sealed, self-verifying objects (docs/format.md).
 */
import type { Backend } from '../backend/backend.js';
import { ZstdCodec } from '../codec/index.js';
import { IntegrityError, NoRepositoryError, NotFoundError } from '../errors.js';
import {
  BlobType, decodeSignerSetJson, decodeSnapshotJson, encodeSignerSetJson, encodeSnapshotJson, shortId,
  type BlobId, type PackType, type RepositoryConfig, type SignerSet, type Snapshot,
} from '../format/index.js';
import { BlobIndex } from './blob-index.js';
import { decodeConfigObject } from './config-object.js';
import { loadTombstones } from './gc-objects.js';
import { openIndex } from './index-object.js';
import { requireReadKey, type Keyring } from './keyring.js';
import { CONFIG_NAME, idOfName, packName, signersName, snapshotName } from './layout.js';
import { OpenedPack, type PackReadKeys } from './pack-reader.js';
import { openDocument, sealDocument } from './sealed-document.js';

/** A snapshot as listed: decoded if it could be opened, with whether its signer is trusted. */
export interface SnapshotRecord {
  readonly id: string;
  readonly snapshot: Snapshot;
  /** The signer's name from the signer set, if the signer is authorized. */
  readonly signerName: string | undefined;
  /** True if the signature verifies and the signer is authorized and not revoked. */
  readonly verified: boolean;
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
  /** Signer sets that failed to open or verify, for check to report. */
  readonly signerSetIssues: RepositoryIssue[] = [];
  private readonly packCache = new Map<string, Promise<OpenedPack>>();
  /** Packs that valid tombstones list, filled by loadIndex: their index entries are ignored. */
  readonly tombstonedPacks = new Set<string>();

  constructor(readonly backend: Backend, readonly config: RepositoryConfig, readonly keyring: Keyring) {}

  /** Loads and authenticates `config` against the key's pinned trust roots. */
  static async loadConfig(backend: Backend, keyring: Keyring, signal?: AbortSignal): Promise<RepositoryConfig> {
    let bytes: Buffer;
    try {
      bytes = await backend.load(CONFIG_NAME, { signal });
    } catch (error) {
      if (error instanceof NotFoundError) throw new NoRepositoryError(`no coffer repository at ${backend.location}`, { cause: error });
      throw error;
    }
    return decodeConfigObject(bytes, keyring);
  }

  get repositoryId(): string {
    return this.config.repository;
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
   * Reads every index object into the in-memory index. Objects that fail to
   * open are returned as issues (check reports them); their packs are simply
   * unknown, so a backup stores those blobs again rather than trusting them.
   */
  async loadIndex(signal?: AbortSignal): Promise<RepositoryIssue[]> {
    // Tombstones first (docs/format.md "Garbage collection"): entries for packs prune removes are ignored.
    const { tombstones, issues } = await loadTombstones(this.backend, this.keyring.ownerPublicKey, signal);
    for (const tombstone of tombstones) for (const pack of tombstone.packs) this.tombstonedPacks.add(pack);
    const trusted = await this.trustedIndexSigners(signal);
    for await (const object of this.backend.list('index/', { signal })) {
      const id = idOfName(object.name);
      try {
        const opened = openIndex(id, await this.backend.load(object.name, { signal }), this.keyring.domains);
        if (trusted && !trusted.has(opened.signerPublicKey.toString('hex'))) {
          issues.push({ object: object.name, message: `index ${shortId(id)}: signed by an unknown signer, ignored` });
          continue;
        }
        for (const pack of opened.payload.packs) {
          if (this.tombstonedPacks.has(pack.id)) continue;
          for (const entry of pack.entries) this.index.add(Buffer.from(entry.id, 'hex'), { ...entry, packId: pack.id });
        }
      } catch (error) {
        issues.push({ object: object.name, message: (error as Error).message });
      }
    }
    return issues;
  }

  /** Signers whose index entries count, or undefined when this key cannot read the signer set (a writer). */
  private async trustedIndexSigners(signal?: AbortSignal): Promise<Set<string> | undefined> {
    if (!this.keyring.readPrivateKey) return undefined;
    const keys = new Set((await this.authorizedSigners(signal)).keys());
    keys.add(this.keyring.ownerPublicKey.toString('hex'));
    return keys;
  }

  /**
   * Authorized, unrevoked signers by public key (hex) -> name: the signer
   * set's, plus this key file's own signer, which is pinned in the key file
   * and so trusted even when no valid signer set can be read (check reports
   * that through signerSetIssues).
   */
  async authorizedSigners(signal?: AbortSignal): Promise<Map<string, string>> {
    if (this.authorized) return this.authorized;
    const signers = new Map<string, string>();
    let set: SignerSet | undefined;
    try {
      set = await this.loadSignerSet(signal);
    } catch (error) {
      if (!(error instanceof IntegrityError)) throw error;
    }
    const own = this.keyring.signer.publicKey.toString('hex');
    if (!set?.signers.some((s) => s.publicKey.toString('hex') === own && s.revoked !== null)) signers.set(own, this.keyring.signer.name);
    for (const s of set?.signers ?? []) if (s.revoked === null) signers.set(s.publicKey.toString('hex'), s.name);
    this.authorized = signers;
    return signers;
  }

  /** The authentic signer set with the highest version. */
  async loadSignerSet(signal?: AbortSignal): Promise<SignerSet> {
    if (this.signerSet) return this.signerSet;
    if (this.signerSetIssues.length > 0) throw new IntegrityError('no valid signer set signed by the owner key');
    const readPrivate = requireReadKey(this.keyring, 'read signer set');
    let best: SignerSet | undefined;
    for await (const object of this.backend.list('signers/', { signal })) {
      try {
        const doc = openDocument('signers', idOfName(object.name), await this.backend.load(object.name, { signal }),
          readPrivate, this.keyring.readPublicKey);
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
    this.signerSet = best;
    return best;
  }

  async saveSignerSet(set: SignerSet, ownerPrivateKey: Buffer, signal?: AbortSignal): Promise<string> {
    const sealed = sealDocument('signers', encodeSignerSetJson(set),
      { publicKey: this.keyring.ownerPublicKey, privateKey: ownerPrivateKey }, this.keyring.readPublicKey);
    await this.backend.save(signersName(sealed.id), sealed.bytes, { signal });
    this.signerSet = undefined;
    this.authorized = undefined;
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
    const bytes = await this.backend.load(snapshotName(id), { signal });
    const doc = openDocument('snapshot', id, bytes, readPrivate, this.keyring.readPublicKey);
    const snapshot = decodeSnapshotJson(doc.json);
    const signerName = (await this.authorizedSigners(signal)).get(doc.signerPublicKey.toString('hex'));
    const verified = doc.signatureValid && snapshot.signer.equals(doc.signerPublicKey) && signerName !== undefined;
    return { id, snapshot, signerName, verified };
  }

  /** Every snapshot that opens, oldest first; those that do not are returned as issues. */
  async listSnapshots(signal?: AbortSignal): Promise<{ snapshots: SnapshotRecord[]; issues: RepositoryIssue[] }> {
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
    return OpenedPack.open(id, type, await this.backend.load(packName(type, id), { signal }), keys);
  }

  /** The verified plaintext of a blob. */
  async loadBlob(id: BlobId, type: BlobType, signal?: AbortSignal): Promise<Buffer> {
    const location = this.index.lookup(Buffer.from(id, 'hex'));
    if (!location || location.type !== type) throw new NotFoundError(`blob ${shortId(id)} is not in the index`);
    const pack = await this.loadPack(location.packId, type === BlobType.tree ? 'tree' : 'data', signal);
    const entry = pack.entry(id);
    if (!entry) throw new IntegrityError(`blob ${shortId(id)}: not in pack ${shortId(location.packId)} although the index says so`);
    return pack.openBlob(entry, this.codec);
  }

  loadTreeBlob(id: BlobId, signal?: AbortSignal): Promise<Buffer> {
    return this.loadBlob(id, BlobType.tree, signal);
  }

  loadDataBlob(id: BlobId, signal?: AbortSignal): Promise<Buffer> {
    return this.loadBlob(id, BlobType.data, signal);
  }
}
