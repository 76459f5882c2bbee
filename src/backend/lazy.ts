/**
 * A backend created on first use. Cloud backends load their SDK (a dynamic
 * import) and resolve credentials and region asynchronously; this lets the
 * CLI hand out a backend at once, and never load an SDK for a command that
 * fails before touching storage. A failure to create is reported by every
 * operation that needed the backend, and is not cached, so a later operation
 * may try again.
 */
import { throwIfAborted } from '../errors.js';
import type { Backend, ListedObject, LoadOptions, ObjectInfo, OperationOptions } from './backend.js';

export class LazyBackend implements Backend {
  private creating: Promise<Backend> | undefined;

  constructor(readonly location: string, private readonly create: () => Promise<Backend>) {}

  async save(name: string, data: Uint8Array, options?: OperationOptions): Promise<'saved' | 'exists'> {
    return (await this.backend(options?.signal)).save(name, data, options);
  }

  async load(name: string, options?: LoadOptions): Promise<Buffer> {
    return (await this.backend(options?.signal)).load(name, options);
  }

  async stat(name: string, options?: OperationOptions): Promise<ObjectInfo> {
    return (await this.backend(options?.signal)).stat(name, options);
  }

  async *list(prefix: string, options?: OperationOptions): AsyncIterable<ListedObject> {
    yield* (await this.backend(options?.signal)).list(prefix, options);
  }

  async remove(name: string, options?: OperationOptions): Promise<void> {
    return (await this.backend(options?.signal)).remove(name, options);
  }

  /** Closes the backend if it was created; a later operation would create it again. */
  async close(): Promise<void> {
    const creating = this.creating;
    this.creating = undefined;
    if (creating) await (await creating.catch(() => undefined))?.close();
  }

  private backend(signal: AbortSignal | undefined): Promise<Backend> {
    throwIfAborted(signal);
    if (!this.creating) {
      const creating = this.create();
      this.creating = creating;
      creating.catch(() => {
        if (this.creating === creating) this.creating = undefined;
      });
    }
    return this.creating;
  }
}
