/**
 * Keepers and used bytes (docs/format.md "Garbage collection (prune)",
 * "Terms"). Each referenced blob gets one keeper: a copy in a trusted pack
 * (endorsed, or written by a full key) that is not being swept, preferring
 * packs no plan lists. A blob without such a copy keeps every copy it has,
 * so an untrusted copy (whose contents nobody verified) never justifies
 * deleting another one.
 */
import { NONE, PackFlag, type PackTable } from './pack-table.js';

export interface Keepers {
  /** Keeper pack number per referenced blob, or NONE. */
  readonly keeper: Uint32Array;
  /** Referenced blobs that no surveyed pack holds (check reports them). */
  readonly missing: number;
}

export function isTrusted(packs: PackTable, n: number): boolean {
  return (packs.has(n, PackFlag.endorsed) || packs.has(n, PackFlag.fullListed))
    && packs.has(n, PackFlag.surveyed) && packs.has(n, PackFlag.stored)
    && !packs.has(n, PackFlag.unreadable) && !packs.has(n, PackFlag.tombstoned);
}

/** Assigns keepers for `blobs` referenced blobs and sets every pack's used bytes. */
export function assignKeepers(packs: PackTable, blobs: number): Keepers {
  const keeper = new Uint32Array(blobs).fill(NONE);
  const held = new Uint8Array(blobs);
  const rank = (n: number): number => {
    if (!isTrusted(packs, n) || packs.has(n, PackFlag.ripe)) return -1;
    return packs.has(n, PackFlag.pending) ? 1 : 0;
  };
  for (const wanted of [0, 1]) {
    for (let n = 0; n < packs.count; n++) {
      if (rank(n) !== wanted) continue;
      for (const [blob] of packs.copies(n)) if (keeper[blob] === NONE) keeper[blob] = n;
    }
  }
  for (let n = 0; n < packs.count; n++) {
    let used = 0;
    for (const [blob, sealed] of packs.copies(n)) {
      held[blob] = 1;
      if (keeper[blob] === n || keeper[blob] === NONE) used += sealed;
    }
    packs.setUsed(n, used);
  }
  let missing = 0;
  for (let b = 0; b < blobs; b++) if (held[b] === 0) missing += 1;
  return { keeper, missing };
}
