/**
 * Optional caps on upload and download rates (`--limit-upload`,
 * `--limit-download`), shared by every operation on one backend.
 *
 * Objects travel as whole Buffers (docs/backends.md explains why), so the cap
 * is on the average rate, not on each packet: a transfer of n bytes books
 * n / rate seconds on a schedule. An upload waits until its booking starts;
 * a download, whose size is known only once it arrived, is handed over when
 * its booking ends. Over any stretch longer than one object's booking, no
 * more than the rate (plus one object) goes through.
 */
import type { Backend, ListedObject, LoadOptions, ObjectInfo, OperationOptions } from './backend.js';
import { sleep as defaultSleep } from './sleep.js';

export interface BandwidthLimits {
  /** Bytes per second; undefined for no cap. */
  readonly uploadBytesPerSecond?: number;
  readonly downloadBytesPerSecond?: number;
}

export interface BandwidthClock {
  readonly now: () => number;
  readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** A schedule of transfers at `bytesPerSecond`: the time at which the link is next free. */
export class TransferSchedule {
  private freeAt = -Infinity;

  constructor(private readonly bytesPerSecond: number, private readonly clock: BandwidthClock) {
    if (!(bytesPerSecond > 0) || !Number.isFinite(bytesPerSecond)) throw new RangeError(`rate must be positive, not ${bytesPerSecond}`);
  }

  /**
   * Books a transfer of `bytes` that can begin at `earliest` (default now);
   * returns when it starts and ends (milliseconds on the clock).
   */
  book(bytes: number, earliest = this.clock.now()): { start: number; end: number } {
    const start = Math.max(earliest, this.freeAt);
    this.freeAt = start + (bytes * 1000) / this.bytesPerSecond;
    return { start, end: this.freeAt };
  }

  async waitUntil(time: number, signal?: AbortSignal): Promise<void> {
    await this.clock.sleep(time - this.clock.now(), signal);
  }
}

export class BandwidthLimitBackend implements Backend {
  private readonly upload: TransferSchedule | undefined;
  private readonly download: TransferSchedule | undefined;
  private readonly clock: BandwidthClock;

  constructor(private readonly inner: Backend, limits: BandwidthLimits, clock?: BandwidthClock) {
    this.clock = clock ?? { now: () => performance.now(), sleep: defaultSleep };
    const { uploadBytesPerSecond: up, downloadBytesPerSecond: down } = limits;
    this.upload = up === undefined ? undefined : new TransferSchedule(up, this.clock);
    this.download = down === undefined ? undefined : new TransferSchedule(down, this.clock);
  }

  get location(): string {
    return this.inner.location;
  }

  async save(name: string, data: Uint8Array, options?: OperationOptions): Promise<'saved' | 'exists'> {
    if (this.upload) await this.upload.waitUntil(this.upload.book(data.length).start, options?.signal);
    return this.inner.save(name, data, options);
  }

  async load(name: string, options?: LoadOptions): Promise<Buffer> {
    const began = this.clock.now();
    const bytes = await this.inner.load(name, options);
    // Booked from when the download began: time the transfer itself took counts towards the cap.
    if (this.download) await this.download.waitUntil(this.download.book(bytes.length, began).end, options?.signal);
    return bytes;
  }

  stat(name: string, options?: OperationOptions): Promise<ObjectInfo> {
    return this.inner.stat(name, options);
  }

  list(prefix: string, options?: OperationOptions): AsyncIterable<ListedObject> {
    return this.inner.list(prefix, options);
  }

  remove(name: string, options?: OperationOptions): Promise<void> {
    return this.inner.remove(name, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
