/**
 * A backend wrapper that calls a hook before every save and remove, with the
 * running count: the CLI's crash tests use it to kill the process at an
 * exact point of its work (COFFER_TEST_CRASH_AFTER_WRITES, src/cli/test-hooks.ts).
 */
import type { Backend, OperationOptions } from './backend.js';
import { ForwardingBackend } from './forwarding.js';

export class TripwireBackend extends ForwardingBackend {
  private writes = 0;

  constructor(inner: Backend, private readonly beforeWrite: (count: number, name: string) => void) {
    super(inner);
  }

  override save(name: string, data: Uint8Array, options?: OperationOptions): Promise<'saved' | 'exists'> {
    this.beforeWrite(++this.writes, name);
    return super.save(name, data, options);
  }

  override remove(name: string, options?: OperationOptions): Promise<void> {
    this.beforeWrite(++this.writes, name);
    return super.remove(name, options);
  }
}
