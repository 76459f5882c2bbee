/**
 * Retries over any backend: transient failures (BackendError with
 * `transient`: timeouts, resets, 5xx, throttling) are tried again after an
 * exponential backoff with jitter; everything else (NotFoundError, permanent
 * BackendError, AbortedError, integrity problems found above) passes through
 * at once. Backends classify their own errors (one mapping function each);
 * this layer only acts on the classification.
 */
import { BackendError, CofferError, NotFoundError, throwIfAborted } from '../errors.js';
import type { Backend, ListedObject, LoadOptions, ObjectInfo, OperationOptions } from './backend.js';
import { shortName } from './object-name.js';
import { sleep as defaultSleep } from './sleep.js';
import { UnreachableError } from './unreachable-error.js';

/** How hard to try. */
export interface RetryPolicy {
  /** Tries per operation, the first included. */
  readonly attempts: number;
  /** The backoff before the second try; it doubles for each further try. */
  readonly baseDelayMs: number;
  /** No single backoff is longer than this. */
  readonly maxDelayMs: number;
}

/** About four minutes of backing off in all before an operation is given up: outlasts most outages of a network or a service. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 10, baseDelayMs: 500, maxDelayMs: 60_000 };

/** One retry about to happen, for a progress line or a log. */
export interface RetryEvent {
  readonly operation: string;
  readonly name: string;
  /** The attempt that failed (1 for the first). */
  readonly attempt: number;
  readonly delayMs: number;
  readonly error: BackendError;
}

export interface RetryOptions {
  readonly policy?: Partial<RetryPolicy>;
  /** In [0, 1); injectable so tests can pin the jitter. */
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly onRetry?: (event: RetryEvent) => void;
}

export class RetryBackend implements Backend {
  private readonly policy: RetryPolicy;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** True once the storage has answered anything; until then an unreachable endpoint fails fast. */
  private reached = false;

  constructor(private readonly inner: Backend, private readonly options: RetryOptions = {}) {
    this.policy = { ...DEFAULT_RETRY_POLICY, ...options.policy };
    if (!Number.isInteger(this.policy.attempts) || this.policy.attempts < 1) {
      throw new RangeError(`retry attempts must be a positive integer, not ${this.policy.attempts}`);
    }
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? defaultSleep;
  }

  get location(): string {
    return this.inner.location;
  }

  /**
   * A save whose response was lost may have stored the object, so the next
   * try finds it there. When an earlier try failed and a later one reports
   * 'exists', the stored bytes are compared with ours: equal bytes mean that
   * our save took effect, and it is reported as 'saved'.
   */
  save(name: string, data: Uint8Array, options?: OperationOptions): Promise<'saved' | 'exists'> {
    let failedBefore = false;
    return this.retry('save', name, options?.signal, async () => {
      try {
        const outcome = await this.inner.save(name, data, options);
        if (outcome === 'exists' && failedBefore && Buffer.from(data).equals(await this.inner.load(name, options))) return 'saved';
        return outcome;
      } catch (error) {
        failedBefore = true;
        throw error;
      }
    });
  }

  load(name: string, options?: LoadOptions): Promise<Buffer> {
    return this.retry('load', name, options?.signal, () => this.inner.load(name, options));
  }

  stat(name: string, options?: OperationOptions): Promise<ObjectInfo> {
    return this.retry('stat', name, options?.signal, () => this.inner.stat(name, options));
  }

  /**
   * A remove whose response was lost has happened: NotFoundError on a later
   * try means it is done. So that a missing object is still reported as
   * missing, its existence is checked first.
   */
  async remove(name: string, options?: OperationOptions): Promise<void> {
    await this.stat(name, options).catch((error: unknown) => {
      throw error instanceof NotFoundError ? new NotFoundError(`remove ${shortName(name)}: not found`, { cause: error }) : error;
    });
    let failedBefore = false;
    return this.retry('remove', name, options?.signal, async () => {
      try {
        await this.inner.remove(name, options);
      } catch (error) {
        if (error instanceof NotFoundError && failedBefore) return;
        failedBefore = true;
        throw error;
      }
    });
  }

  /** A listing that fails part way starts again; names already yielded are not yielded twice. */
  async *list(prefix: string, options?: OperationOptions): AsyncIterable<ListedObject> {
    const seen = new Set<string>();
    for (let attempt = 1; ; attempt += 1) {
      try {
        for await (const object of this.inner.list(prefix, options)) {
          this.reached = true;
          if (seen.has(object.name)) continue;
          seen.add(object.name);
          yield object;
        }
        this.reached = true;
        return;
      } catch (error) {
        await this.backOff('list', `${prefix}*`, attempt, error, options?.signal);
      }
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private async retry<T>(operation: string, name: string, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const result = await run();
        this.reached = true;
        return result;
      } catch (error) {
        await this.backOff(operation, name, attempt, error, signal);
      }
    }
  }

  /** Rethrows `error` unless another try is worth it; otherwise waits before it. */
  private async backOff(operation: string, name: string, attempt: number, error: unknown, signal: AbortSignal | undefined): Promise<void> {
    if (!(error instanceof UnreachableError) && error instanceof CofferError) this.reached = true;
    if (!(error instanceof BackendError) || !error.transient) throw error;
    if (error instanceof UnreachableError && !this.reached) {
      throw new BackendError(`${error.message} (not retried: no request to this storage has succeeded yet)`, { transient: false, cause: error });
    }
    if (attempt >= this.policy.attempts) {
      throw new BackendError(`${error.message} (gave up after ${attempt} attempts)`, { transient: true, cause: error });
    }
    throwIfAborted(signal);
    const delayMs = this.delay(attempt);
    this.options.onRetry?.({ operation, name: shortName(name), attempt, delayMs, error });
    await this.sleep(delayMs, signal);
  }

  /**
   * "Equal jitter": half of the exponential step is fixed, half random, so
   * the wait always grows but many clients failing together spread out.
   */
  private delay(attempt: number): number {
    const step = Math.min(this.policy.maxDelayMs, this.policy.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(step / 2 + (this.random() * step) / 2);
  }
}
