/**
 * A backend that may only create and read, like a write-only host's storage
 * credential (an S3 policy without DeleteObject, an Azure role without
 * delete, object lock): `remove` is refused, and so is `save` to a name
 * that exists, where the contract would otherwise answer 'exists'. A backup
 * must succeed through it (docs/security.md, write-only hosts). It counts
 * refused operations, so a test can prove none was even tried.
 */
import { BackendError } from '../errors.js';
import type { Backend, ListedObject, LoadOptions, ObjectInfo, OperationOptions } from './backend.js';

export class AppendOnlyBackend implements Backend {
  /** Operations refused so far, e.g. `remove data/ab/...`. */
  readonly refused: string[] = [];

  constructor(private readonly inner: Backend) {}

  get location(): string {
    return this.inner.location;
  }

  async save(name: string, data: Uint8Array, options?: OperationOptions): Promise<'saved' | 'exists'> {
    if (await this.inner.save(name, data, options) === 'saved') return 'saved';
    this.refused.push(`overwrite ${name}`);
    throw new BackendError(`save ${name}: an object of that name exists, and this storage denies overwriting`, { transient: false });
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

  async remove(name: string): Promise<void> {
    this.refused.push(`remove ${name}`);
    throw new BackendError(`remove ${name}: this storage denies deleting`, { transient: false });
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
