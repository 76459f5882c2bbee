/**
 * The index objects as prune sees them (docs/format.md "Garbage collection
 * (prune)"): which packs each lists and who signed it. Owner-signed objects
 * make their packs *endorsed*; objects of unrevoked full-role signers mark
 * their packs as written by a full key. Entries of tree packs go into the
 * repository's index so snapshots' trees can be walked; data entries are
 * not kept (prune learns contents from owner-signed entries and trailers).
 */
import { describe, FormatError, IntegrityError, NotFoundError, throwIfAborted, type Warning } from '../errors.js';
import { shortId, type BlobEntry, type PackId } from '../format/index.js';
import { idOfName, openIndex, type Repository } from '../repository/index.js';
import { PackFlag, type PackTable } from './pack-table.js';

export type IndexSigner = 'owner' | 'full' | 'writer' | 'unknown';

export interface IndexRecord {
  readonly id: string;
  readonly signer: IndexSigner;
  /** Numbers of the packs it lists; undefined if it could not be opened. */
  readonly packs: Uint32Array | undefined;
}

export interface CatalogOptions {
  readonly tombstoned: ReadonlySet<string>;
  readonly signal?: AbortSignal;
  readonly onWarning?: (warning: Warning) => void;
  readonly onProgress?: (done: number) => void;
}

/** Public keys (hex) of unrevoked signers by role, from the signer set and the key's own pinned signer. */
export async function signerRoles(repository: Repository, signal?: AbortSignal): Promise<Map<string, 'full' | 'writer'>> {
  const roles = new Map<string, 'full' | 'writer'>();
  try {
    for (const s of (await repository.loadSignerSet(signal)).signers) {
      if (s.revoked === null) roles.set(s.publicKey.toString('hex'), s.role === 'full' ? 'full' : 'writer');
    }
  } catch (error) {
    if (!(error instanceof IntegrityError)) throw error;
  }
  const own = repository.keyring.signer.publicKey.toString('hex');
  if (!roles.has(own)) roles.set(own, repository.keyring.role === 'full' ? 'full' : 'writer');
  return roles;
}

export async function readCatalog(repository: Repository, packs: PackTable, options: CatalogOptions): Promise<IndexRecord[]> {
  const { signal, tombstoned } = options;
  const roles = await signerRoles(repository, signal);
  const owner = repository.keyring.ownerPublicKey.toString('hex');
  const records: IndexRecord[] = [];
  // Tree entries of writers that are not trusted are added last, so a lying entry never hides a good one.
  const deferred: { id: Buffer; entry: BlobEntry; packId: PackId }[] = [];
  for await (const object of repository.backend.list('index/', { signal })) {
    throwIfAborted(signal);
    const id = idOfName(object.name);
    let opened;
    try {
      opened = openIndex(id, await repository.backend.load(object.name, { signal }), repository.keyring.domains);
    } catch (error) {
      throwIfAborted(signal);
      if (!(error instanceof IntegrityError || error instanceof FormatError || error instanceof NotFoundError)) throw error;
      options.onWarning?.({ code: 'PRUNE_INDEX_UNREADABLE', message: `index ${shortId(id)}: ${describe(error)} (its packs are judged by their trailers)` });
      records.push({ id, signer: 'unknown', packs: undefined });
      continue;
    }
    const key = opened.signerPublicKey.toString('hex');
    const signer: IndexSigner = key === owner ? 'owner' : roles.get(key) ?? 'unknown';
    const numbers = new Uint32Array(opened.payload.packs.length);
    opened.payload.packs.forEach((pack, i) => {
      const n = packs.number(pack.id, pack.type);
      numbers[i] = n;
      if (signer === 'owner') packs.set(n, PackFlag.endorsed);
      if (signer === 'full') packs.set(n, PackFlag.fullListed);
      if (pack.type !== 'tree' || tombstoned.has(pack.id) || signer === 'unknown') return;
      for (const entry of pack.entries) {
        const blob = Buffer.from(entry.id, 'hex');
        if (signer === 'writer') deferred.push({ id: blob, entry, packId: pack.id });
        else repository.index.add(blob, { ...entry, packId: pack.id });
      }
    });
    records.push({ id, signer, packs: numbers });
    options.onProgress?.(records.length);
  }
  for (const { id, entry, packId } of deferred) repository.index.add(id, { ...entry, packId });
  return records;
}

const PACK_NAME = /^(data|tree)\/[0-9a-f]{2}\/([0-9a-f]{64})$/;

/** Adds every pack in storage to the table (stored, with its size); returns their total bytes. */
export async function listStoredPacks(
  repository: Repository, packs: PackTable, onWarning: (warning: Warning) => void, signal?: AbortSignal,
): Promise<number> {
  let bytes = 0;
  for (const prefix of ['data/', 'tree/']) {
    for await (const object of repository.backend.list(prefix, { signal })) {
      const match = PACK_NAME.exec(object.name);
      if (!match) {
        onWarning({ code: 'PRUNE_STRAY_OBJECT', message: `${object.name}: not a pack name; left alone` });
        continue;
      }
      const n = packs.number(match[2]!, match[1] as 'data' | 'tree');
      packs.set(n, PackFlag.stored);
      packs.setSize(n, object.size);
      bytes += object.size;
    }
  }
  return bytes;
}
