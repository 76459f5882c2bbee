/**
 * `repair index` (docs/format.md "Index objects"): rebuilds the index from
 * the packs alone. Index objects are listed first, then packs, so a pack a
 * concurrent backup saves later is covered by that backup's own index
 * object, which is not among those replaced. Each pack is loaded whole, its
 * trailer opened, and every blob opened and checked against its id: only
 * blobs that verify are indexed, so a pack planted or damaged in storage
 * cannot claim blobs it does not hold. New index objects are written first;
 * the last one lists every old index object as superseded; only then are the
 * old ones removed, so a crash at any point leaves a usable index.
 */
import { blobIdOf } from '../crypto/index.js';
import { BackendError, describe, throwIfAborted } from '../errors.js';
import { shortId, type BlobEntry, type IndexId, type IndexPack, type PackId, type PackType } from '../format/index.js';
import { sealIndex } from './index-object.js';
import type { Domain } from './keyring.js';
import { idOfName, indexName } from './layout.js';
import { OpenedPack } from './pack-reader.js';
import type { Repository } from './repository.js';

export interface RebuildIndexOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: { done: number; total: number }) => void;
  /** Entries per index object before a new one is started. */
  readonly entriesPerIndex?: number;
}

/** Something that was left out of the new index, and why. */
export interface RebuildProblem {
  readonly object: string;
  readonly message: string;
}

export interface RebuildIndexResult {
  readonly packsIndexed: number;
  readonly blobsIndexed: number;
  readonly indexesWritten: readonly string[];
  readonly indexesRemoved: readonly string[];
  /** Packs or blobs left out because they do not open or verify. */
  readonly problems: readonly RebuildProblem[];
  /** Old index objects storage refused to remove (they list nothing the new ones lack). */
  readonly notRemoved: readonly RebuildProblem[];
}

const ID_NAME = /^[0-9a-f]{64}$/;

export async function rebuildIndex(repository: Repository, options: RebuildIndexOptions = {}): Promise<RebuildIndexResult> {
  const { backend, keyring } = repository;
  const { signal } = options;
  const keys = repository.packReadKeys('repair index');
  const oldIndexes: string[] = [];
  for await (const object of backend.list('index/', { signal })) if (ID_NAME.test(idOfName(object.name))) oldIndexes.push(object.name);
  const packs: { name: string; type: PackType }[] = [];
  for (const type of ['tree', 'data'] as const) {
    for await (const object of backend.list(`${type}/`, { signal })) if (ID_NAME.test(idOfName(object.name))) packs.push({ name: object.name, type });
  }

  const problems: RebuildProblem[] = [];
  const written: string[] = [];
  const pending = new Map<Domain, { packs: IndexPack[]; entries: number }>();
  let packsIndexed = 0;
  let blobsIndexed = 0;
  const flush = async (domain: Domain, superseded: readonly IndexId[] = []): Promise<void> => {
    const batch = pending.get(domain);
    pending.delete(domain);
    if (!batch && superseded.length === 0) return;
    const sealed = sealIndex({ superseded, packs: batch?.packs ?? [] }, domain, keyring.signer);
    await backend.save(indexName(sealed.id), sealed.bytes, { signal });
    written.push(indexName(sealed.id));
  };

  for (const [i, { name, type }] of packs.entries()) {
    throwIfAborted(signal);
    options.onProgress?.({ done: i, total: packs.length });
    const id = idOfName(name) as PackId;
    let pack: OpenedPack;
    try {
      pack = OpenedPack.open(id, type, await backend.load(name, { signal }), keys);
    } catch (error) {
      // A storage failure stops the repair before anything is removed; a damaged pack is only left out.
      if (error instanceof BackendError) throw error;
      throwIfAborted(signal);
      problems.push({ object: name, message: `left out: ${describe(error)}` });
      continue;
    }
    const byDomain = new Map<Domain, BlobEntry[]>();
    for (const entry of pack.entries) {
      try {
        const plain = pack.openBlob(entry, repository.codec);
        const domain = domainOf(keyring.domains, entry, plain);
        byDomain.set(domain, [...(byDomain.get(domain) ?? []), entry]);
      } catch (error) {
        problems.push({ object: name, message: `blob ${shortId(entry.id)} left out: ${describe(error)}` });
      }
    }
    if (byDomain.size === 0) continue;
    packsIndexed += 1;
    for (const [domain, entries] of byDomain) {
      const batch = pending.get(domain) ?? { packs: [], entries: 0 };
      batch.packs.push({ id, type, entries });
      batch.entries += entries.length;
      blobsIndexed += entries.length;
      pending.set(domain, batch);
      if (batch.entries >= (options.entriesPerIndex ?? 50_000)) await flush(domain);
    }
  }
  options.onProgress?.({ done: packs.length, total: packs.length });

  // The last object written supersedes every old one: a reader that honours
  // supersession drops the old objects only once the whole new set exists.
  const domains = [...pending.keys()];
  const last = domains.pop() ?? keyring.domains[0];
  for (const domain of domains) await flush(domain);
  if (last) await flush(last, oldIndexes.map((n) => idOfName(n) as IndexId));

  const removed: string[] = [];
  const notRemoved: RebuildProblem[] = [];
  for (const name of oldIndexes) {
    try {
      await backend.remove(name, { signal });
      removed.push(name);
    } catch (error) {
      throwIfAborted(signal);
      notRemoved.push({ object: name, message: describe(error) });
    }
  }
  return { packsIndexed, blobsIndexed, indexesWritten: written, indexesRemoved: removed, problems, notRemoved };
}

/** The domain whose ID key gives the blob its id (openBlob has checked that one does). */
function domainOf(domains: readonly Domain[], entry: BlobEntry, plain: Buffer): Domain {
  if (domains.length === 1) return domains[0]!;
  return domains.find((d) => blobIdOf(d.keys.idKey, entry.type, plain).toString('hex') === entry.id) ?? domains[0]!;
}
