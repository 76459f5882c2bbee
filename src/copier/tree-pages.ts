/**
 * Writing trees (docs/format.md "Trees"): a directory's nodes as one or
 * more pages, and a file's content as ids inline or, past 8192 ids, as
 * content lists. Shared by copy and repair, which rebuild trees from
 * existing ones; the archiver builds them from the filesystem.
 */
import {
  encodeContentList, MAX_CONTENT_IDS_PER_NODE, paginateTree, type BlobId, type TreeNode,
} from '../format/index.js';

/** Stores a tree blob (or finds it already stored) and returns its id. */
export type StoreTreeBlob = (bytes: Buffer) => Promise<BlobId>;

/** The tree blob ids of a directory's pages, in order. */
export async function saveTreePages(store: StoreTreeBlob, nodes: readonly TreeNode[]): Promise<BlobId[]> {
  const ids: BlobId[] = [];
  for (const page of paginateTree(nodes)) ids.push(await store(page));
  return ids;
}

/** A file node's `content`, or `contentLists` when it has more than 8192 blobs. */
export async function contentFields(store: StoreTreeBlob, content: readonly BlobId[]): Promise<Pick<TreeNode, 'content' | 'contentLists'>> {
  if (content.length <= MAX_CONTENT_IDS_PER_NODE) return { content: [...content] };
  const lists: BlobId[] = [];
  for (let i = 0; i < content.length; i += MAX_CONTENT_IDS_PER_NODE) {
    lists.push(await store(encodeContentList(content.slice(i, i + MAX_CONTENT_IDS_PER_NODE))));
  }
  return { contentLists: lists };
}

/** A node without its content fields, to take new ones. */
export function withoutContent(node: TreeNode): TreeNode {
  const { content: _content, contentLists: _lists, subtree: _subtree, ...rest } = node;
  return rest;
}
