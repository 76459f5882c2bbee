/**
 * Removing objects from storage that may refuse (docs/format.md "Garbage
 * collection (prune)"): object lock, immutable containers and credentials
 * without delete rights answer with a permanent error, which prune reports
 * and leaves for a later run; a missing object is already gone; a transient
 * failure stops the run (a prune can always be run again).
 */
import { BackendError, describe, NotFoundError, PermissionError, type Warning } from '../errors.js';

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
