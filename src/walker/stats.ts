/**
 * `stats`: what snapshots hold and what their blobs take in storage, from
 * trees and the index alone. Blobs are counted once per set they belong to
 * with a bit per indexed blob (positions from the index), so even millions
 * of blobs cost only a few hundred kilobytes per set.
 */
import { throwIfAborted } from '../errors.js';
import { BlobType, type BlobId } from '../format/index.js';
import type { BlobLocation } from '../repository/index.js';
import { fileContent, readDirectory, type TreeBlobSource } from './tree-reader.js';

/** The part of the blob index stats needs. */
export interface IndexedBlobs {
  readonly size: number;
  positionOf(id: Uint8Array): number;
  locationAtPosition(position: number): BlobLocation;
}

/** Distinct blobs of one kind and what they take. */
export interface BlobTotals {
  blobs: number;
  /** Plaintext bytes. */
  rawBytes: number;
  /** Bytes in packs: compressed, padded and sealed. */
  storedBytes: number;
}

/** A set of indexed blobs, with running totals by type. */
export class BlobSet {
  private readonly bits: Uint8Array;
  private readonly missingIds = new Set<string>();
  readonly data: BlobTotals = { blobs: 0, rawBytes: 0, storedBytes: 0 };
  readonly tree: BlobTotals = { blobs: 0, rawBytes: 0, storedBytes: 0 };

  constructor(private readonly index: IndexedBlobs) {
    this.bits = new Uint8Array(Math.ceil(index.size / 8));
  }

  /** Blobs referenced but not in the index (the repository is damaged; `check` says more). */
  get missing(): number {
    return this.missingIds.size;
  }

  /** Adds a blob; returns true if it was not in the set yet. */
  add(id: BlobId): boolean {
    const position = this.index.positionOf(Buffer.from(id, 'hex'));
    if (position < 0) {
      const added = !this.missingIds.has(id);
      this.missingIds.add(id);
      return added;
    }
    const mask = 1 << (position & 7);
    if (this.bits[position >> 3]! & mask) return false;
    this.bits[position >> 3]! |= mask;
    const location = this.index.locationAtPosition(position);
    const totals = location.type === BlobType.tree ? this.tree : this.data;
    totals.blobs += 1;
    totals.rawBytes += location.rawLength;
    totals.storedBytes += location.sealedLength;
    return true;
  }
}

/** What restoring a snapshot would create. */
export interface TreeCounts {
  files: number;
  dirs: number;
  /** Symlinks, FIFOs, devices, sockets. */
  others: number;
  /** Bytes of file content; each hard-linked inode once, as restore writes it once. */
  restoreSize: number;
}

/** Walks a snapshot's trees, counting its nodes and adding every blob it references to each of `sets`. */
export async function countTree(source: TreeBlobSource, root: BlobId, sets: readonly BlobSet[], signal?: AbortSignal): Promise<TreeCounts> {
  const counts: TreeCounts = { files: 0, dirs: 0, others: 0, restoreSize: 0 };
  const inodes = new Set<string>();
  const add = (id: BlobId) => { for (const set of sets) set.add(id); };
  const walk = async (subtree: readonly BlobId[]): Promise<void> => {
    subtree.forEach(add);
    for (const node of await readDirectory(source, subtree, signal)) {
      throwIfAborted(signal);
      if (node.type === 'dir') {
        counts.dirs += 1;
        await walk(node.subtree ?? []);
      } else if (node.type === 'file') {
        counts.files += 1;
        const inode = node.links && node.links > 1 ? `${node.device}:${node.inode}` : undefined;
        if (inode === undefined || !inodes.has(inode)) counts.restoreSize += node.size ?? 0;
        if (inode !== undefined) inodes.add(inode);
        node.contentLists?.forEach(add);
        (await fileContent(source, node, signal)).forEach(add);
      } else {
        counts.others += 1;
      }
    }
  };
  await walk([root]);
  return counts;
}
