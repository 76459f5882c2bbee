/**
 * The main thread's side of the file workers (file-worker-protocol.ts): a
 * pool of worker threads that read, chunk, hash and compress files. Each file
 * is a job on one worker; the caller's handler answers which chunks are new
 * and takes the compressed blobs.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ChunkerParams } from '../chunker/index.js';
import { DEFAULT_ZSTD_LEVEL } from '../codec/index.js';
import type { EntryMetadata } from '../source/index.js';
import type {
  FileEnd, FileWorkerData, FromWorker, ToWorker,
} from './file-worker-protocol.js';
import { Mailbox } from './mailbox.js';

/** Files up to this size are compressed without asking which chunks are new. */
export const EAGER_LIMIT = 256 * 1024;

/** What the caller does with one file's chunks. */
export interface FileJobHandler {
  /** Which of these chunk ids are new (to be compressed and sent). */
  wanted(ids: readonly Buffer[]): boolean[];
  /** Takes the new blobs; resolves when they are accepted (the worker then reads on). */
  take(blobs: readonly ReceivedBlob[]): Promise<void>;
  /** Every chunk id of the file, in order, as they become known. */
  chunkIds(ids: readonly Buffer[]): void;
  /** Bytes read so far, for progress. */
  read(bytes: number): void;
}

/** A blob from a worker, its views turned into Buffers. */
export interface ReceivedBlob {
  readonly id: Buffer;
  readonly rawLength: number;
  readonly raw: Buffer | null;
  readonly compressed: Buffer | null;
}

interface Job {
  readonly worker: Worker;
  readonly handler: FileJobHandler;
  resolve(end: FileEnd): void;
  reject(error: Error): void;
}

export class FileWorkers {
  private readonly workers: Worker[] = [];
  private readonly mailboxes = new Map<Worker, Mailbox<ToWorker>>();
  private readonly load = new Map<Worker, number>();
  private readonly jobs = new Map<number, Job>();
  private nextJob = 0;
  private failure: Error | undefined;

  constructor(options: { chunker: ChunkerParams; gear: Uint32Array; idKey: Uint8Array; threads?: number; zstdLevel?: number }) {
    const data: FileWorkerData = {
      chunker: options.chunker, gear: options.gear, idKey: options.idKey, zstdLevel: options.zstdLevel ?? DEFAULT_ZSTD_LEVEL,
    };
    const threads = options.threads ?? Math.max(1, availableParallelism());
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(new URL('./file-worker.js', import.meta.url), { workerData: data });
      worker.on('message', (messages: FromWorker[]) => {
        for (const message of messages) this.receive(message);
      });
      this.mailboxes.set(worker, new Mailbox(worker));
      worker.on('error', (error) => this.failAll(error));
      worker.unref();
      this.workers.push(worker);
      this.load.set(worker, 0);
    }
  }

  /** Reads one file on the least busy worker; resolves with how reading ended. */
  readFile(path: Buffer, expected: EntryMetadata, blockSize: number, handler: FileJobHandler): Promise<FileEnd> {
    if (this.failure) return Promise.reject(this.failure);
    const worker = this.workers.reduce((a, b) => (this.load.get(b)! < this.load.get(a)! ? b : a));
    const job = this.nextJob++;
    return new Promise((resolve, reject) => {
      if (this.jobs.size === 0) for (const w of this.workers) w.ref();
      this.jobs.set(job, { worker, handler, resolve, reject });
      this.load.set(worker, this.load.get(worker)! + 1);
      // A copy that owns its memory: cloning a view of a pooled Buffer would copy the whole 8 KiB pool slab.
      const ownPath = new Uint8Array(path);
      this.send(worker, { t: 'file', job, path: ownPath, expected, blockSize, eager: expected.size <= EAGER_LIMIT });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }

  private send(worker: Worker, message: ToWorker): void {
    this.mailboxes.get(worker)!.post(message);
  }

  private receive(message: FromWorker): void {
    const job = this.jobs.get(message.job);
    if (!job) return;
    if (message.t === 'failed') {
      this.finish(message.job, job);
      job.reject(new Error(`file worker: ${message.message}`));
      return;
    }
    if (message.t === 'chunks') {
      const ids = message.ids.map(asBuffer);
      job.handler.read(message.bytes);
      job.handler.chunkIds(ids);
      this.send(job.worker, { t: 'want', job: message.job, want: job.handler.wanted(ids) });
      return;
    }
    if (message.ids.length > 0) job.handler.chunkIds(message.ids.map(asBuffer));
    if (message.bytes > 0) job.handler.read(message.bytes);
    const blobs = message.blobs.map((b) => ({
      id: asBuffer(b.id), rawLength: b.rawLength, raw: b.raw && asBuffer(b.raw), compressed: b.compressed && asBuffer(b.compressed),
    }));
    const end = message.end;
    job.handler.take(blobs).then(() => {
      if (!end) this.send(job.worker, { t: 'next', job: message.job });
      else {
        this.finish(message.job, job);
        job.resolve(end);
      }
    }, (error: unknown) => {
      this.finish(message.job, job);
      job.reject(error as Error);
      // The worker waits for an answer that will not come; tell it to move on and drop the file.
      if (!end) this.send(job.worker, { t: 'next', job: message.job });
    });
  }

  private finish(id: number, job: Job): void {
    this.jobs.delete(id);
    this.load.set(job.worker, this.load.get(job.worker)! - 1);
    if (this.jobs.size === 0) for (const w of this.workers) w.unref();
  }

  private failAll(error: Error): void {
    this.failure = error;
    for (const [id, job] of this.jobs) {
      this.finish(id, job);
      job.reject(error);
    }
  }
}

function asBuffer(view: Uint8Array): Buffer {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength);
}
