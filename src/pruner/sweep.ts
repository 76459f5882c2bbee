/**
 * The sweep (docs/format.md "Garbage collection (prune)", "A prune run",
 * step 3): deletes the candidates of plans whose window has passed, if they
 * are still unused and no rescue index protects them, in an order that keeps
 * every reader safe at every instant: tombstone, packs, dead index objects,
 * rewritten owner index objects, merged tombstones, and the plans last.
 */
import { NotFoundError, throwIfAborted, type Warning } from '../errors.js';
import type { PackId } from '../format/index.js';
import {
  indexName, openIndex, packName, planName, saveTombstone, sealIndex, tombstoneName,
  type LoadedPlan, type LoadedTombstone, type OwnerKey, type Repository,
} from '../repository/index.js';
import type { IndexRecord } from './catalog.js';
import { PackFlag, type PackTable } from './pack-table.js';
import { removeObject } from './removal.js';

export interface SweepOptions {
  readonly dryRun: boolean;
  readonly owner: OwnerKey;
  readonly signal?: AbortSignal;
  readonly onWarning?: (warning: Warning) => void;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface SweepResult {
  plans: number;
  packsDeleted: number;
  bytesFreed: number;
  /** Candidates kept because they are used again or a rescue index protects them. */
  packsKept: number;
  removalsRefused: number;
  indexesRemoved: number;
  indexesRewritten: number;
}

/** Marks the candidates of ripe plans that an index object unknown to the plan (and not the owner's) lists. */
export function protectRescued(packs: PackTable, records: readonly IndexRecord[], ripe: readonly LoadedPlan[]): void {
  for (const plan of ripe) {
    const known = new Set<string>(plan.plan.knownIndexes);
    for (const record of records) {
      if (record.signer === 'owner' || known.has(record.id) || !record.packs) continue;
      for (const n of record.packs) if (packs.has(n, PackFlag.ripe)) packs.set(n, PackFlag.protected);
    }
  }
}

/** Whether pack `n`, a candidate of a ripe plan, is deleted by this sweep. */
function deletable(packs: PackTable, n: number): boolean {
  return packs.has(n, PackFlag.ripe) && packs.has(n, PackFlag.stored) && packs.has(n, PackFlag.surveyed)
    && !packs.has(n, PackFlag.unreadable) && !packs.has(n, PackFlag.protected) && !packs.has(n, PackFlag.tombstoned)
    && packs.used(n) === 0;
}

export async function sweep(
  repository: Repository, packs: PackTable, records: readonly IndexRecord[], ripe: readonly LoadedPlan[],
  tombstones: readonly LoadedTombstone[], options: SweepOptions,
): Promise<SweepResult> {
  const { signal, dryRun } = options;
  const backend = repository.backend;
  const result: SweepResult = {
    plans: ripe.length, packsDeleted: 0, bytesFreed: 0, packsKept: 0, removalsRefused: 0, indexesRemoved: 0, indexesRewritten: 0,
  };
  const doomed: number[] = [];
  const retry: number[] = []; // tombstoned earlier, but storage refused or a prune died before removing them
  for (let n = 0; n < packs.count; n++) {
    if (deletable(packs, n)) doomed.push(n);
    else if (packs.has(n, PackFlag.ripe) && packs.has(n, PackFlag.stored) && !packs.has(n, PackFlag.tombstoned)) result.packsKept += 1;
    if (packs.has(n, PackFlag.tombstoned) && packs.has(n, PackFlag.stored)) retry.push(n);
  }
  if (dryRun) {
    for (const n of [...doomed, ...retry]) {
      result.packsDeleted += 1;
      result.bytesFreed += packs.size(n);
    }
    return result;
  }
  const written = doomed.length > 0
    ? tombstoneName(await saveTombstone(backend, doomed.map((n) => packs.id(n) as PackId), options.owner, signal))
    : undefined;
  for (const n of doomed) packs.set(n, PackFlag.tombstoned);

  const removals = [...doomed, ...retry];
  for (const [i, n] of removals.entries()) {
    throwIfAborted(signal);
    options.onProgress?.(i, removals.length);
    const outcome = await removeObject((name) => backend.remove(name, { signal }), packName(packs.type(n), packs.id(n)), options.onWarning);
    if (outcome === 'refused') {
      result.removalsRefused += 1;
      continue;
    }
    packs.set(n, PackFlag.deleted);
    packs.clear(n, PackFlag.stored);
    if (outcome === 'removed') {
      result.packsDeleted += 1;
      result.bytesFreed += packs.size(n);
    }
  }

  const remaining = await tidyIndexes(repository, packs, records, options, result);
  const ours = [...tombstones.map((t) => tombstoneName(t.id)), ...(written ? [written] : [])];
  await mergeTombstones(repository, packs, remaining, ours, new Set(doomed), options, result);
  for (const plan of ripe) {
    if (await removeObject((name) => backend.remove(name, { signal }), planName(plan.id), options.onWarning) === 'refused') {
      result.removalsRefused += 1;
    }
  }
  return result;
}

/**
 * Removes index objects all of whose packs are tombstoned, and rewrites
 * owner-signed ones that list some, without them. Returns the records that
 * remain in storage.
 */
async function tidyIndexes(
  repository: Repository, packs: PackTable, records: readonly IndexRecord[], options: SweepOptions, result: SweepResult,
): Promise<IndexRecord[]> {
  const { signal } = options;
  const backend = repository.backend;
  const remaining: IndexRecord[] = [];
  for (const record of records) {
    throwIfAborted(signal);
    const listed = record.packs;
    const dead = listed ? [...listed].filter((n) => packs.has(n, PackFlag.tombstoned)).length : 0;
    if (!listed || dead === 0) {
      remaining.push(record);
      continue;
    }
    if (dead < listed.length) {
      if (record.signer !== 'owner') {
        remaining.push(record); // another signer's object cannot be re-signed: the tombstone covers its dead packs
        continue;
      }
      let bytes: Buffer;
      try {
        bytes = await backend.load(indexName(record.id), { signal });
      } catch (error) {
        if (error instanceof NotFoundError) continue; // removed meanwhile (by another prune): nothing to rewrite
        throw error;
      }
      const opened = openIndex(record.id, bytes, repository.keyring.domains);
      const payload = { superseded: [record.id as never], packs: opened.payload.packs.filter((p) => !isTombstoned(packs, p.id)) };
      const sealed = sealIndex(payload, opened.domain, { name: 'owner', ...options.owner });
      await backend.save(indexName(sealed.id), sealed.bytes, { signal });
      result.indexesRewritten += 1;
      remaining.push({ id: sealed.id, signer: 'owner', packs: Uint32Array.from(payload.packs.map((p) => packs.find(p.id))) });
    }
    const outcome = await removeObject((name) => backend.remove(name, { signal }), indexName(record.id), options.onWarning);
    if (outcome === 'refused') {
      result.removalsRefused += 1;
      remaining.push(record);
    } else {
      result.indexesRemoved += 1;
    }
  }
  return remaining;
}

function isTombstoned(packs: PackTable, id: string): boolean {
  const n = packs.find(id);
  return n >= 0 && packs.has(n, PackFlag.tombstoned);
}

/**
 * Keeps tombstones small: one object listing every tombstoned pack that is
 * still stored, still listed by an index object, or deleted by this run,
 * saved before the others
 * are removed (readers use the union of all tombstones, so there is no gap).
 * Only tombstones this run read or wrote are merged: one a concurrent prune
 * wrote meanwhile is left alone.
 */
async function mergeTombstones(
  repository: Repository, packs: PackTable, remaining: readonly IndexRecord[], objects: readonly string[],
  fresh: ReadonlySet<number>, options: SweepOptions, result: SweepResult,
): Promise<void> {
  const { signal } = options;
  const backend = repository.backend;
  const stillListed = new Set<number>();
  for (const record of remaining) for (const n of record.packs ?? []) stillListed.add(n);
  const all: number[] = [];
  for (let n = 0; n < packs.count; n++) if (packs.has(n, PackFlag.tombstoned)) all.push(n);
  // Packs deleted by this run stay listed until a later sweep: a writer that stalled may still index one.
  const keep = all.filter((n) => packs.has(n, PackFlag.stored) || stillListed.has(n) || fresh.has(n));
  if (objects.length <= 1 && keep.length === all.length) return;
  let merged: string | undefined;
  if (keep.length > 0) merged = tombstoneName(await saveTombstone(backend, keep.map((n) => packs.id(n) as PackId), options.owner, signal));
  for (const name of objects) {
    if (name === merged) continue;
    if (await removeObject((n) => backend.remove(n, { signal }), name, options.onWarning) === 'refused') result.removalsRefused += 1;
  }
}
