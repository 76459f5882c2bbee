/**
 * The contents of every pack in storage (docs/format.md "Garbage collection
 * (prune)", "Terms"): which referenced blobs each holds, and where that
 * knowledge comes from. Endorsed packs are described by their owner-signed
 * index entries; every other pack's trailer is read and authenticated. No
 * index claim of any other signer is used, so a lying index entry cannot make
 * a pack look unused.
 */
import { describe, FormatError, IntegrityError, NotFoundError, throwIfAborted, type Warning } from '../errors.js';
import { shortId, type BlobEntry } from '../format/index.js';
import { indexName, openIndex, readPackTrailer, type Repository } from '../repository/index.js';
import { Semaphore } from '../semaphore.js';
import type { IndexRecord } from './catalog.js';
import type { IdTable } from './id-table.js';
import { PackFlag, type PackTable } from './pack-table.js';

export interface ContentsOptions {
  /** Trailers read at once. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
  readonly onWarning?: (warning: Warning) => void;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ContentsResult {
  readonly trailersRead: number;
}

function copiesOf(entries: readonly BlobEntry[], referenced: IdTable): [number, number][] {
  const copies: [number, number][] = [];
  for (const entry of entries) {
    const blob = referenced.findHex(entry.id);
    if (blob >= 0) copies.push([blob, entry.sealedLength]);
  }
  return copies;
}

function sealedBytes(entries: readonly BlobEntry[]): number {
  return entries.reduce((sum, e) => sum + e.sealedLength, 0);
}

function needsSurvey(packs: PackTable, n: number): boolean {
  return packs.has(n, PackFlag.stored) && !packs.has(n, PackFlag.surveyed) && !packs.has(n, PackFlag.tombstoned);
}

export async function surveyContents(
  repository: Repository, packs: PackTable, records: readonly IndexRecord[], referenced: IdTable, options: ContentsOptions = {},
): Promise<ContentsResult> {
  const { signal } = options;
  for (const record of records) {
    if (record.signer !== 'owner') continue;
    throwIfAborted(signal);
    let opened;
    try {
      opened = openIndex(record.id, await repository.backend.load(indexName(record.id), { signal }), repository.keyring.domains);
    } catch (error) {
      if (error instanceof NotFoundError) continue; // rewritten by a concurrent prune: its packs get their trailers read
      throw error;
    }
    for (const pack of opened.payload.packs) {
      const n = packs.find(pack.id);
      if (n >= 0 && needsSurvey(packs, n)) packs.survey(n, copiesOf(pack.entries, referenced), sealedBytes(pack.entries));
    }
  }
  // Endorsement is only as good as the owner's index: a pack it lists that we could not survey from it is read.
  const unknown: number[] = [];
  for (let n = 0; n < packs.count; n++) {
    if (needsSurvey(packs, n)) {
      packs.clear(n, PackFlag.endorsed);
      unknown.push(n);
    }
  }
  const keys = repository.packReadKeys('prune');
  const limit = new Semaphore(options.concurrency ?? 4);
  let done = 0;
  let failure: unknown;
  await Promise.all(unknown.map(async (n) => {
    await limit.acquire();
    try {
      if (failure !== undefined) return;
      throwIfAborted(signal);
      const entries = await readPackTrailer(repository.backend, packs.type(n), packs.id(n), packs.size(n), keys, signal);
      packs.survey(n, copiesOf(entries, referenced), sealedBytes(entries));
    } catch (error) {
      if (error instanceof NotFoundError) {
        packs.clear(n, PackFlag.stored); // removed since it was listed
      } else if (error instanceof IntegrityError || error instanceof FormatError) {
        packs.set(n, PackFlag.unreadable);
        options.onWarning?.({
          code: 'PRUNE_PACK_UNREADABLE',
          message: `${packs.type(n)} pack ${shortId(packs.id(n))}: trailer unreadable (${describe(error)}); kept, run check --read-data`,
        });
      } else {
        failure ??= error;
      }
    } finally {
      done += 1;
      options.onProgress?.(done, unknown.length);
      limit.release();
    }
  }));
  if (failure !== undefined) throw failure;
  return { trailersRead: unknown.length };
}
