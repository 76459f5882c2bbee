/**
 * Saves one regular file: reuses the files cache when the file is unchanged,
 * otherwise has a file worker read it, cut it into chunks and compress the
 * new ones, and stores those blobs. A file that vanishes, cannot be read or
 * changes while read becomes a warning.
 */
import type { Warning } from '../errors.js';
import { BlobType, bytesToId, type BlobId } from '../format/index.js';
import type { EntryMetadata } from '../source/index.js';
import type { BlobSink } from './blob-sink.js';
import type { FileWorkers } from './file-workers.js';
import type { FilesCache } from './files-cache.js';

export interface SavedFile {
  readonly content: BlobId[];
  readonly size: number;
  readonly metadata: EntryMetadata;
  readonly status: 'new' | 'changed' | 'unchanged';
  readonly bytesRead: number;
}

export interface FileSaverOptions {
  readonly sink: BlobSink;
  readonly workers: FileWorkers;
  readonly cache: FilesCache;
  readonly readBlockSize: number;
  readonly onWarning: (warning: Warning) => void;
  readonly onBytes: (bytes: number) => void;
}

export async function saveFile(path: Buffer, expected: EntryMetadata, options: FileSaverOptions): Promise<SavedFile | null> {
  const { sink } = options;
  const cached = options.cache.lookup(path);
  if (cached && cached.size === expected.size && cached.mtimeNs === expected.mtimeNs
    && cached.ctimeNs === expected.ctimeNs && cached.inode === expected.inode
    && cached.content.every((id) => sink.knows(Buffer.from(id, 'hex')))) {
    options.cache.record(path, cached);
    return { content: cached.content as BlobId[], size: cached.size, metadata: expected, status: 'unchanged', bytesRead: 0 };
  }
  const content: BlobId[] = [];
  const end = await options.workers.readFile(path, expected, options.readBlockSize, {
    chunkIds: (ids) => {
      for (const id of ids) content.push(bytesToId('blob', id));
    },
    wanted: (ids) => ids.map((id) => !sink.knows(id)),
    take: async (blobs) => {
      for (const blob of blobs) {
        await sink.addStored(BlobType.data, blob.id, (blob.compressed ?? blob.raw)!, blob.compressed !== null, blob.rawLength);
      }
    },
    read: options.onBytes,
  });
  for (const warning of end.warnings) options.onWarning(warning);
  if (end.problem || !end.metadata) {
    if (end.problem) options.onWarning(end.problem);
    return null;
  }
  if (end.changed) {
    options.onWarning({ code: 'SOURCE_CHANGED', message: `${path.toString()}: changed while being read`, path: path.toString() });
  } else if (!end.changedBeforeOpen) {
    const m = end.metadata;
    options.cache.record(path, { size: end.size, mtimeNs: m.mtimeNs, ctimeNs: m.ctimeNs, inode: m.inode, content });
  }
  return { content, size: end.size, metadata: end.metadata, status: cached ? 'changed' : 'new', bytesRead: end.size };
}
