/**
 * A backend wrapper that calls a hook before every save and remove, with the
 * running count: the CLI's crash tests use it to kill the process at an
 * exact point of its work (COFFER_TEST_CRASH_AFTER_WRITES, src/cli/test-hooks.ts).
 */
import type { Backend, ListedObject, LoadOptions, ObjectInfo, OperationOptions } from './backend.js';

export class TripwireBackend implements Backend {
  private writes = 0;

  constructor(private readonly inner: Backend, private readonly beforeWrite: (count: number, name: string) => void) {}

  get location(): string {
    return this.inner.location;
  }

  save(name: string, data: Uint8Array, options?: OperationOptions): Promise<'saved' | 'exists'> {
    this.beforeWrite(++this.writes, name);
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
    this.beforeWrite(++this.writes, name);
    return this.inner.remove(name, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
