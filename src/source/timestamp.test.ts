import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toUtimeSeconds } from './timestamp.js';

/** What libuv does with the seconds Node passes it (uv__fs_to_timespec): truncate to nanoseconds, then to microseconds. */
function libuvMicros(seconds: number): bigint {
  const whole = Math.trunc(seconds);
  const nanos = Math.trunc((seconds - whole) * 1e9);
  return BigInt(whole) * 1_000_000n + BigInt(Math.trunc(nanos / 1000));
}

test('timestamps survive libuv truncation to the exact microsecond', () => {
  const samples = [0n, 1n, 999n, 1000n, 999_999_999n, 1_700_000_000_123_456_789n, 4_102_444_800_999_999_999n];
  for (let i = 0; i < 10_000; i += 1) {
    samples.push(BigInt(Math.floor(Math.random() * 4.1e9)) * 1_000_000_000n + BigInt(Math.floor(Math.random() * 1e9)));
  }
  for (const ns of samples) assert.equal(libuvMicros(toUtimeSeconds(ns)), ns / 1000n, `${ns} ns`);
});

test('times before the epoch are clamped to it', () => {
  assert.equal(toUtimeSeconds(-5_000_000_000n), 0);
});
