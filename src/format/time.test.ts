import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../errors.js';
import { formatTimeNs, parseTimeNs } from './index.js';
import { timeNs } from './testing.js';

describe('times', () => {
  test('nanoseconds survive a round trip, before and after 1970', () => {
    fc.assert(fc.property(timeNs, (ns) => {
      const text = formatTimeNs(ns);
      assert.match(text, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
      assert.equal(parseTimeNs(text), ns);
    }), { numRuns: 1000 });
  });

  test('agrees with Date to the millisecond', () => {
    fc.assert(fc.property(fc.integer({ min: -62_167_219_200_000, max: 253_402_300_799_999 }), (ms) => {
      assert.equal(formatTimeNs(BigInt(ms) * 1_000_000n).slice(0, 23), new Date(ms).toISOString().slice(0, 23));
    }));
  });

  test('known values', () => {
    const cases: [bigint, string][] = [
      [0n, '1970-01-01T00:00:00.000000000Z'],
      [-1n, '1969-12-31T23:59:59.999999999Z'],
      [-1_000_000_000n, '1969-12-31T23:59:59.000000000Z'],
      [-1_000_000_001n, '1969-12-31T23:59:58.999999999Z'],
      [1_795_343_078_123_456_789n, '2026-11-22T10:24:38.123456789Z'],
      [-62_167_219_200_000_000_000n, '0000-01-01T00:00:00.000000000Z'],
      [253_402_300_799_999_999_999n, '9999-12-31T23:59:59.999999999Z'],
      [951_782_400_000_000_000n, '2000-02-29T00:00:00.000000000Z'],
    ];
    for (const [ns, text] of cases) {
      assert.equal(formatTimeNs(ns), text);
      assert.equal(parseTimeNs(text), ns);
    }
  });

  test('accepts 0 to 9 fractional digits', () => {
    assert.equal(parseTimeNs('1970-01-01T00:00:01Z'), 1_000_000_000n);
    assert.equal(parseTimeNs('1970-01-01T00:00:00.5Z'), 500_000_000n);
    assert.equal(parseTimeNs('1969-12-31T23:59:59.25Z'), -750_000_000n);
    assert.equal(parseTimeNs('1970-01-01T00:00:00.000000001Z'), 1n);
  });

  test('refuses what is not rfc 3339 utc', () => {
    for (const text of [
      '', '1970-01-01', '1970-01-01T00:00:00', '1970-01-01T00:00:00.Z', '1970-01-01T00:00:00.0000000000Z',
      '1970-01-01t00:00:00Z', '1970-01-01T00:00:00z', '1970-01-01 00:00:00Z', '1970-01-01T00:00:00+00:00',
      '1970-13-01T00:00:00Z', '1970-00-01T00:00:00Z', '1970-01-32T00:00:00Z', '1970-01-00T00:00:00Z',
      '2025-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '1970-01-01T24:00:00Z', '1970-01-01T00:60:00Z',
      '1970-01-01T00:00:60Z', '+01970-01-01T00:00:00Z', '19700-01-01T00:00:00Z', ' 1970-01-01T00:00:00Z',
      '1970-01-01T00:00:00Z\n', '１970-01-01T00:00:00Z',
    ]) {
      assert.throws(() => parseTimeNs(text), FormatError, JSON.stringify(text));
    }
  });

  test('refuses to format times outside years 0000 to 9999', () => {
    assert.throws(() => formatTimeNs(253_402_300_800_000_000_000n), FormatError);
    assert.throws(() => formatTimeNs(-62_167_219_200_000_000_001n), FormatError);
  });
});
