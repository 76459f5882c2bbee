import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BackendError } from '../errors.js';
import { runBackendConformance } from './conformance.js';
import { MemoryBackend } from './memory.js';

runBackendConformance('MemoryBackend conformance', async () => ({
  backend: new MemoryBackend(),
  cleanup: async () => undefined,
}));

describe('MemoryBackend', () => {
  test('stamps objects with the injected clock, and stat returns a copy of the stamp', async () => {
    let now = new Date('2030-01-02T03:04:05Z');
    const backend = new MemoryBackend({ now: () => now });
    await backend.save('a', new Uint8Array([1]));
    now = new Date('2031-01-01T00:00:00Z');
    const info = await backend.stat('a');
    assert.equal(info.modified.toISOString(), '2030-01-02T03:04:05.000Z');
    info.modified.setFullYear(1999);
    assert.equal((await backend.stat('a')).modified.toISOString(), '2030-01-02T03:04:05.000Z');
  });

  test('refuses names outside the contract, as every backend does', async () => {
    const backend = new MemoryBackend();
    for (const name of ['../x', '/abs', 'a/../b', 'Upper', '', 'a//b', 'a/']) {
      await assert.rejects(backend.save(name, new Uint8Array(1)), (e: unknown) => e instanceof BackendError && !e.transient, name);
    }
    await assert.rejects(async () => {
      for await (const _ of backend.list('../')) assert.fail('listed an invalid prefix');
    }, BackendError);
  });

  test('location defaults to memory: and can be named', () => {
    assert.equal(new MemoryBackend().location, 'memory:');
    assert.equal(new MemoryBackend({ location: 'memory:test' }).location, 'memory:test');
  });
});
