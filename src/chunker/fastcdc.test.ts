import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { chunkBuffer, findCutPoint, topBits } from './fastcdc.js';
import { gearFor, referenceChunkLengths, referenceCutPoint, xorshift32Bytes } from './testing.js';

const SMALL = { min: 64, avg: 256, max: 1024 };

/** A gear table with `value` for every byte except the listed ones. */
function gearOf(value: number, overrides: Record<number, number> = {}): Uint32Array {
  const gear = new Uint32Array(256).fill(value);
  for (const [b, v] of Object.entries(overrides)) gear[Number(b)] = v;
  return gear;
}

describe('findCutPoint, hand-checked', () => {
  test('n <= min returns n', () => {
    const buf = new Uint8Array(100);
    for (const n of [0, 1, 10, 64]) assert.equal(findCutPoint(buf, 0, n, gearOf(0), SMALL), n);
  });

  test('the first min bytes are skipped and the cut includes the matching byte', () => {
    // A zero gear keeps h at 0, so the first hashed byte (index min) matches.
    assert.equal(findCutPoint(new Uint8Array(1024), 0, 1024, gearOf(0), SMALL), 65);
    assert.equal(findCutPoint(new Uint8Array(2000), 500, 65, gearOf(0), SMALL), 65);
  });

  test('masks test the top bits of a 32-bit hash', () => {
    // With every entry 0xffffffff, after k bytes h = 2^32 - 2^k + 1 (top bit
    // set) for k < 32, and h = 1 from k = 32: the cut is at min + 32.
    assert.equal(findCutPoint(new Uint8Array(1024), 0, 1024, gearOf(0xffffffff), SMALL), 96);
    assert.equal(findCutPoint(new Uint8Array(1024), 0, 90, gearOf(0xffffffff), SMALL), 90);
  });

  test('maskS (10 top bits for avg 256) applies before avg, maskL (6 top bits) from avg', () => {
    // Byte 0 adds bit 22: after 10 zero bytes h = 0xffc00000 for good, and
    // bit 22 is set at every step, so zeros alone never cut. A byte 1 then
    // gives h = 0x01000000 (clear under maskL, not under maskS), and the next
    // zero gives 0x02400000 (also clear under maskL only).
    const gear = gearOf(0x00400000, { 1: 0x01800000 });
    const at = (p: number): Uint8Array => {
      const buf = new Uint8Array(1024);
      buf[p] = 1;
      return buf;
    };
    assert.equal(findCutPoint(new Uint8Array(1024), 0, 1024, gear, SMALL), 1024);
    assert.equal(findCutPoint(new Uint8Array(1024), 0, 200, gear, SMALL), 200);
    assert.equal(findCutPoint(at(300), 0, 1024, gear, SMALL), 301);
    assert.equal(findCutPoint(at(256), 0, 1024, gear, SMALL), 257);
    assert.equal(findCutPoint(at(255), 0, 1024, gear, SMALL), 257);
    assert.equal(findCutPoint(at(200), 0, 1024, gear, SMALL), 1024);
  });

  test('topBits gives unsigned high-bit masks', () => {
    assert.equal(topBits(0), 0);
    assert.equal(topBits(6), 0xfc000000);
    assert.equal(topBits(22), 0xfffffc00);
    assert.equal(topBits(32), 0xffffffff);
  });

  test('rejects a range outside the buffer, n above max, and a bad gear table', () => {
    const buf = new Uint8Array(100);
    assert.throws(() => findCutPoint(buf, 50, 51, gearOf(0), SMALL), RangeError);
    assert.throws(() => findCutPoint(buf, -1, 10, gearOf(0), SMALL), RangeError);
    assert.throws(() => findCutPoint(new Uint8Array(2048), 0, 1025, gearOf(0), SMALL), RangeError);
    assert.throws(() => findCutPoint(buf, 0, 10, new Uint32Array(255), SMALL), RangeError);
    assert.throws(
      () => findCutPoint(buf, 0, 10, new Int32Array(256) as unknown as Uint32Array, SMALL),
      RangeError,
    );
  });
});

describe('findCutPoint and chunkBuffer match the spec transcription', () => {
  const paramSets = [
    { min: 4, avg: 8, max: 16 },
    { min: 1, avg: 16, max: 64 },
    { min: 16, avg: 64, max: 256 },
    SMALL,
  ];
  const gearArb = fc.uint32Array({ minLength: 256, maxLength: 256 });

  test('single cut points, any start and n', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...paramSets),
        gearArb,
        fc.uint8Array({ maxLength: 3000 }),
        fc.nat(),
        fc.nat(),
        (params, gear, data, a, b) => {
          const start = data.length === 0 ? 0 : a % data.length;
          const n = Math.min(b % (data.length - start + 1), params.max);
          assert.equal(
            findCutPoint(data, start, n, gear, params),
            referenceCutPoint(data, start, n, gear, params),
          );
        },
      ),
    );
  });

  test('whole buffers, with gear tables that cut often', () => {
    // Random tables rarely clear the mask on tiny params' short inputs, so
    // also try tables whose entries are mostly small (top bits clear).
    const sparseGear = fc.uint32Array({ minLength: 256, maxLength: 256, max: 0x0fffffff });
    fc.assert(
      fc.property(
        fc.constantFrom(...paramSets),
        fc.oneof(gearArb, sparseGear),
        fc.uint8Array({ maxLength: 5000 }),
        (params, gear, data) => {
          assert.deepEqual(chunkBuffer(data, gear, params), referenceChunkLengths(data, gear, params));
        },
      ),
    );
  });
});

test('different gear tables give different boundaries on the same data', () => {
  const data = xorshift32Bytes(42, 64 * 1024);
  const a = chunkBuffer(data, gearFor('table a'), SMALL);
  const b = chunkBuffer(data, gearFor('table b'), SMALL);
  assert.ok(a.length > 100, 'enough chunks for a meaningful comparison');
  assert.notDeepEqual(a, b);
  // Not just a shifted prefix: most boundaries differ.
  const offsets = (lengths: number[]): Set<number> => {
    let off = 0;
    return new Set(lengths.map((l) => (off += l)));
  };
  const inB = offsets(b);
  const shared = [...offsets(a)].filter((o) => inB.has(o)).length;
  assert.ok(shared < a.length / 2, `${shared} of ${a.length} boundaries shared`);
});

test('an empty buffer has no chunks', () => {
  assert.deepEqual(chunkBuffer(new Uint8Array(0), gearFor('x'), SMALL), []);
});
