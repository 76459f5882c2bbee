import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chunker } from './chunker.js';
import { chunkBuffer } from './fastcdc.js';
import { DEFAULT_CHUNKER_PARAMS } from './params.js';
import { gearFor, xorshift32Bytes } from './testing.js';

// Reports throughput for the record; timing is never asserted, since shared
// CI machines vary too much.
test('throughput with default parameters (printed, not asserted)', () => {
  const data = xorshift32Bytes(0x5eed, 64 * 1024 * 1024);
  const gear = gearFor('throughput');
  const mbps = (ms: number): string => `${(data.length / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;

  let t = performance.now();
  const lengths = chunkBuffer(data, gear, DEFAULT_CHUNKER_PARAMS);
  const whole = performance.now() - t;

  const piece = 1024 * 1024;
  t = performance.now();
  const chunker = new Chunker(DEFAULT_CHUNKER_PARAMS, gear);
  const streamed: number[] = [];
  for (let at = 0; at < data.length; at += piece) {
    for (const c of chunker.push(data.subarray(at, at + piece))) streamed.push(c.length);
  }
  for (const c of chunker.end()) streamed.push(c.length);
  const stream = performance.now() - t;

  console.log(`chunker: chunkBuffer ${mbps(whole)}, Chunker with 1 MiB pushes ${mbps(stream)}`
    + ` (${lengths.length} chunks of 64 MiB)`);
  assert.deepEqual(streamed, lengths);
  assert.ok(lengths.length > 30 && lengths.length < 128, `${lengths.length} chunks`);
});
