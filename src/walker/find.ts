/**
 * `find`: the nodes of snapshots whose path, time and size match. Trees
 * only, never data. Across snapshots, a directory found at the same path
 * with the same tree blobs as in the previous snapshot searched has the
 * same matches below it, so they are copied instead of loaded again:
 * searching a hundred snapshots of a mostly unchanged tree costs little
 * more than searching one.
 */
import { throwIfAborted } from '../errors.js';
import type { BlobId, TreeNode } from '../format/index.js';
import { readDirectory, snapshotPath, type TreeBlobSource, type WalkEntry } from './tree-reader.js';

/** Matches an absolute snapshot path (`/home/ann/x.pdf`). */
export interface PathMatcher {
  matches(path: Buffer, isDirectory: boolean): boolean;
}

/** What a node must satisfy; absent criteria match everything. Bounds are inclusive for sizes, exclusive for times. */
export interface FindCriteria {
  readonly paths?: PathMatcher;
  /** Modified after this time (nanoseconds since the epoch). */
  readonly newerThan?: bigint;
  /** Modified before this time. */
  readonly olderThan?: bigint;
  /** With a size bound, only files match. */
  readonly minSize?: number;
  readonly maxSize?: number;
}

export function matchesCriteria(criteria: FindCriteria, path: Buffer, node: TreeNode): boolean {
  if (criteria.newerThan !== undefined && !(node.mtime > criteria.newerThan)) return false;
  if (criteria.olderThan !== undefined && !(node.mtime < criteria.olderThan)) return false;
  if (criteria.minSize !== undefined || criteria.maxSize !== undefined) {
    if (node.type !== 'file') return false;
    const size = node.size ?? 0;
    if (criteria.minSize !== undefined && size < criteria.minSize) return false;
    if (criteria.maxSize !== undefined && size > criteria.maxSize) return false;
  }
  return criteria.paths === undefined || criteria.paths.matches(path, node.type === 'dir');
}

interface Searched { readonly matches: WalkEntry[]; readonly ranges: Map<string, readonly [number, number]> }

export class Finder {
  private previous: Searched = { matches: [], ranges: new Map() };

  constructor(private readonly source: TreeBlobSource, private readonly criteria: FindCriteria) {}

  /** Every matching node below `root`, depth first in name order (directories before their children). */
  async find(root: BlobId, signal?: AbortSignal): Promise<WalkEntry[]> {
    const current: Searched = { matches: [], ranges: new Map() };
    const walk = async (subtree: readonly BlobId[], prefix: readonly Buffer[]): Promise<void> => {
      for (const node of await readDirectory(this.source, subtree, signal)) {
        throwIfAborted(signal);
        const path = [...prefix, node.name];
        const shown = snapshotPath(path);
        if (matchesCriteria(this.criteria, shown, node)) current.matches.push({ path, node });
        if (node.type !== 'dir') continue;
        const key = `${shown.toString('latin1')}\0${(node.subtree ?? []).join(',')}`;
        const start = current.matches.length;
        const seen = this.previous.ranges.get(key);
        if (seen) current.matches.push(...this.previous.matches.slice(seen[0], seen[1]));
        else await walk(node.subtree ?? [], path);
        current.ranges.set(key, [start, current.matches.length]);
      }
    };
    await walk([root], []);
    // Only the last snapshot's directories are remembered, so memory follows one snapshot, not all.
    this.previous = current;
    return current.matches;
  }
}
