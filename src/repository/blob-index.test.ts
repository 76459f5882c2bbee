import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BlobIndex, type BlobLocation } from './blob-index.js';

const location = (n: number): BlobLocation => ({
  packId: `pack${n % 7}`, type: n % 2, compression: (n >> 1) % 2, offset: n, sealedLength: n + 16,
  storedLength: n + 1, rawLength: n + 2, counter: n % 1000,
});

test('every added blob is found with its location; absent ids are not', () => {
  const index = new BlobIndex();
  const ids = Array.from({ length: 20_000 }, () => randomBytes(32));
  ids.forEach((id, n) => assert.ok(index.add(id, location(n))));
  assert.equal(index.size, ids.length);
  ids.forEach((id, n) => assert.deepEqual(index.lookup(id), location(n)));
  for (let i = 0; i < 1000; i++) assert.equal(index.has(randomBytes(32)), false);
  assert.equal(index.packs.length, 7);
});

test('a duplicate keeps its first location', () => {
  const index = new BlobIndex();
  const id = randomBytes(32);
  assert.ok(index.add(id, location(1)));
  assert.equal(index.add(Buffer.from(id), location(2)), false);
  assert.deepEqual(index.lookup(id), location(1));
  assert.equal(index.size, 1);
});

test('ids colliding in their first four bytes stay distinct', () => {
  const index = new BlobIndex();
  const a = Buffer.alloc(32, 1);
  const b = Buffer.alloc(32, 1);
  b[31] = 2;
  index.add(a, location(1));
  index.add(b, location(2));
  assert.deepEqual(index.lookup(a), location(1));
  assert.deepEqual(index.lookup(b), location(2));
  assert.equal([...index.entries()].length, 2);
});
