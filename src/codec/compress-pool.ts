/**
 * A pool of worker threads that compress blobs, so compression (the
 * dominant CPU cost of a backup) runs beside chunking, hashing and sealing on
 * the main thread. Small blobs are compressed inline: a message round trip
 * costs more than compressing them.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { ZstdCodec, DEFAULT_ZSTD_LEVEL } from './zstd.js';

export interface CompressRequest { readonly id: number; readonly data: Uint8Array }
export interface CompressReply { readonly id: number; readonly data: Uint8Array; readonly compressed: Uint8Array | null }

/** Result: `compressed` is null when the blob is stored raw; `data` is the (returned) input. */
export interface Compressed { readonly data: Buffer; readonly compressed: Buffer | null }

const INLINE_LIMIT = 64 * 1024;

export class CompressPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, { resolve(r: Compressed): void; reject(e: Error): void }>();
  private readonly inline: ZstdCodec;
  private nextId = 0;
  private nextWorker = 0;

  constructor(options: { threads?: number; level?: number } = {}) {
    const level = options.level ?? DEFAULT_ZSTD_LEVEL;
    this.inline = new ZstdCodec(level);
    const threads = options.threads ?? Math.max(1, availableParallelism());
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(new URL('./compress-worker.js', import.meta.url), { workerData: { level } });
      worker.on('message', (reply: CompressReply) => this.settle(reply));
      worker.on('error', (error) => this.failAll(error));
      worker.unref();
      this.workers.push(worker);
    }
  }

  /** Compresses `data` (whose buffer may be transferred to a worker and back). */
  compress(data: Buffer): Promise<Compressed> {
    if (data.length <= INLINE_LIMIT || this.workers.length === 0) {
      return Promise.resolve({ data, compressed: this.inline.compressIfWorthwhile(data) });
    }
    const id = this.nextId++;
    const worker = this.workers[this.nextWorker++ % this.workers.length]!;
    return new Promise((resolve, reject) => {
      // Workers keep the process alive only while they owe a reply.
      if (this.pending.size === 0) for (const w of this.workers) w.ref();
      this.pending.set(id, { resolve, reject });
      const owns = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
      worker.postMessage({ id, data } satisfies CompressRequest, owns ? [data.buffer as ArrayBuffer] : []);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }

  private settle(reply: CompressReply): void {
    const waiter = this.pending.get(reply.id);
    if (!waiter) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) for (const w of this.workers) w.unref();
    const toBuffer = (v: Uint8Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    waiter.resolve({ data: toBuffer(reply.data), compressed: reply.compressed ? toBuffer(reply.compressed) : null });
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
