/**
 * `diff`: what changed between two snapshots, from trees alone. A directory
 * whose tree blobs are the same in both is the same all the way down (blob
 * ids are content hashes), so it is skipped without being loaded: the cost
 * follows the size of the change, not of the snapshots. File contents are
 * compared by their lists of data blob ids, never by reading data.
 */
import { throwIfAborted } from '../errors.js';
import type { BlobId, TreeNode } from '../format/index.js';
import { readDirectory, type TreeBlobSource } from './tree-reader.js';

/**
 * added, removed; modified: content differs (file data, symlink target,
 * device number), maybe metadata too; metadata: only mode, owner or mtime;
 * type: the entry became another kind (its old children are reported
 * removed, its new ones added).
 */
export type ChangeKind = 'added' | 'removed' | 'modified' | 'metadata' | 'type';

export type MetadataField = 'mode' | 'uid' | 'gid' | 'mtime';

export interface Change {
  readonly kind: ChangeKind;
  /** Names below the snapshot root. */
  readonly path: readonly Buffer[];
  readonly before?: TreeNode;
  readonly after?: TreeNode;
  /** Metadata fields that differ (modified, metadata). */
  readonly fields?: readonly MetadataField[];
}

const METADATA_FIELDS: readonly MetadataField[] = ['mode', 'uid', 'gid', 'mtime'];

/** Reports every change from `before` to `after` (root trees), depth first in name order. */
export async function diffTrees(
  source: TreeBlobSource, before: BlobId, after: BlobId, onChange: (change: Change) => void | Promise<void>, signal?: AbortSignal,
): Promise<void> {
  const everything = async (kind: 'added' | 'removed', node: TreeNode, path: readonly Buffer[]): Promise<void> => {
    await onChange(kind === 'added' ? { kind, path, after: node } : { kind, path, before: node });
    if (node.type !== 'dir') return;
    for (const child of await readDirectory(source, node.subtree ?? [], signal)) await everything(kind, child, [...path, child.name]);
  };

  const compareDirectories = async (a: readonly BlobId[], b: readonly BlobId[], prefix: readonly Buffer[]): Promise<void> => {
    if (sameIds(a, b)) return;
    throwIfAborted(signal);
    const left = await readDirectory(source, a, signal);
    const right = await readDirectory(source, b, signal);
    let i = 0;
    let j = 0;
    while (i < left.length || j < right.length) {
      const x = left[i];
      const y = right[j];
      const order = x === undefined ? 1 : y === undefined ? -1 : Buffer.compare(x.name, y.name);
      if (order < 0) {
        await everything('removed', x!, [...prefix, x!.name]);
        i += 1;
      } else if (order > 0) {
        await everything('added', y!, [...prefix, y!.name]);
        j += 1;
      } else {
        await compareNodes(x!, y!, [...prefix, x!.name]);
        i += 1;
        j += 1;
      }
    }
  };

  const compareNodes = async (x: TreeNode, y: TreeNode, path: readonly Buffer[]): Promise<void> => {
    if (x.type !== y.type) {
      await onChange({ kind: 'type', path, before: x, after: y });
      if (x.type === 'dir') for (const child of await readDirectory(source, x.subtree ?? [], signal)) await everything('removed', child, [...path, child.name]);
      if (y.type === 'dir') for (const child of await readDirectory(source, y.subtree ?? [], signal)) await everything('added', child, [...path, child.name]);
      return;
    }
    const fields = METADATA_FIELDS.filter((f) => x[f] !== y[f]);
    if (!sameContent(x, y)) await onChange({ kind: 'modified', path, before: x, after: y, fields });
    else if (fields.length > 0) await onChange({ kind: 'metadata', path, before: x, after: y, fields });
    if (x.type === 'dir') await compareDirectories(x.subtree ?? [], y.subtree ?? [], path);
  };

  await compareDirectories([before], [after], []);
}

/** Same content for nodes of one type: a directory's content is compared through its children. */
function sameContent(x: TreeNode, y: TreeNode): boolean {
  switch (x.type) {
    case 'file':
      return x.size === y.size && sameIds(x.content ?? [], y.content ?? []) && sameIds(x.contentLists ?? [], y.contentLists ?? []);
    case 'symlink':
      return (x.target ?? Buffer.alloc(0)).equals(y.target ?? Buffer.alloc(0));
    case 'chardev':
    case 'blockdev':
      return x.rdev === y.rdev;
    default:
      return true;
  }
}

function sameIds(a: readonly BlobId[], b: readonly BlobId[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
