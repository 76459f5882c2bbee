/**
 * Recovery after an interrupted backup (docs/format.md "Order of writes"):
 * packs recorded in local journals that exist in storage but no index
 * mentions get an index object now, so they are reused, not uploaded again.
 */
import { NotFoundError } from '../errors.js';
import type { IndexPack } from '../format/index.js';
import { Trust } from './blob-index.js';
import { sealIndex } from './index-object.js';
import { writerDomain } from './keyring.js';
import { indexName, packName } from './layout.js';
import { PackJournal } from './pack-journal.js';
import type { Repository } from './repository.js';

/** Returns the number of packs recovered. */
export async function recoverJournaledPacks(
  repository: Repository, journalDir: string, signal?: AbortSignal, skip?: (packId: string) => boolean,
): Promise<number> {
  const { packs, files } = await PackJournal.leftovers(journalDir);
  const recovered: IndexPack[] = [];
  for (const pack of packs) {
    // Packs prune is collecting (doomed or tombstoned) are not brought back (docs/format.md "Writers").
    if (repository.tombstonedPacks.has(pack.id) || skip?.(pack.id)) continue;
    const indexed = pack.entries.every((e) => repository.index.lookup(Buffer.from(e.id, 'hex'))?.packId === pack.id);
    if (indexed) continue;
    try {
      await repository.backend.stat(packName(pack.type, pack.id), { signal });
    } catch (error) {
      if (error instanceof NotFoundError) continue;
      throw error;
    }
    recovered.push(pack);
  }
  if (recovered.length > 0) {
    const { keyring } = repository;
    const sealed = sealIndex({ superseded: [], packs: recovered }, writerDomain(keyring), keyring.signer);
    await repository.backend.save(indexName(sealed.id), sealed.bytes, { signal });
    for (const pack of recovered) {
      for (const entry of pack.entries) repository.index.add(Buffer.from(entry.id, 'hex'), { ...entry, packId: pack.id }, Trust.own);
    }
  }
  await PackJournal.remove(files);
  return recovered.length;
}
