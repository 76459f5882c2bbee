/**
 * Reading snapshot trees: directory pages and content lists are tree blobs
 * (docs/format.md "Trees"). Only tree packs are needed, never data packs.
 */
import { decodeContentList, decodeTree, type BlobId, type TreeNode } from '../format/index.js';

/** Loads the plaintext of a tree blob (verified against its id). */
export interface TreeBlobSource {
  loadTreeBlob(id: BlobId, signal?: AbortSignal): Promise<Buffer>;
}

/** All nodes of a directory, across its pages, in name order. */
export async function readDirectory(source: TreeBlobSource, subtree: readonly BlobId[], signal?: AbortSignal): Promise<TreeNode[]> {
  const nodes: TreeNode[] = [];
  for (const id of subtree) nodes.push(...decodeTree(await source.loadTreeBlob(id, signal)).nodes);
  return nodes;
}

/** The data blob ids of a file node, expanding content lists. */
export async function fileContent(source: TreeBlobSource, node: TreeNode, signal?: AbortSignal): Promise<BlobId[]> {
  if (node.content) return [...node.content];
  const ids: BlobId[] = [];
  for (const list of node.contentLists ?? []) ids.push(...decodeContentList(await source.loadTreeBlob(list, signal)).content);
  return ids;
}

export interface WalkEntry {
  /** Components of the path below the snapshot root. */
  readonly path: readonly Buffer[];
  readonly node: TreeNode;
}

/**
 * Visits every node below the root tree, depth first in name order; a
 * directory is visited before its children. Return false from `visit` to
 * skip a directory's children.
 */
export async function walkTree(
  source: TreeBlobSource, root: BlobId, visit: (entry: WalkEntry) => boolean | void | Promise<boolean | void>,
  signal?: AbortSignal,
): Promise<void> {
  const walk = async (subtree: readonly BlobId[], prefix: readonly Buffer[]): Promise<void> => {
    for (const node of await readDirectory(source, subtree, signal)) {
      const path = [...prefix, node.name];
      const descend = await visit({ path, node });
      if (node.type === 'dir' && descend !== false) await walk(node.subtree ?? [], path);
    }
  };
  await walk([root], []);
}

/** `/a/b/c` for display and glob matching; raw bytes kept (latin1 round-trips every byte). */
export function snapshotPath(path: readonly Buffer[]): Buffer {
  return Buffer.concat(path.flatMap((c) => [Buffer.from('/'), c]));
}
