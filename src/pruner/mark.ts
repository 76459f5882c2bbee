/**
 * Mark (docs/format.md "Garbage collection (prune)", "Terms"): every blob
 * reachable from a snapshot's root tree goes into the referenced set. A tree
 * blob already marked is not read again, so directories shared by many
 * snapshots cost nothing after the first, and a hostile tree that lists
 * itself is read once. A tree blob joins the set only once it has been read,
 * so a tree that cannot be read fails every snapshot that refers to it.
 */
import { throwIfAborted } from '../errors.js';
import { decodeContentList, decodeTree, type BlobId } from '../format/index.js';
import type { IdTable } from './id-table.js';

/** Loads the verified plaintext of a tree blob. */
export interface TreeBlobSource {
  loadTreeBlob(id: BlobId, signal?: AbortSignal): Promise<Buffer>;
}

/** Marks everything reachable from `root`; returns the number of tree blobs read. */
export async function markTree(
  source: TreeBlobSource, root: BlobId, referenced: IdTable, signal?: AbortSignal,
): Promise<number> {
  let read = 0;
  const stack: BlobId[] = [root];
  while (stack.length > 0) {
    throwIfAborted(signal);
    const id = stack.pop()!;
    const bytes = Buffer.from(id, 'hex');
    if (referenced.find(bytes) >= 0) continue;
    const tree = decodeTree(await source.loadTreeBlob(id, signal));
    read += 1;
    referenced.intern(bytes); // before the children: a tree that lists itself is read once
    for (const node of tree.nodes) {
      for (const sub of node.subtree ?? []) stack.push(sub);
      for (const blob of node.content ?? []) referenced.internHex(blob);
      for (const list of node.contentLists ?? []) {
        if (referenced.findHex(list) >= 0) continue;
        for (const blob of decodeContentList(await source.loadTreeBlob(list, signal)).content) referenced.internHex(blob);
        referenced.internHex(list);
        read += 1;
      }
    }
  }
  return read;
}
