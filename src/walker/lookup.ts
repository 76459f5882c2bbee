/** Finding one node of a snapshot by its path, loading only the directories on the way. */
import { NotFoundError } from '../errors.js';
import type { BlobId, TreeNode } from '../format/index.js';
import { displayPath } from '../source/index.js';
import { readDirectory, snapshotPath, type TreeBlobSource } from './tree-reader.js';

/**
 * The node at `path` (names below the snapshot root). The root itself has
 * no node: callers handle an empty path. Throws NotFoundError naming the
 * first component that is missing or not a directory.
 */
export async function lookupNode(source: TreeBlobSource, root: BlobId, path: readonly Buffer[], signal?: AbortSignal): Promise<TreeNode> {
  if (path.length === 0) throw new RangeError('lookupNode: the root has no node');
  let subtree: readonly BlobId[] = [root];
  let node: TreeNode | undefined;
  for (let i = 0; i < path.length; i++) {
    if (node && node.type !== 'dir') {
      throw new NotFoundError(`${displayPath(snapshotPath(path.slice(0, i)))} is a ${node.type}, not a directory`);
    }
    const name = path[i]!;
    node = (await readDirectory(source, subtree, signal)).find((n) => n.name.equals(name));
    if (!node) throw new NotFoundError(`no ${displayPath(snapshotPath(path.slice(0, i + 1)))} in the snapshot`);
    subtree = node.subtree ?? [];
  }
  return node!;
}
