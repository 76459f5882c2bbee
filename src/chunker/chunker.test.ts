import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Chunker } from './chunker.js';
import { chunkBuffer } from './fastcdc.js';
import type { ChunkerParams } from './params.js';
import { gearFor, xorshift32Bytes } from './testing.js';

const SMALL: ChunkerParams = { min: 64, avg: 256, max: 1024 };
const GEAR = gearFor('chunker tests');

/** Streams `data` through a fresh Chunker, split at the given cut offsets. */
function stream(data: Uint8Array, splits: number[], params = SMALL, gear = GEAR): Buffer<ArrayBuffer>[] {
  const chunker = new Chunker(params, gear);
  const chunks: Buffer<ArrayBuffer>[] = [];
  let prev = 0;
  for (const at of [...splits].sort((a, b) => a - b).concat(data.length)) {
    chunks.push(...chunker.push(data.subarray(prev, at)));
    prev = at;
  }
  chunks.push(...chunker.end());
  return chunks;
}

/** Random data (from a seed, so large inputs stay cheap) and split points within it. */
const splitInput = fc
  .record({ seed: fc.integer({ min: 1, max: 0xffffffff }), length: fc.nat(20_000) })
  .chain(({ seed, length }) =>
    fc.record({
      data: fc.constant(xorshift32Bytes(seed, length)),
      splits: fc.array(fc.nat(length), { maxLength: 60 }),
    }),
  );

describe('Chunker', () => {
  test('chunks concatenate to the input and match chunkBuffer, however the input is split', () => {
    fc.assert(
      fc.property(splitInput, ({ data, splits }) => {
        const chunks = stream(data, splits);
        assert.deepEqual(Buffer.concat(chunks), Buffer.from(data));
        assert.deepEqual(chunks.map((c) => c.length), chunkBuffer(data, GEAR, SMALL));
      }),
    );
  });

  test('every chunk but the last is between min and max; the last is 1 to max', () => {
    fc.assert(
      fc.property(splitInput, ({ data, splits }) => {
        const lengths = stream(data, splits).map((c) => c.length);
        lengths.forEach((len, i) => {
          const last = i === lengths.length - 1;
          assert.ok(len >= (last ? 1 : SMALL.min) && len <= SMALL.max, `chunk ${i} has ${len} bytes`);
        });
      }),
    );
  });

  test('one-byte pushes give the same chunks as one push', () => {
    const data = xorshift32Bytes(9, 5000);
    const splits = Array.from({ length: data.length }, (_, i) => i);
    assert.deepEqual(stream(data, splits), stream(data, []));
    assert.ok(stream(data, []).length > 5);
  });

  test('boundaries resynchronise after an insertion near the start', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 0xffffffff }),
        fc.nat(2000),
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        (seed, at, inserted) => {
          const data = xorshift32Bytes(seed, 64 * 1024);
          const edited = Buffer.concat([data.subarray(0, at), inserted, data.subarray(at)]);
          const before = chunkBuffer(data, GEAR, SMALL);
          const after = chunkBuffer(edited, GEAR, SMALL);
          let same = 0;
          while (same < before.length && same < after.length
            && before[before.length - 1 - same] === after[after.length - 1 - same]) same++;
          // About 250 chunks; in 20,000 random trials at most 22 of them
          // differed, and the odds of more fall by about 0.6 per chunk.
          assert.ok(after.length - same <= 32, `${after.length - same} of ${after.length} chunks differ`);
        },
      ),
      { numRuns: 50 },
    );
  });

  test('chunks own exactly their memory and can be transferred', () => {
    const data = xorshift32Bytes(3, 10_000);
    const chunks = stream(data, [100, 3000, 3001, 7777]);
    for (const chunk of chunks) {
      assert.equal(chunk.byteOffset, 0);
      assert.equal(chunk.buffer.byteLength, chunk.length);
    }
    const [first, ...rest] = chunks;
    assert.ok(first !== undefined && rest.length > 0);
    const firstLength = first.length;
    structuredClone(first.buffer, { transfer: [first.buffer] });
    assert.equal(first.length, 0, 'the first chunk was transferred away');
    assert.deepEqual(Buffer.concat(rest), data.subarray(firstLength), 'the others are untouched');
  });

  test('does not keep a reference to pushed data', () => {
    const data = xorshift32Bytes(5, 6000);
    const expected = stream(data, []);
    const chunker = new Chunker(SMALL, GEAR);
    const got: Buffer[] = [];
    for (let at = 0; at < data.length; at += 700) {
      const piece = Buffer.from(data.subarray(at, at + 700));
      got.push(...chunker.push(piece));
      piece.fill(0xaa); // the caller reuses its read buffer
    }
    got.push(...chunker.end());
    assert.deepEqual(got, expected);
  });

  test('end() flushes the rest and resets for a new stream', () => {
    const chunker = new Chunker(SMALL, GEAR);
    assert.deepEqual(chunker.end(), []);
    assert.deepEqual(chunker.push(new Uint8Array(0)), []);
    assert.deepEqual(chunker.push(new Uint8Array(10)), []);
    assert.deepEqual(chunker.end().map((c) => c.length), [10]);
    assert.deepEqual(chunker.end(), []);
    const data = xorshift32Bytes(11, 3000);
    const again = [...chunker.push(data.subarray(0, 1234)), ...chunker.push(data.subarray(1234)), ...chunker.end()];
    assert.deepEqual(again, stream(data, []));
  });

  test('a stream without cuts is split at max', () => {
    // With this table zero bytes never clear either mask (see
    // fastcdc.test.ts): only forced cuts, then the remainder.
    const gear = new Uint32Array(256).fill(0x00400000);
    const lengths = stream(new Uint8Array(2500), [1000, 1500], SMALL, gear).map((c) => c.length);
    assert.deepEqual(lengths, [1024, 1024, 452]);
  });
});
