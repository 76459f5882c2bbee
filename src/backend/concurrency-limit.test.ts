import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AbortedError } from '../errors.js';
import { ConcurrencyLimitBackend } from './concurrency-limit.js';
import { runBackendConformance } from './conformance.js';
import { FaultInjectingBackend } from './fault-injecting.js';
import { MemoryBackend } from './memory.js';

runBackendConformance('ConcurrencyLimitBackend (limit 2) conformance', async () => ({
  backend: new ConcurrencyLimitBackend(new MemoryBackend(), 2),
  cleanup: async () => undefined,
}));

/** A memory backend where every operation takes a few milliseconds, so operations overlap. */
const slowMemory = () => new FaultInjectingBackend(new MemoryBackend(), { seed: 1, rate: 1, kinds: ['slow'], delayMs: 3 });

describe('ConcurrencyLimitBackend', () => {
  test('never has more operations in flight than its limit, and uses all of it', async () => {
    const backend = new ConcurrencyLimitBackend(slowMemory(), 3);
    await Promise.all(Array.from({ length: 20 }, (_, i) => backend.save(`o/${i}`, Buffer.from([i]))));
    await Promise.all(Array.from({ length: 20 }, (_, i) => backend.load(`o/${i}`)));
    assert.equal(backend.peak, 3);
  });

  test('a consumer that loads each listed object does not deadlock, even with a limit of 1', async () => {
    const backend = new ConcurrencyLimitBackend(slowMemory(), 1);
    for (let i = 0; i < 5; i++) await backend.save(`l/${i}`, Buffer.from([i]));
    const loaded: number[] = [];
    for await (const object of backend.list('l/')) loaded.push((await backend.load(object.name))[0]!);
    assert.deepEqual(loaded.sort(), [0, 1, 2, 3, 4]);
  });

  test('a caller aborted while waiting for a slot rejects with AbortedError and leaves the slots intact', async () => {
    const backend = new ConcurrencyLimitBackend(slowMemory(), 1);
    const controller = new AbortController();
    const running = backend.save('a', Buffer.from('a'));
    const waiting = backend.save('b', Buffer.from('b'), { signal: controller.signal });
    controller.abort();
    await assert.rejects(waiting, AbortedError);
    assert.equal(await running, 'saved');
    assert.equal(await backend.save('c', Buffer.from('c')), 'saved');
    await assert.rejects(backend.stat('b'));
  });

  test('stopping a listing early lets the next operation run', async () => {
    const backend = new ConcurrencyLimitBackend(new MemoryBackend(), 1);
    for (let i = 0; i < 3; i++) await backend.save(`s/${i}`, Buffer.from([i]));
    for await (const _ of backend.list('s/')) break;
    assert.equal((await backend.stat('s/0')).size, 1);
  });
});
