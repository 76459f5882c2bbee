/**
 * Body of a file worker thread (see file-worker-protocol.ts): reads files,
 * chunks them, computes blob ids and compresses new chunks, so that both
 * cores do the per-byte work of a backup while the main thread walks,
 * deduplicates, packs and uploads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Chunker } from '../chunker/index.js';
import { ZstdCodec } from '../codec/index.js';
import { blobIdOf } from '../crypto/index.js';
import { CofferError, describe, type Warning } from '../errors.js';
import { BlobType } from '../format/index.js';
import { isOpenProblem, openSourceFile, sourceWarning, type EntryMetadata } from '../source/index.js';
import type {
  BlobsMessage, FileEnd, FileWorkerData, FromWorker, ReadFileRequest, ToWorker, WorkerBlob,
} from './file-worker-protocol.js';
import { Mailbox } from './mailbox.js';

const config = workerData as FileWorkerData;
const codec = new ZstdCodec(config.zstdLevel);
const port = parentPort!;
/** Jobs waiting for the main thread's answer. */
const waiting = new Map<number, (reply: ToWorker) => void>();

const outbox = new Mailbox<FromWorker>(port);

port.on('message', (messages: ToWorker[]) => {
  for (const message of messages) {
    if (message.t === 'file') {
      void readFile(message).catch((error: unknown) => post({ t: 'failed', job: message.job, message: describe(error) }));
    } else {
      const resume = waiting.get(message.job);
      waiting.delete(message.job);
      resume?.(message);
    }
  }
});

function post(message: FromWorker, transfer: ArrayBuffer[] = []): void {
  outbox.post(message, transfer);
}

function answer(job: number): Promise<ToWorker> {
  return new Promise((resolve) => waiting.set(job, resolve));
}

function compress(id: Uint8Array, chunk: Buffer<ArrayBuffer>, transfer: ArrayBuffer[]): WorkerBlob {
  const bound = codec.compressIfWorthwhile(chunk);
  if (bound) {
    // The output sits in a compressBound-sized buffer: keep only its bytes, since the
    // blob may wait in memory until its pack is uploaded.
    const compressed = Buffer.allocUnsafeSlow(bound.length);
    bound.copy(compressed);
    transfer.push(compressed.buffer);
    return { id, rawLength: chunk.length, raw: null, compressed };
  }
  transfer.push(chunk.buffer);
  return { id, rawLength: chunk.length, raw: chunk, compressed: null };
}

async function readFile(request: ReadFileRequest): Promise<void> {
  const { job } = request;
  const path = Buffer.from(request.path.buffer, request.path.byteOffset, request.path.byteLength);
  const warnings: Warning[] = [];
  const opened = await openSourceFile(path, request.expected, { onWarning: (w) => warnings.push(w) });
  if (isOpenProblem(opened)) {
    post({ t: 'blobs', job, ids: [], blobs: [], bytes: 0, end: endWith(opened.problem, warnings) });
    return;
  }
  const chunker = new Chunker(config.chunker, config.gear);
  let size = 0;
  try {
    const blocks = opened.blocks({ blockSize: request.blockSize });
    // One block of lookahead: the last block is known as such, so a small file takes one message.
    let next = await blocks.next();
    for (;;) {
      const block = next.done ? null : next.value;
      if (block) next = await blocks.next();
      const last = block === null || next.done === true;
      const chunks = block ? chunker.push(block) : [];
      if (last) chunks.push(...chunker.end());
      const ids = chunks.map((chunk) => blobIdOf(config.idKey, BlobType.data, chunk));
      for (const chunk of chunks) size += chunk.length;
      const bytes = block?.length ?? 0;
      let end: FileEnd | null = null;
      if (last) {
        const finished = await opened.finish();
        end = {
          problem: null, warnings, size, metadata: { ...finished.metadata, size }, changed: finished.changed,
          changedBeforeOpen: opened.changedBeforeOpen,
        };
      }
      await sendChunks(request, chunks, ids, bytes, end);
      if (last) return;
    }
  } catch (error) {
    const problem = error instanceof CofferError && error.code === 'SOURCE_UNREADABLE'
      ? { code: error.code, message: error.message, path: path.toString() }
      : sourceWarning(error, path);
    if (!problem) throw error;
    post({ t: 'blobs', job, ids: [], blobs: [], bytes: 0, end: endWith(problem, warnings) });
  } finally {
    await opened.close();
  }
}

/** Sends one block's chunks (asking which are new unless eager) and waits until the main thread took them. */
async function sendChunks(
  request: ReadFileRequest, chunks: Buffer<ArrayBuffer>[], ids: Buffer[], bytes: number, end: FileEnd | null,
): Promise<void> {
  const { job } = request;
  const transfer: ArrayBuffer[] = [];
  let message: BlobsMessage;
  if (request.eager) {
    message = { t: 'blobs', job, ids, blobs: chunks.map((chunk, i) => compress(ids[i]!, chunk, transfer)), bytes, end };
  } else {
    post({ t: 'chunks', job, ids, lengths: chunks.map((c) => c.length), bytes });
    const reply = await answer(job);
    const want = reply.t === 'want' ? reply.want : [];
    const blobs = chunks.flatMap((chunk, i) => (want[i] ? [compress(ids[i]!, chunk, transfer)] : []));
    message = { t: 'blobs', job, ids: [], blobs, bytes: 0, end };
  }
  if (end) {
    post(message, transfer);
    return;
  }
  const accepted = answer(job);
  post(message, transfer);
  await accepted;
}

function endWith(problem: Warning, warnings: Warning[]): FileEnd {
  return { problem, warnings, size: 0, metadata: null as EntryMetadata | null, changed: true, changedBeforeOpen: false };
}
