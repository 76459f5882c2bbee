/**
 * Rewrites a snapshot's tree without what can no longer be read: a file
 * with any lost data blob (or an unreadable content list) is dropped whole,
 * and a directory page that cannot be read loses its entries. Everything
 * else is kept as it was, sharing the same tree blobs; only directories on
 * the way to a loss get new pages. Results are remembered per directory, so
 * snapshots sharing subtrees cost one pass.
 */
import { BackendError, describe, throwIfAborted } from '../errors.js';
import { BlobType, decodeTree, shortId, type BlobId, type TreeNode } from '../format/index.js';
import { fileContent, type TreeBlobSource } from '../walker/index.js';
import { saveTreePages, type StoreTreeBlob } from '../copier/tree-pages.js';
import type { BlobAvailability } from './blob-availability.js';

/** Something dropped from the tree, by its path components below the directory it was found in. */
export interface LostEntry {
  readonly path: readonly Buffer[];
  readonly reason: string;
}

interface DirectoryResult {
  readonly subtree: readonly BlobId[];
  readonly changed: boolean;
  readonly lost: readonly LostEntry[];
}

export type RepairedTree =
  | { readonly tree: BlobId; readonly changed: boolean; readonly lost: readonly LostEntry[] }
  | { readonly tree: null; readonly reason: string };

export class TreeRepairer {
  private readonly memo = new Map<string, Promise<DirectoryResult>>();

  constructor(
    private readonly source: TreeBlobSource,
    private readonly availability: BlobAvailability,
    private readonly store: StoreTreeBlob,
    private readonly signal?: AbortSignal,
  ) {}

  /** The repaired root tree, or null with the reason when the root itself cannot be read. */
  async repair(root: BlobId): Promise<RepairedTree> {
    try {
      await this.source.loadTreeBlob(root, this.signal);
    } catch (error) {
      if (isFatal(error, this.signal)) throw error;
      return { tree: null, reason: `root tree ${shortId(root)} is unreadable: ${describe(error)}` };
    }
    const result = await this.directory([root]);
    const [tree] = result.subtree;
    if (result.subtree.length !== 1 || tree === undefined) throw new RangeError('the root of a snapshot must fit one tree page');
    return { tree, changed: result.changed, lost: result.lost };
  }

  private directory(subtree: readonly BlobId[]): Promise<DirectoryResult> {
    const key = subtree.join(',');
    let result = this.memo.get(key);
    if (!result) {
      result = this.rewrite(subtree);
      this.memo.set(key, result);
    }
    return result;
  }

  private async rewrite(subtree: readonly BlobId[]): Promise<DirectoryResult> {
    const nodes: TreeNode[] = [];
    const lost: LostEntry[] = [];
    let changed = false;
    for (const page of subtree) {
      throwIfAborted(this.signal);
      let pageNodes: readonly TreeNode[];
      try {
        pageNodes = decodeTree(await this.source.loadTreeBlob(page, this.signal)).nodes;
      } catch (error) {
        if (isFatal(error, this.signal)) throw error;
        lost.push({ path: [], reason: `entries lost with tree page ${shortId(page)}: ${describe(error)}` });
        changed = true;
        continue;
      }
      for (const node of pageNodes) {
        if (node.type === 'dir') {
          const below = await this.directory(node.subtree ?? []);
          lost.push(...below.lost.map((l) => ({ path: [node.name, ...l.path], reason: l.reason })));
          changed ||= below.changed;
          nodes.push(below.changed ? { ...node, subtree: [...below.subtree] } : node);
        } else if (node.type === 'file') {
          const problem = await this.fileProblem(node);
          if (problem === undefined) {
            nodes.push(node);
          } else {
            lost.push({ path: [node.name], reason: problem });
            changed = true;
          }
        } else {
          nodes.push(node);
        }
      }
    }
    return { subtree: changed ? await saveTreePages(this.store, nodes) : subtree, changed, lost };
  }

  /** Why the file's content cannot be restored whole, or undefined. */
  private async fileProblem(node: TreeNode): Promise<string | undefined> {
    let content: BlobId[];
    try {
      content = await fileContent(this.source, node, this.signal);
    } catch (error) {
      if (isFatal(error, this.signal)) throw error;
      return `content list unreadable: ${describe(error)}`;
    }
    let missing = 0;
    let first: string | undefined;
    for (const id of content) {
      const problem = await this.availability.problem(id, BlobType.data);
      if (problem === undefined) continue;
      missing += 1;
      first ??= problem;
    }
    return first === undefined ? undefined : `${missing} of ${content.length} data blob(s) lost (${first})`;
  }
}

/** Storage failures and interruptions stop the repair: they are not evidence that data is lost. */
function isFatal(error: unknown, signal?: AbortSignal): boolean {
  return error instanceof BackendError || signal?.aborted === true;
}
