/**
 * A backend that misbehaves on purpose, for tests: it wraps a real backend
 * and, at a given rate, makes an operation fail, time out, lose its response,
 * crawl, or (for loads) return truncated or corrupted bytes. Seeded, so a run
 * can be repeated (exactly so when operations run one at a time).
 *
 * The CLI enables it with COFFER_FAULTS (docs/backends.md, "Testing with
 * faults"); nothing else uses it.
 */
import { BackendError, throwIfAborted } from '../errors.js';
import type { Backend, ListedObject, LoadOptions, ObjectInfo, OperationOptions } from './backend.js';
import { shortName } from './object-name.js';
import { sleep } from './sleep.js';

/**
 * - `error`: fails at once, touching nothing (a reset connection, a 503).
 * - `timeout`: waits, then fails, touching nothing.
 * - `lost-response`: does the work, then fails (the reply never arrived); a
 *   listing stops part way through.
 * - `slow`: waits, then does the work.
 * - `truncate`, `corrupt`: loads only; return a prefix of the bytes, or the
 *   bytes with one bit flipped. Nothing a backend reports can reveal these:
 *   only the reader's checks can.
 */
export type FaultKind = 'error' | 'timeout' | 'lost-response' | 'slow' | 'truncate' | 'corrupt';

export const FAULT_KINDS: readonly FaultKind[] = ['error', 'timeout', 'lost-response', 'slow', 'truncate', 'corrupt'];

/** The kinds a backend's own error reporting covers: the retry layer must absorb them all. */
export const TRANSIENT_FAULT_KINDS: readonly FaultKind[] = ['error', 'timeout', 'lost-response', 'slow'];

export interface FaultOptions {
  readonly seed: number;
  /** Chance in [0, 1] that an operation meets a fault. */
  readonly rate: number;
  /** The kinds to draw from; all by default. */
  readonly kinds?: readonly FaultKind[];
  /** How long `timeout` and `slow` wait; 50 ms by default. */
  readonly delayMs?: number;
  /**
   * At most this many faults in a row for one operation on one object; the
   * next try then goes through. Bounded below the retry layers' attempts, a
   * run is sure to succeed however unlucky its draws; unbounded by default.
   */
  readonly maxInARow?: number;
  /** Told about every fault injected. */
  readonly onFault?: (event: { readonly operation: string; readonly name: string; readonly kind: FaultKind }) => void;
}

const SAVE_KINDS: readonly FaultKind[] = ['error', 'timeout', 'lost-response', 'slow'];
const LOAD_KINDS: readonly FaultKind[] = ['error', 'timeout', 'slow', 'truncate', 'corrupt'];
const OTHER_KINDS: readonly FaultKind[] = ['error', 'timeout', 'lost-response', 'slow'];

export class FaultInjectingBackend implements Backend {
  private readonly random: () => number;
  private readonly kinds: readonly FaultKind[];
  private readonly delayMs: number;
  /** Faults in a row so far, by operation and object. */
  private readonly inARow = new Map<string, number>();

  constructor(private readonly inner: Backend, private readonly options: FaultOptions) {
    if (!(options.rate >= 0 && options.rate <= 1)) throw new RangeError(`fault rate must be within [0, 1], not ${options.rate}`);
    this.random = mulberry32(options.seed);
    this.kinds = options.kinds ?? FAULT_KINDS;
    this.delayMs = options.delayMs ?? 50;
  }

  get location(): string {
    return this.inner.location;
  }

  async save(name: string, data: Uint8Array, options?: OperationOptions): Promise<'saved' | 'exists'> {
    throwIfAborted(options?.signal);
    const kind = this.draw('save', name, SAVE_KINDS);
    await this.before(kind, 'save', name, options?.signal);
    const outcome = await this.inner.save(name, data, options);
    if (kind === 'lost-response') throw this.failure('save', name, 'response lost');
    return outcome;
  }

  async load(name: string, options?: LoadOptions): Promise<Buffer> {
    throwIfAborted(options?.signal);
    const kind = this.draw('load', name, LOAD_KINDS);
    await this.before(kind, 'load', name, options?.signal);
    const bytes = await this.inner.load(name, options);
    if (bytes.length === 0) return bytes;
    if (kind === 'truncate') return Buffer.from(bytes.subarray(0, Math.floor(this.random() * bytes.length)));
    if (kind === 'corrupt') {
      const damaged = Buffer.from(bytes);
      const at = Math.floor(this.random() * damaged.length);
      damaged[at] = damaged[at]! ^ (1 << Math.floor(this.random() * 8));
      return damaged;
    }
    return bytes;
  }

  async stat(name: string, options?: OperationOptions): Promise<ObjectInfo> {
    throwIfAborted(options?.signal);
    const kind = this.draw('stat', name, OTHER_KINDS);
    await this.before(kind, 'stat', name, options?.signal);
    const info = await this.inner.stat(name, options);
    if (kind === 'lost-response') throw this.failure('stat', name, 'response lost');
    return info;
  }

  async *list(prefix: string, options?: OperationOptions): AsyncIterable<ListedObject> {
    throwIfAborted(options?.signal);
    const what = `${prefix}*`;
    const kind = this.draw('list', what, OTHER_KINDS);
    await this.before(kind, 'list', what, options?.signal);
    // A lost response cuts the listing after a few entries, or at its end if it is shorter.
    let left = kind === 'lost-response' ? Math.floor(this.random() * 20) : Infinity;
    for await (const object of this.inner.list(prefix, options)) {
      if (left-- === 0) throw this.failure('list', what, 'connection dropped during the listing');
      yield object;
    }
    if (kind === 'lost-response') throw this.failure('list', what, 'connection dropped at the end of the listing');
  }

  async remove(name: string, options?: OperationOptions): Promise<void> {
    throwIfAborted(options?.signal);
    const kind = this.draw('remove', name, OTHER_KINDS);
    await this.before(kind, 'remove', name, options?.signal);
    await this.inner.remove(name, options);
    if (kind === 'lost-response') throw this.failure('remove', name, 'response lost');
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  /** Decides whether this operation meets a fault, and which. */
  private draw(operation: string, name: string, applicable: readonly FaultKind[]): FaultKind | undefined {
    const key = `${operation} ${name}`;
    const choices = this.kinds.filter((kind) => applicable.includes(kind));
    const streak = this.inARow.get(key) ?? 0;
    if (this.options.rate === 0 || this.random() >= this.options.rate || choices.length === 0 || streak >= (this.options.maxInARow ?? Infinity)) {
      this.inARow.delete(key);
      return undefined;
    }
    this.inARow.set(key, streak + 1);
    const kind = choices[Math.floor(this.random() * choices.length)]!;
    this.options.onFault?.({ operation, name: shortName(name), kind });
    return kind;
  }

  /** The part of a fault that happens before the real operation. */
  private async before(kind: FaultKind | undefined, operation: string, name: string, signal: AbortSignal | undefined): Promise<void> {
    if (kind === 'error') throw this.failure(operation, name, 'connection reset');
    if (kind === 'timeout') {
      await sleep(this.delayMs, signal);
      throw this.failure(operation, name, 'timed out');
    }
    if (kind === 'slow') await sleep(this.delayMs, signal);
  }

  private failure(operation: string, name: string, what: string): BackendError {
    return new BackendError(`${operation} ${shortName(name)}: ${what} (injected fault)`, { transient: true });
  }
}

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
