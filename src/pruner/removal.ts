/**
 * Removing objects from storage that may refuse (docs/format.md "Garbage
 * collection (prune)"): object lock, immutable containers and credentials
 * without delete rights answer with a permanent error, which prune reports
 * and leaves for a later run; a missing object is already gone; a transient
 * failure stops the run (a prune can always be run again).
 */
import { BackendError, describe, NotFoundError, PermissionError, type Warning } from '../errors.js';
import { MIN_GC_WINDOW_MS } from '../format/index.js';
import type { Repository } from '../repository/index.js';

export type Removal = 'removed' | 'missing' | 'refused';

export async function removeObject(
  remove: (name: string) => Promise<void>, name: string, onWarning?: (warning: Warning) => void,
): Promise<Removal> {
  try {
    await remove(name);
    return 'removed';
  } catch (error) {
    if (error instanceof NotFoundError) return 'missing';
    if ((error instanceof BackendError && !error.transient) || error instanceof PermissionError) {
      onWarning?.({ code: 'PRUNE_REMOVE_REFUSED', message: `storage refused to delete ${name} (${describe(error)}); left for a later prune` });
      return 'refused';
    }
    throw error;
  }
}

/** Removes this run's clock probe, and probes older than the minimum window that killed runs left. */
export async function removeStaleProbes(
  repository: Repository, now: number, own: string | undefined, warn: (warning: Warning) => void, signal?: AbortSignal,
): Promise<void> {
  const { backend } = repository;
  for await (const object of backend.list('clock/', { signal })) {
    let stale = object.name === own;
    if (!stale) {
      try {
        stale = (await backend.stat(object.name, { signal })).modified.getTime() < now - MIN_GC_WINDOW_MS;
      } catch (error) {
        if (error instanceof NotFoundError) continue;
        throw error;
      }
    }
    if (stale) await removeObject((name) => backend.remove(name, { signal }), object.name, warn);
  }
}
