/**
 * Endorsing duplicates (docs/format.md "Garbage collection (prune)", "A
 * prune run", step 2): a referenced blob stored only in untrusted packs
 * (written by write-only signers, or never indexed) keeps every copy it has,
 * so two hosts that stored the same data both keep it. For each such blob
 * with more than one copy, prune reads one of those packs whole, checks its
 * name and every blob against its id, and if all verify, indexes it under
 * the owner key: the pack is now trusted (and writers may deduplicate
 * against it), and the other copies become unused.
 */
import { describe, FormatError, IntegrityError, NotFoundError, throwIfAborted, type Warning } from '../errors.js';
import { shortId, type IndexPack, type PackId } from '../format/index.js';
import {
  indexName, OpenedPack, packName, sealIndex, writerDomain, type OwnerKey, type Repository,
} from '../repository/index.js';
import { isTrusted, type Keepers } from './keepers.js';
import { NONE, PackFlag, type PackTable } from './pack-table.js';

export interface EndorseOptions {
  readonly dryRun: boolean;
  readonly owner: OwnerKey;
  readonly signal?: AbortSignal;
  readonly onWarning?: (warning: Warning) => void;
  readonly onProgress?: (done: number, total: number) => void;
}

function verifiable(packs: PackTable, n: number): boolean {
  return packs.has(n, PackFlag.stored) && packs.has(n, PackFlag.surveyed) && !packs.has(n, PackFlag.unreadable)
    && !packs.has(n, PackFlag.tombstoned) && !packs.has(n, PackFlag.ripe) && !isTrusted(packs, n);
}

/** The untrusted packs to verify: one holding each keeperless referenced blob that has several copies. */
export function duplicatesToVerify(packs: PackTable, blobs: number, keepers: Keepers): number[] {
  const first = new Uint32Array(blobs).fill(NONE);
  const copies = new Uint8Array(blobs);
  for (const pending of [false, true]) {
    for (let n = 0; n < packs.count; n++) {
      if (!verifiable(packs, n) || packs.has(n, PackFlag.pending) !== pending) continue;
      for (const [blob] of packs.copies(n)) {
        if (keepers.keeper[blob] !== NONE) continue;
        if (first[blob] === NONE) first[blob] = n;
        if (copies[blob]! < 2) copies[blob]! += 1;
      }
    }
  }
  const chosen = new Set<number>();
  for (let b = 0; b < blobs; b++) if (copies[b] === 2) chosen.add(first[b]!);
  return [...chosen];
}

/** Verifies the packs and, unless a dry run, endorses those whose every blob verifies. Returns how many became trusted. */
export async function endorsePacks(repository: Repository, packs: PackTable, chosen: readonly number[], options: EndorseOptions): Promise<number> {
  const { signal } = options;
  const keys = repository.packReadKeys('verify duplicates');
  const endorsed: IndexPack[] = [];
  for (const [i, n] of chosen.entries()) {
    throwIfAborted(signal);
    options.onProgress?.(i, chosen.length);
    const type = packs.type(n);
    const id = packs.id(n);
    try {
      const pack = OpenedPack.open(id, type, await repository.backend.load(packName(type, id), { signal }), keys);
      for (const entry of pack.entries) pack.openBlob(entry, repository.codec);
      endorsed.push({ id: id as PackId, type, entries: [...pack.entries] });
      packs.set(n, PackFlag.endorsed);
    } catch (error) {
      if (!(error instanceof IntegrityError || error instanceof FormatError || error instanceof NotFoundError)) throw error;
      options.onWarning?.({
        code: 'PRUNE_PACK_UNVERIFIED',
        message: `${type} pack ${shortId(id)}: does not verify (${describe(error)}); its copies are kept, run check --read-data`,
      });
    }
  }
  options.onProgress?.(chosen.length, chosen.length);
  if (!options.dryRun && endorsed.length > 0) {
    const sealed = sealIndex({ superseded: [], packs: endorsed }, writerDomain(repository.keyring), { name: 'owner', ...options.owner });
    await repository.backend.save(indexName(sealed.id), sealed.bytes, { signal });
  }
  return endorsed.length;
}
