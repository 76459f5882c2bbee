import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../errors.js';
import { bytesToId, idToBytes, isHexId, parseHexId, shortId } from './index.js';

describe('ids', () => {
  test('bytes and hex convert both ways', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
      const id = bytesToId('blob', bytes);
      assert.ok(isHexId(id));
      assert.equal(parseHexId('blob', id), id);
      assert.deepEqual(idToBytes(id), Buffer.from(bytes));
      assert.equal(shortId(id), id.slice(0, 8));
    }));
  });

  test('only 64 lowercase hex digits are ids', () => {
    for (const bad of ['', 'ab', 'AB'.repeat(32), `${'a'.repeat(63)}g`, 'a'.repeat(65), ` ${'a'.repeat(63)}`]) {
      assert.equal(isHexId(bad), false);
      assert.throws(() => parseHexId('pack', bad), FormatError);
      assert.throws(() => idToBytes(bad), FormatError);
    }
    assert.equal(isHexId(42), false);
    assert.throws(() => parseHexId('signers', 'x'), /invalid signer set id "x"/);
    assert.throws(() => bytesToId('index', Buffer.alloc(31)), FormatError);
  });
});
