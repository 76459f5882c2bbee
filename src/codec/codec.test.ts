import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FormatError } from '../errors.js';
import { CompressPool, ZstdCodec } from './index.js';

test('zstd round trip; incompressible data is left raw', () => {
  const codec = new ZstdCodec();
  const text = Buffer.from('coffer '.repeat(10_000));
  const packed = codec.compressIfWorthwhile(text);
  assert.ok(packed && packed.length < text.length / 10);
  assert.deepEqual(codec.decompress(packed, text.length), text);
  assert.equal(codec.compressIfWorthwhile(randomBytes(100_000)), null);
});

test('decompression is capped at the declared raw length', () => {
  const codec = new ZstdCodec();
  const text = Buffer.alloc(1 << 20, 'a');
  const packed = codec.compressIfWorthwhile(text)!;
  assert.throws(() => codec.decompress(packed, text.length - 1), FormatError);
  assert.throws(() => codec.decompress(packed, text.length + 1), FormatError);
  assert.throws(() => codec.decompress(randomBytes(100), 1000), FormatError);
});

test('the worker pool compresses large blobs off-thread and returns the input intact', async () => {
  const pool = new CompressPool({ threads: 2 });
  try {
    const inputs = [Buffer.alloc(3 << 20, 'x'), randomBytes(200_000), Buffer.from('small'.repeat(100))];
    const copies = inputs.map((b) => Buffer.from(b));
    const results = await Promise.all(inputs.map((b) => pool.compress(b)));
    const codec = new ZstdCodec();
    results.forEach((r, i) => {
      assert.deepEqual(r.data, copies[i]);
      if (r.compressed) assert.deepEqual(codec.decompress(r.compressed, copies[i]!.length), copies[i]);
    });
    assert.ok(results[0]!.compressed, 'repetitive data compresses');
    assert.equal(results[1]!.compressed, null, 'random data stays raw');
  } finally {
    await pool.close();
  }
});
