/** What the archiver needs from the repository: ids, dedup and storing blobs. */
import type { BlobType } from '../format/index.js';

export interface BlobSink {
  /** The blob id of `data` as a blob of `type`. */
  blobIdOf(type: BlobType, data: Uint8Array): Buffer;
  /** True if the blob is stored or being stored. */
  knows(id: Buffer): boolean;
  /** Stores the blob unless known; resolves when accepted (may wait for memory). */
  add(type: BlobType, id: Buffer, data: Buffer): Promise<boolean>;
  /** Like `add` for a blob compressed elsewhere: `stored` is zstd data if `compressed`, else raw. */
  addStored(type: BlobType, id: Buffer, stored: Buffer, compressed: boolean, rawLength: number): Promise<boolean>;
}
