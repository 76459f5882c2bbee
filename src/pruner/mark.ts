/**
 * Mark (docs/format.md "Garbage collection (prune)", "Terms"): every blob
 * reachable from a snapshot's root tree goes into the referenced set. A tree
 * blob already marked is not read again, so directories shared by many
 * snapshots cost nothing after the first, and a hostile tree that lists
 * itself is read once. A tree blob joins the set only once it has been read,
 * so a tree that cannot be read fails every snapshot that refers to it.
 */
import { describe, FormatError, IntegrityError, NotFoundError, throwIfAborted, type Warning } from '../errors.js';
import { decodeContentList, decodeTree, shortId, type BlobId } from '../format/index.js';
import type { Repository } from '../repository/index.js';
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

export interface MarkOptions {
  readonly allowUnverified?: boolean;
  readonly force?: boolean;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: { phase: 'mark'; done: number; total: number }) => void;
}

/** Marks what every counted snapshot references; returns the number of snapshots. */
export async function markSnapshots(
  repository: Repository, referenced: IdTable, options: MarkOptions, warn: (warning: Warning) => void,
): Promise<number> {
  const { signal } = options;
  const { snapshots, issues } = await repository.listSnapshots(signal);
  for (const issue of issues) {
    const message = `${issue.object}: cannot be read (${issue.message})`;
    if (!options.force) {
      throw new IntegrityError(`prune: ${message}; prune would delete data it may need. Repair or remove it, or pass --force`);
    }
    warn({ code: 'PRUNE_SNAPSHOT_UNREADABLE', message: `${message}; --force: data only it references may be deleted` });
  }
  const unverified = snapshots.filter((s) => !s.verified);
  if (unverified.length > 0 && !options.allowUnverified) {
    throw new IntegrityError(`prune: ${unverified.length} snapshot(s) whose signature does not verify, e.g. ${shortId(unverified[0]!.id)}; `
      + 'remove them (forget) or pass --allow-unverified to keep their data');
  }
  for (const [i, record] of snapshots.entries()) {
    throwIfAborted(signal);
    options.onProgress?.({ phase: 'mark', done: i, total: snapshots.length });
    try {
      await markTree(repository, record.snapshot.tree, referenced, signal);
    } catch (error) {
      throwIfAborted(signal);
      if (!(error instanceof IntegrityError || error instanceof FormatError || error instanceof NotFoundError)) throw error;
      const message = `snapshot ${shortId(record.id)}: tree unreadable (${describe(error)})`;
      if (!options.force) throw new IntegrityError(`prune: ${message}; prune would delete data it may need. Run check, or pass --force`);
      warn({ code: 'PRUNE_SNAPSHOT_UNREADABLE', message: `${message}; --force: data only it references may be deleted` });
    }
  }
  return snapshots.length;
}
