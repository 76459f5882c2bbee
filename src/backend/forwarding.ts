/**
 * A backend that passes every call to another. Wrappers that change one or
 * two operations (refusing removes, counting writes, damaging reads in
 * tests) extend it and override only those.
 */
import type { Backend, ListedObject, LoadOptions, ObjectInfo, OperationOptions } from './backend.js';

export class ForwardingBackend implements Backend {
  constructor(protected readonly inner: Backend) {}

  get location(): string {
    return this.inner.location;
  }

  save(name: string, data: Uint8Array, options?: OperationOptions): Promise<'saved' | 'exists'> {
    return this.inner.save(name, data, options);
  }

  load(name: string, options?: LoadOptions): Promise<Buffer> {
    return this.inner.load(name, options);
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
