import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BandwidthLimitBackend, TransferSchedule, type BandwidthClock } from './bandwidth-limit.js';
import { runBackendConformance } from './conformance.js';
import { MemoryBackend } from './memory.js';

runBackendConformance('BandwidthLimitBackend (64 MiB/s each way) conformance', async () => ({
  backend: new BandwidthLimitBackend(new MemoryBackend(), { uploadBytesPerSecond: 64 * 1024 * 1024, downloadBytesPerSecond: 64 * 1024 * 1024 }),
  cleanup: async () => undefined,
}));

/** A clock that only moves when something sleeps on it. */
function fakeClock(): BandwidthClock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(Math.max(0, ms));
      now += Math.max(0, ms);
    },
  };
}

describe('bandwidth limits', () => {
  test('uploads start one booking after another at the given rate', async () => {
    const clock = fakeClock();
    const backend = new BandwidthLimitBackend(new MemoryBackend(), { uploadBytesPerSecond: 1000 }, clock);
    for (let i = 0; i < 3; i++) await backend.save(`u/${i}`, Buffer.alloc(500));
    // 500 bytes at 1000 B/s book half a second each: the second starts at 500 ms, the third at 1000 ms.
    assert.deepEqual(clock.slept, [0, 500, 500]);
    assert.equal(clock.now(), 1000);
  });

  test('downloads are handed over when their booking ends; loads without a limit are not delayed', async () => {
    const clock = fakeClock();
    const memory = new MemoryBackend();
    await memory.save('d', Buffer.alloc(2000));
    const backend = new BandwidthLimitBackend(memory, { downloadBytesPerSecond: 1000 }, clock);
    await backend.load('d');
    await backend.load('d', { range: { offset: 0, length: 1000 } });
    assert.deepEqual(clock.slept, [2000, 1000]);
    await backend.save('x', Buffer.alloc(10_000));
    assert.deepEqual(clock.slept, [2000, 1000], 'no upload limit: no wait');
  });

  test('time a transfer already took counts towards its booking', () => {
    let now = 0;
    const schedule = new TransferSchedule(1000, { now: () => now, sleep: async () => undefined });
    now = 5000;
    // A 1000-byte download that began at 4500 (and took half a second) is due at 5500, not 6000.
    assert.deepEqual(schedule.book(1000, 4500), { start: 4500, end: 5500 });
  });

  test('a real upload of 256 KiB at 1 MiB/s after a first one takes at least a quarter second', async () => {
    const backend = new BandwidthLimitBackend(new MemoryBackend(), { uploadBytesPerSecond: 1024 * 1024 });
    await backend.save('r/1', Buffer.alloc(256 * 1024));
    const start = performance.now();
    await backend.save('r/2', Buffer.alloc(256 * 1024));
    assert.ok(performance.now() - start >= 240, `waited ${performance.now() - start} ms`);
  });
});
