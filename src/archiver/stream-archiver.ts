/**
 * Backup of a byte stream (`backup --stdin`): the stream becomes one file,
 * cut into chunks as it arrives. Memory stays bounded whatever the stream's
 * length: the blob sink makes `add` wait while too much is in flight, and
 * reading waits for `add`. The file sits at `/NAME` in the snapshot, with
 * directories on the way when NAME has slashes (docs/format.md "Stream
 * snapshots"). A stream that fails (throws) fails the backup: no snapshot
 * is written for data that may be cut short.
 */
import { Chunker, type ChunkerParams } from '../chunker/index.js';
import { CofferError, throwIfAborted, UsageError } from '../errors.js';
import {
  BlobType, bytesToId, encodeContentList, MAX_CONTENT_IDS_PER_NODE, paginateTree, type BlobId, type TreeNode,
} from '../format/index.js';
import type { ArchiveProgress, ArchiveResult } from './archiver.js';
import type { BlobSink } from './blob-sink.js';

/** A stream to back up and the file it becomes. */
export interface StreamSource {
  readonly input: AsyncIterable<Uint8Array>;
  /** The file's path in the snapshot: `stdin`, `pool@snap`, `db/dump.sql` (see {@link streamPath}). */
  readonly name: string;
  /** Permission bits of the file; directories on the way get the same, plus x wherever r is set. */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Modification time of the file and directories, nanoseconds since the epoch. */
  readonly mtime: bigint;
}

export interface StreamArchiverOptions {
  // A stream is chunked here, on the main thread: it has no file a worker could open.
  readonly sink: Pick<BlobSink, 'blobIdOf' | 'knows' | 'add'>;
  readonly chunker: ChunkerParams;
  readonly gear: Uint32Array;
  readonly onProgress?: (progress: ArchiveProgress) => void;
  readonly signal?: AbortSignal;
}

/** The components of a stream's name: split at `/`, empty components dropped; `.`, `..` and NUL refused. */
export function streamPath(name: string): Buffer[] {
  const components = name.split('/').filter((c) => c !== '');
  if (components.length === 0) throw new UsageError(`--stdin-filename ${JSON.stringify(name)}: a file name is required`);
  for (const c of components) {
    if (c === '.' || c === '..' || c.includes('\0')) {
      throw new UsageError(`--stdin-filename ${JSON.stringify(name)}: ".", ".." and NUL are not allowed in a name`);
    }
  }
  return components.map((c) => Buffer.from(c, 'utf8'));
}

/** The next block of the stream; a failure to read is STREAM_FAILED, naming the file. */
async function nextBlock(blocks: AsyncIterator<Uint8Array>, shown: string): Promise<IteratorResult<Uint8Array>> {
  try {
    return await blocks.next();
  } catch (error) {
    if (error instanceof CofferError) throw error;
    const code = (error as NodeJS.ErrnoException)?.code;
    const message = `${shown}: reading the stream failed${code ? ` (${code})` : ''}: ${(error as Error)?.message ?? error}; no snapshot written`;
    throw new CofferError('STREAM_FAILED', message, { cause: error });
  }
}

/** Reads the whole stream into blobs and returns the snapshot's root tree. */
export async function archiveStream(source: StreamSource, options: StreamArchiverOptions): Promise<ArchiveResult> {
  const path = streamPath(source.name);
  const { sink, signal } = options;
  const saveBlob = async (type: BlobType, bytes: Buffer): Promise<BlobId> => {
    const id = sink.blobIdOf(type, bytes);
    await sink.add(type, id, bytes);
    return bytesToId('blob', id);
  };
  const shown = `/${path.map((c) => c.toString('utf8')).join('/')}`;
  const progress: ArchiveProgress = { files: 0, dirs: 0, bytesRead: 0, currentPath: shown };
  const content: BlobId[] = [];
  const chunker = new Chunker(options.chunker, options.gear);
  const blocks = source.input[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      throwIfAborted(signal);
      const next = await nextBlock(blocks, shown);
      if (next.done) break;
      progress.bytesRead += next.value.length;
      for (const chunk of chunker.push(next.value)) content.push(await saveBlob(BlobType.data, chunk));
      options.onProgress?.(progress);
    }
    done = true;
  } finally {
    // Stopped early (abort, storage failure): let the stream clean up (a command is killed).
    if (!done) await blocks.return?.().catch(() => undefined);
  }
  for (const chunk of chunker.end()) content.push(await saveBlob(BlobType.data, chunk));
  progress.files = 1;
  options.onProgress?.(progress);

  const base = { uid: source.uid, gid: source.gid, mtime: source.mtime };
  let node: TreeNode = { name: path[path.length - 1]!, type: 'file', mode: source.mode, ...base, size: progress.bytesRead, content };
  if (content.length > MAX_CONTENT_IDS_PER_NODE) {
    const lists: BlobId[] = [];
    for (let i = 0; i < content.length; i += MAX_CONTENT_IDS_PER_NODE) {
      lists.push(await saveBlob(BlobType.tree, encodeContentList(content.slice(i, i + MAX_CONTENT_IDS_PER_NODE))));
    }
    node = { name: node.name, type: 'file', mode: source.mode, ...base, size: progress.bytesRead, contentLists: lists };
  }
  // Directories on the way: searchable by their owner, like the file is readable by it.
  const dirMode = source.mode | ((source.mode & 0o444) >> 2);
  for (let i = path.length - 2; i >= 0; i--) {
    const subtree: BlobId[] = [];
    for (const page of paginateTree([node])) subtree.push(await saveBlob(BlobType.tree, page));
    node = { name: path[i]!, type: 'dir', mode: dirMode, ...base, subtree };
  }
  const [root] = paginateTree([node]);
  const tree = await saveBlob(BlobType.tree, root!);
  return {
    tree,
    paths: [shown],
    summary: { filesNew: 1, filesChanged: 0, filesUnchanged: 0, dirs: path.length - 1, bytesRead: progress.bytesRead, warnings: 0 },
  };
}
