/**
 * The endorsed index (docs/format.md "Index objects"): index objects signed
 * by the owner key, listing packs whose trailer and every blob the owner
 * has read and verified. Every host deduplicates against them (and against
 * its own entries), so data one host stored is not stored again by another
 * once the owner has vouched for it, and a lying writer's entries never are.
 */
import type { IndexPack } from '../format/index.js';
import { Trust } from './blob-index.js';
import { sealIndex } from './index-object.js';
import { requireOwnerKey } from './keyring.js';
import { indexName } from './layout.js';
import type { Repository } from './repository.js';

/** Packs per endorsed index object, so one object stays well below a pack's size. */
const PACKS_PER_OBJECT = 256;

/**
 * Saves owner-signed index objects for `packs` (verified by the caller, all
 * of domain `domainId`) and adds their entries to the repository's index
 * as endorsed. Returns the ids of the index objects written.
 */
export async function saveEndorsedIndex(
  repository: Repository, packs: readonly IndexPack[], domainId: string, signal?: AbortSignal,
): Promise<string[]> {
  const ownerPrivateKey = requireOwnerKey(repository.keyring, 'endorse index');
  const domain = repository.keyring.domains.find((d) => d.id === domainId);
  if (!domain) throw new RangeError(`endorse index: this key has no domain ${JSON.stringify(domainId)}`);
  const owner = { name: 'owner', publicKey: repository.keyring.ownerPublicKey, privateKey: ownerPrivateKey };
  const ids: string[] = [];
  for (let i = 0; i < packs.length; i += PACKS_PER_OBJECT) {
    const batch = packs.slice(i, i + PACKS_PER_OBJECT);
    const sealed = sealIndex({ superseded: [], packs: batch }, domain, owner);
    await repository.backend.save(indexName(sealed.id), sealed.bytes, { signal });
    ids.push(sealed.id);
    for (const pack of batch) {
      repository.endorsedPacks.add(pack.id);
      for (const entry of pack.entries) repository.index.add(Buffer.from(entry.id, 'hex'), { ...entry, packId: pack.id }, Trust.owner);
    }
  }
  return ids;
}
