/**
 * Counts the files and bytes a backup will visit, running beside it, so
 * progress can show an ETA. It only lists and stats (the same excludes and
 * filesystem rule as the archiver); any error just ends the count early.
 */
import { joinPath, listDirectory, readMetadata, type Excluder } from '../source/index.js';

export interface Totals { files: number; bytes: number; done: boolean }

export async function scanTotals(
  roots: readonly Buffer[], excluder: Excluder, oneFileSystem: boolean, totals: Totals, signal?: AbortSignal,
): Promise<void> {
  const visit = async (path: Buffer, rootDevice: bigint): Promise<void> => {
    for (const name of await listDirectory(path, signal)) {
      const child = joinPath(path, name);
      const meta = await readMetadata(child, signal).catch(() => null);
      if (!meta || excluder.excludes(child, meta.type === 'dir')) continue;
      if (meta.type === 'file') {
        totals.files += 1;
        totals.bytes += meta.size;
      } else if (meta.type === 'dir' && !(oneFileSystem && meta.device !== rootDevice)) {
        await visit(child, rootDevice).catch(() => undefined);
      }
    }
  };
  try {
    for (const root of roots) {
      const meta = await readMetadata(root, signal);
      if (meta.type === 'dir') await visit(root, meta.device);
      else if (meta.type === 'file') {
        totals.files += 1;
        totals.bytes += meta.size;
      }
    }
    totals.done = true;
  } catch {
    // Totals are a nicety for the progress display; the backup itself reports real problems.
  }
}
