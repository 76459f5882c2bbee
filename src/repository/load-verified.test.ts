import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LoadOptions } from '../backend/backend.js';
import { MemoryBackend } from '../backend/memory.js';
import { sha256 } from '../crypto/index.js';
import { IntegrityError } from '../errors.js';
import { LOAD_ATTEMPTS, loadVerified } from './load-verified.js';
import { NameMismatchError, verifyObjectName } from './pack-reader.js';

/** Serves the stored bytes, flipping a bit in the first `damaged` loads. */
class DamagingBackend extends MemoryBackend {
  loads = 0;
  constructor(private damaged: number) {
    super();
  }
  override async load(name: string, options?: LoadOptions): Promise<Buffer> {
    const bytes = await super.load(name, options);
    this.loads += 1;
    if (this.damaged > 0) {
      this.damaged -= 1;
      bytes[0] = bytes[0]! ^ 1;
    }
    return bytes;
  }
}

const content = Buffer.from('an object named by its hash');
const id = sha256(content).toString('hex');
const open = (bytes: Buffer) => {
  verifyObjectName('index', id, bytes);
  return bytes.toString();
};

describe('loadVerified', () => {
  test('loads again when the bytes do not match the name, and never returns damaged bytes', async () => {
    const backend = new DamagingBackend(LOAD_ATTEMPTS - 1);
    await backend.save(`index/${id}`, content);
    assert.equal(await loadVerified(backend, `index/${id}`, open), content.toString());
    assert.equal(backend.loads, LOAD_ATTEMPTS);
  });

  test('reports the object damaged once every attempt failed', async () => {
    const backend = new DamagingBackend(LOAD_ATTEMPTS);
    await backend.save(`index/${id}`, content);
    await assert.rejects(loadVerified(backend, `index/${id}`, open), (error: unknown) => {
      assert.ok(error instanceof NameMismatchError && error instanceof IntegrityError);
      assert.match(error.message, /^index [0-9a-f]{8}: content does not match its name/);
      return true;
    });
    assert.equal(backend.loads, LOAD_ATTEMPTS);
  });

  test('other failures of the opener are not retried unless asked for', async () => {
    const backend = new DamagingBackend(0);
    await backend.save('config', content);
    let calls = 0;
    const failing = () => {
      calls += 1;
      throw new IntegrityError('config: not signed by the owner key');
    };
    await assert.rejects(loadVerified(backend, 'config', failing), /not signed/);
    assert.equal(calls, 1);
    await assert.rejects(loadVerified(backend, 'config', failing, { retryIf: (e) => e instanceof IntegrityError }), /not signed/);
    assert.equal(calls, 1 + LOAD_ATTEMPTS);
  });
});
