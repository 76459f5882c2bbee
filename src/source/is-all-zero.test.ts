import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAllZero } from './is-all-zero.js';

test('isAllZero finds a single non-zero byte anywhere', () => {
  assert.equal(isAllZero(Buffer.alloc(0)), true);
  for (const size of [1, 7, 65535, 65536, 65537, 1024 * 1024 + 3]) {
    const data = Buffer.alloc(size);
    assert.equal(isAllZero(data), true, `${size} zeros`);
    for (const at of [0, size >> 1, size - 1]) {
      data[at] = 1;
      assert.equal(isAllZero(data), false, `size ${size}, byte ${at}`);
      data[at] = 0;
    }
  }
});

test('isAllZero respects views into larger buffers', () => {
  const backing = Buffer.alloc(100, 0xff);
  backing.fill(0, 10, 90);
  assert.equal(isAllZero(backing.subarray(10, 90)), true);
  assert.equal(isAllZero(backing.subarray(9, 90)), false);
  assert.equal(isAllZero(new Uint8Array(backing.buffer, backing.byteOffset + 10, 80)), true);
});
