/**
 * Messages between the archiver and its file workers (file-workers.ts,
 * file-worker.ts). A worker reads a file, cuts it into chunks and computes
 * their ids; the main thread decides which chunks are new (it owns the
 * index) and the worker compresses only those. Small files skip the
 * question: they are compressed at once and sent in one message, since a
 * round trip costs more than compressing a possibly duplicate small file.
 */
import type { ChunkerParams } from '../chunker/index.js';
import type { Warning } from '../errors.js';
import type { EntryMetadata } from '../source/index.js';

export interface FileWorkerData {
  readonly chunker: ChunkerParams;
  readonly gear: Uint32Array;
  readonly idKey: Uint8Array;
  readonly zstdLevel: number;
}

/** main -> worker: read a file. */
export interface ReadFileRequest {
  readonly t: 'file';
  readonly job: number;
  readonly path: Uint8Array;
  readonly expected: EntryMetadata;
  readonly blockSize: number;
  /** Compress every chunk without asking (small files). */
  readonly eager: boolean;
}

/** main -> worker: which chunks of the last `chunks` message are new. */
export interface WantReply {
  readonly t: 'want';
  readonly job: number;
  readonly want: readonly boolean[];
}

/** main -> worker: the blobs of the last `blobs` message are accepted; read on. */
export interface NextReply {
  readonly t: 'next';
  readonly job: number;
}

export type ToWorker = ReadFileRequest | WantReply | NextReply;

/** A chunk as the worker sends it: `compressed` null means stored raw (`raw` set). */
export interface WorkerBlob {
  readonly id: Uint8Array;
  readonly rawLength: number;
  readonly raw: Uint8Array | null;
  readonly compressed: Uint8Array | null;
}

/** How reading the file ended, sent with its last message. */
export interface FileEnd {
  /** Set when the file could not be opened or read: a warning, nothing saved. */
  readonly problem: Warning | null;
  readonly warnings: readonly Warning[];
  readonly size: number;
  readonly metadata: EntryMetadata | null;
  /** The content may be torn: do not record the file in the files cache. */
  readonly changed: boolean;
  readonly changedBeforeOpen: boolean;
}

/** worker -> main: ids of the chunks of one block (not eager). */
export interface ChunksMessage {
  readonly t: 'chunks';
  readonly job: number;
  readonly ids: readonly Uint8Array[];
  readonly lengths: readonly number[];
  readonly bytes: number;
}

/** worker -> main: the wanted (or, eager, all) chunks, compressed; `end` on the last message of a file. */
export interface BlobsMessage {
  readonly t: 'blobs';
  readonly job: number;
  /** All chunk ids of this block in order (eager), or empty (answering a want). */
  readonly ids: readonly Uint8Array[];
  readonly blobs: readonly WorkerBlob[];
  readonly bytes: number;
  readonly end: FileEnd | null;
}

/** worker -> main: a failure that is not the file's fault (a bug, out of memory). */
export interface FailedMessage {
  readonly t: 'failed';
  readonly job: number;
  readonly message: string;
}

export type FromWorker = ChunksMessage | BlobsMessage | FailedMessage;
