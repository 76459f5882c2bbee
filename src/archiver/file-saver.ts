/**
 * Saves one regular file: reuses the files cache when the file is unchanged,
 * otherwise reads it, cuts it into chunks and stores new blobs. A file that
 * vanishes, cannot be read or changes while read becomes a warning.
 */
import { Chunker, type ChunkerParams } from '../chunker/index.js';
import { CofferError, type Warning } from '../errors.js';
import { BlobType, bytesToId, type BlobId } from '../format/index.js';
import { isOpenProblem, openSourceFile, sourceWarning, type EntryMetadata } from '../source/index.js';
import type { BlobSink } from './blob-sink.js';
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
  readonly chunker: ChunkerParams;
  readonly gear: Uint32Array;
  readonly cache: FilesCache;
  readonly readBlockSize: number;
  readonly onWarning: (warning: Warning) => void;
  readonly onBytes: (bytes: number) => void;
  readonly signal?: AbortSignal;
}

export async function saveFile(path: Buffer, expected: EntryMetadata, options: FileSaverOptions): Promise<SavedFile | null> {
  const cached = options.cache.lookup(path);
  if (cached && cached.size === expected.size && cached.mtimeNs === expected.mtimeNs
    && cached.ctimeNs === expected.ctimeNs && cached.inode === expected.inode
    && cached.content.every((id) => options.sink.knows(Buffer.from(id, 'hex')))) {
    options.cache.record(path, cached);
    return { content: cached.content as BlobId[], size: cached.size, metadata: expected, status: 'unchanged', bytesRead: 0 };
  }
  const opened = await openSourceFile(path, expected, { signal: options.signal, onWarning: options.onWarning });
  if (isOpenProblem(opened)) {
    options.onWarning(opened.problem);
    return null;
  }
  const content: BlobId[] = [];
  let size = 0;
  try {
    const chunker = new Chunker(options.chunker, options.gear);
    const store = async (chunk: Buffer) => {
      const id = options.sink.blobIdOf(BlobType.data, chunk);
      content.push(bytesToId('blob', id));
      size += chunk.length;
      await options.sink.add(BlobType.data, id, chunk);
    };
    for await (const block of opened.blocks({ blockSize: options.readBlockSize, signal: options.signal })) {
      options.onBytes(block.length);
      for (const chunk of chunker.push(block)) await store(chunk);
    }
    for (const chunk of chunker.end()) await store(chunk);
    const finished = await opened.finish(options.signal);
    if (finished.changed || opened.changedBeforeOpen) {
      if (finished.changed) {
        options.onWarning({ code: 'SOURCE_CHANGED', message: `${opened.path.toString()}: changed while being read`, path: path.toString() });
      }
    } else {
      const m = finished.metadata;
      options.cache.record(path, { size, mtimeNs: m.mtimeNs, ctimeNs: m.ctimeNs, inode: m.inode, content });
    }
    return {
      content, size, metadata: { ...finished.metadata, size }, status: cached ? 'changed' : 'new', bytesRead: size,
    };
  } catch (error) {
    const warning = error instanceof CofferError && error.code === 'SOURCE_UNREADABLE'
      ? { code: error.code, message: error.message, path: path.toString() }
      : sourceWarning(error, path);
    if (!warning) throw error;
    options.onWarning(warning);
    return null;
  } finally {
    await opened.close();
  }
}
