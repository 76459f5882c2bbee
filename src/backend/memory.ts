/**
 * A backend held in a Map, for tests of every layer above the backend. It
 * follows the same contract as the real ones (and passes the same conformance
 * suite), so code tested against it behaves the same against a disk or bucket.
 */
import { NotFoundError, throwIfAborted } from '../errors.js';
import type { Backend, ListedObject, LoadOptions, ObjectInfo, OperationOptions } from './backend.js';
import { checkRange, clampRange } from './byte-range.js';
import { checkName, checkPrefix, shortName } from './object-name.js';

/** Options for {@link MemoryBackend}. */
export interface MemoryBackendOptions {
  /** The storage's clock, stamped on saved objects; injectable so tests control time. */
  readonly now?: () => Date;
  /** Shown as the backend's location; defaults to `memory:`. */
  readonly location?: string;
}

interface StoredObject {
  readonly data: Buffer;
  readonly modified: Date;
}

/**
 * Stores objects in memory. Saves and loads copy bytes, so neither the saver
 * nor a loader can change what is stored by mutating its buffer.
 */
export class MemoryBackend implements Backend {
  readonly location: string;
  private readonly objects = new Map<string, StoredObject>();
  private readonly now: () => Date;

  constructor(options: MemoryBackendOptions = {}) {
    this.now = options.now ?? (() => new Date());
    this.location = options.location ?? 'memory:';
  }

  async save(name: string, data: Uint8Array, options?: OperationOptions): Promise<'saved' | 'exists'> {
    checkName('save', name);
    throwIfAborted(options?.signal);
    // Check and insert in one synchronous step: concurrent saves cannot both win.
    if (this.objects.has(name)) return 'exists';
    this.objects.set(name, { data: Buffer.from(data), modified: new Date(this.now().getTime()) });
    return 'saved';
  }

  async load(name: string, options?: LoadOptions): Promise<Buffer> {
    checkName('load', name);
    throwIfAborted(options?.signal);
    const { data } = this.find('load', name);
    const range = options?.range;
    if (range === undefined) return Buffer.from(data);
    checkRange(name, range);
    const { start, end } = clampRange(range, data.length);
    return Buffer.from(data.subarray(start, end));
  }

  async stat(name: string, options?: OperationOptions): Promise<ObjectInfo> {
    checkName('stat', name);
    throwIfAborted(options?.signal);
    const { data, modified } = this.find('stat', name);
    return { size: data.length, modified: new Date(modified.getTime()) };
  }

  async *list(prefix: string, options?: OperationOptions): AsyncIterable<ListedObject> {
    checkPrefix('list', prefix);
    throwIfAborted(options?.signal);
    // A snapshot of the names: saves and removes during the listing cannot repeat or skip one.
    const names = [...this.objects.keys()].filter((name) => name.startsWith(prefix));
    for (const name of names) {
      throwIfAborted(options?.signal);
      const object = this.objects.get(name);
      if (object !== undefined) yield { name, size: object.data.length };
    }
  }

  async remove(name: string, options?: OperationOptions): Promise<void> {
    checkName('remove', name);
    throwIfAborted(options?.signal);
    this.find('remove', name);
    this.objects.delete(name);
  }

  async close(): Promise<void> {
    // Nothing to release; the objects stay readable, as files stay on a disk.
  }

  private find(operation: string, name: string): StoredObject {
    const object = this.objects.get(name);
    if (object === undefined) throw new NotFoundError(`${operation} ${shortName(name)}: not found`);
    return object;
  }
}
