import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_CHUNKER_PARAMS, validateChunkerParams } from './params.js';
import { Chunker } from './chunker.js';
import { chunkBuffer } from './fastcdc.js';

test('the defaults are 512 KiB / 1 MiB / 8 MiB and valid', () => {
  assert.deepEqual({ ...DEFAULT_CHUNKER_PARAMS }, { min: 524288, avg: 1048576, max: 8388608 });
  assert.ok(Object.isFrozen(DEFAULT_CHUNKER_PARAMS));
  validateChunkerParams(DEFAULT_CHUNKER_PARAMS);
  validateChunkerParams({ min: 1, avg: 8, max: 16 });
  validateChunkerParams({ min: 2 ** 28, avg: 2 ** 29, max: 2 ** 30 });
});

const bad: [string, { min: number; avg: number; max: number }, RegExp][] = [
  ['min not a power of two', { min: 500, avg: 1024, max: 4096 }, /min must be a power of two, got 500/],
  ['avg not a power of two', { min: 512, avg: 1000, max: 4096 }, /avg must be a power of two/],
  ['max not a power of two', { min: 512, avg: 1024, max: 4095 }, /max must be a power of two/],
  ['zero', { min: 0, avg: 1024, max: 4096 }, /min must be a power of two/],
  ['negative', { min: -512, avg: 1024, max: 4096 }, /min must be a power of two/],
  ['fractional', { min: 0.5, avg: 1024, max: 4096 }, /min must be a power of two/],
  ['NaN', { min: 512, avg: NaN, max: 4096 }, /avg must be a power of two/],
  ['min equal to avg', { min: 1024, avg: 1024, max: 4096 }, /min must be below avg/],
  ['min above avg', { min: 2048, avg: 1024, max: 4096 }, /min must be below avg/],
  ['avg equal to max', { min: 512, avg: 4096, max: 4096 }, /avg must be below max/],
  ['avg too small for the masks', { min: 2, avg: 4, max: 16 }, /avg must be at least 8/],
  ['max above 1 GiB', { min: 2 ** 28, avg: 2 ** 29, max: 2 ** 31 }, /max must be at most/],
];

for (const [name, params, message] of bad) {
  test(`rejects ${name}`, () => {
    assert.throws(() => validateChunkerParams(params), (err: unknown) => {
      assert.ok(err instanceof RangeError);
      assert.match(err.message, message);
      return true;
    });
    // Every entry point validates.
    const gear = new Uint32Array(256);
    assert.throws(() => new Chunker(params, gear), RangeError);
    assert.throws(() => chunkBuffer(new Uint8Array(10), gear, params), RangeError);
  });
}

test('rejects a missing field', () => {
  assert.throws(
    () => validateChunkerParams({ min: 512, avg: 1024 } as unknown as typeof DEFAULT_CHUNKER_PARAMS),
    /max must be a power of two, got undefined/,
  );
});
