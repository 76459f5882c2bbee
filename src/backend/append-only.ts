/**
 * A backend that may only create and read, like a write-only host's storage
 * credential (an S3 policy without DeleteObject, an Azure role without
 * delete, object lock): `remove` is refused, and so is `save` to a name
 * that exists, where the contract would otherwise answer 'exists'. A backup
 * must succeed through it (docs/security.md, write-only hosts). It counts
 * refused operations, so a test can prove none was even tried.
 */
import { BackendError } from '../errors.js';
import type { OperationOptions } from './backend.js';
import { ForwardingBackend } from './forwarding.js';

export class AppendOnlyBackend extends ForwardingBackend {
  /** Operations refused so far, e.g. `remove data/ab/...`. */
  readonly refused: string[] = [];

  override async save(name: string, data: Uint8Array, options?: OperationOptions): Promise<'saved' | 'exists'> {
    if (await this.inner.save(name, data, options) === 'saved') return 'saved';
    this.refused.push(`overwrite ${name}`);
    throw new BackendError(`save ${name}: an object of that name exists, and this storage denies overwriting`, { transient: false });
  }

  override async remove(name: string): Promise<void> {
    this.refused.push(`remove ${name}`);
    throw new BackendError(`remove ${name}: this storage denies deleting`, { transient: false });
  }
}
