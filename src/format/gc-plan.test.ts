// Gc plan and tombstone bodies (docs/format.md "Garbage collection (prune)"):
// the independent vectors in testdata/gc-vectors.json, round trips, and
// every truncation failing cleanly.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../errors.js';
import {
  decodeGcPlanBody, decodeTombstoneBody, encodeGcPlanBody, encodeTombstoneBody, MIN_GC_WINDOW_MS, type GcPlan, type PackId,
} from './index.js';
import { idOf } from './testing.js';

interface Vectors {
  plans: { plan: GcPlan; body: string }[];
  tombstones: { packs: PackId[]; body: string }[];
  negative: { name: string; decoder: string; hex: string; message: string }[];
}

const vectors = JSON.parse(readFileSync(new URL('../../testdata/gc-vectors.json', import.meta.url), 'utf8')) as Vectors;
const hex = (s: string) => Buffer.from(s, 'hex');

const plan: fc.Arbitrary<GcPlan> = fc.record({
  windowMs: fc.integer({ min: MIN_GC_WINDOW_MS, max: Number.MAX_SAFE_INTEGER }),
  candidates: fc.uniqueArray(fc.record({ id: idOf('pack'), type: fc.constantFrom('data' as const, 'tree' as const) }, { noNullPrototype: true }),
    { selector: (c) => c.id, maxLength: 6 }),
  knownIndexes: fc.uniqueArray(idOf('index'), { maxLength: 6 }),
}, { noNullPrototype: true });

describe('gc plan and tombstone bodies', () => {
  test('vectors encode and decode byte for byte', () => {
    for (const v of vectors.plans) {
      assert.equal(encodeGcPlanBody(v.plan).toString('hex'), v.body);
      assert.deepEqual(decodeGcPlanBody(hex(v.body)), v.plan);
    }
    for (const v of vectors.tombstones) {
      assert.equal(encodeTombstoneBody(v.packs).toString('hex'), v.body);
      assert.deepEqual(decodeTombstoneBody(hex(v.body)), v.packs);
    }
  });

  test('negative vectors are format errors naming the problem', () => {
    const decoders: Record<string, (b: Buffer) => unknown> = { planBody: decodeGcPlanBody, tombstoneBody: decodeTombstoneBody };
    let ran = 0;
    for (const v of vectors.negative) {
      const decode = decoders[v.decoder];
      if (!decode) continue; // object-level cases run in repository/gc-objects.test.ts
      assert.throws(() => decode(hex(v.hex)), (e: unknown) => e instanceof FormatError && e.message.includes(v.message), v.name);
      ran += 1;
    }
    assert.ok(ran >= 10, `${ran} body-level negative cases ran`);
  });

  test('decode(encode(plan)) = plan, and every truncation is a format error', () => {
    fc.assert(fc.property(plan, (p) => {
      const bytes = encodeGcPlanBody(p);
      assert.deepEqual(decodeGcPlanBody(bytes), p);
      for (let n = 0; n < bytes.length; n++) assert.throws(() => decodeGcPlanBody(bytes.subarray(0, n)), FormatError);
    }), { numRuns: 60 });
  });

  test('a window below the minimum is refused on both sides, unless a test lowers it', () => {
    const small: GcPlan = { windowMs: 50, candidates: [], knownIndexes: [] };
    assert.throws(() => encodeGcPlanBody(small), /below the minimum/);
    const bytes = encodeGcPlanBody(small, { minWindowMs: 10 });
    assert.throws(() => decodeGcPlanBody(bytes), /below the minimum/);
    assert.deepEqual(decodeGcPlanBody(bytes, { minWindowMs: 10 }), small);
  });

  test('tombstones round-trip and refuse repeated packs', () => {
    fc.assert(fc.property(fc.uniqueArray(idOf('pack'), { maxLength: 8 }), (packs) => {
      assert.deepEqual(decodeTombstoneBody(encodeTombstoneBody(packs)), packs);
    }), { numRuns: 50 });
    const id = 'ab'.repeat(32) as PackId;
    assert.throws(() => encodeTombstoneBody([id, id]), /twice/);
  });
});
