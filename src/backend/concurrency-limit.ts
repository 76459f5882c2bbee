/**
 * A cap on the operations in flight against one backend: connections to a
 * service, and with them the upload and download buffers held at once.
 * Callers that exceed it wait in order. A listing holds a slot only while it
 * fetches its next entry, never while its consumer works on one, so a
 * consumer that loads each listed object cannot deadlock against its own
 * listing.
 */
import { AbortedError, throwIfAborted } from '../errors.js';
import type { Backend, ListedObject, LoadOptions, ObjectInfo, OperationOptions } from './backend.js';

export class ConcurrencyLimitBackend implements Backend {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** The most operations ever in flight at once, for tests and the benchmark. */
  peak = 0;

  constructor(private readonly inner: Backend, readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit must be a positive integer, not ${limit}`);
  }

  get location(): string {
    return this.inner.location;
  }

  save(name: string, data: Uint8Array, options?: OperationOptions): Promise<'saved' | 'exists'> {
    return this.withSlot(options?.signal, () => this.inner.save(name, data, options));
  }

  load(name: string, options?: LoadOptions): Promise<Buffer> {
    return this.withSlot(options?.signal, () => this.inner.load(name, options));
  }

  stat(name: string, options?: OperationOptions): Promise<ObjectInfo> {
    return this.withSlot(options?.signal, () => this.inner.stat(name, options));
  }

  remove(name: string, options?: OperationOptions): Promise<void> {
    return this.withSlot(options?.signal, () => this.inner.remove(name, options));
  }

  async *list(prefix: string, options?: OperationOptions): AsyncIterable<ListedObject> {
    const iterator = this.inner.list(prefix, options)[Symbol.asyncIterator]();
    let finished = false;
    try {
      for (;;) {
        const next = await this.withSlot(options?.signal, () => iterator.next());
        if (next.done) {
          finished = true;
          return;
        }
        yield next.value;
      }
    } finally {
      // A consumer that stops early (break, throw) must let the inner listing release what it holds.
      if (!finished) await iterator.return?.();
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async withSlot<T>(signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    await this.acquire(signal);
    try {
      return await run();
    } finally {
      this.release();
    }
  }

  private acquire(signal: AbortSignal | undefined): Promise<void> {
    throwIfAborted(signal);
    if (this.active < this.limit) {
      this.take();
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(new AbortedError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  private take(): void {
    this.active += 1;
    this.peak = Math.max(this.peak, this.active);
  }

  /** Hands the slot straight to the longest waiter, so a stream of new callers cannot starve it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) {
      next();
      return;
    }
    this.active -= 1;
  }
}
