/**
 * Removing snapshot objects for `forget`: a few at a time; a removal that
 * storage refuses (permissions, object lock) is a warning and the others go
 * on; one that someone else already made counts as done.
 */
import type { Backend } from '../backend/backend.js';
import { AbortedError, describe, NotFoundError, type Warning } from '../errors.js';
import { shortId } from '../format/index.js';
import { snapshotName } from '../repository/index.js';
import { Semaphore } from '../semaphore.js';

/** Storage calls in flight at once. */
export const FORGET_CONCURRENCY = 8;

export interface RemoveOutcome {
  readonly removed: number;
  readonly failed: number;
}

export async function removeSnapshots(
  backend: Pick<Backend, 'remove'>, ids: readonly string[], onWarning: (warning: Warning) => void, signal?: AbortSignal,
): Promise<RemoveOutcome> {
  let removed = 0;
  let failed = 0;
  await eachLimited(ids, async (id) => {
    try {
      await backend.remove(snapshotName(id), { signal });
      removed += 1;
    } catch (error) {
      if (signal?.aborted) throw error instanceof AbortedError ? error : new AbortedError();
      if (error instanceof NotFoundError) {
        removed += 1; // removed by someone else first: the outcome is the same
        return;
      }
      failed += 1;
      onWarning({ code: 'FORGET_FAILED', message: `snapshot ${shortId(id)}: not removed: ${describe(error)}` });
    }
  });
  return { removed, failed };
}

/** Runs `work` on every item, at most FORGET_CONCURRENCY at once. */
export async function eachLimited<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  const semaphore = new Semaphore(FORGET_CONCURRENCY);
  await Promise.all(items.map(async (item) => {
    await semaphore.acquire();
    try {
      await work(item);
    } finally {
      semaphore.release();
    }
  }));
}
