import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../errors.js';
import { formatRetentionDuration, parseRetentionDuration } from './duration.js';

describe('retention durations', () => {
  test('the grammar: y, m, d, h in that order, each optional, at least one', () => {
    const cases: [string, [number, number, number, number], string][] = [
      ['1y2m3d4h', [1, 2, 3, 4], '1y2m3d4h'],
      ['30d', [0, 0, 30, 0], '30d'],
      ['6m', [0, 6, 0, 0], '6m'],
      ['2d12h', [0, 0, 2, 12], '2d12h'],
      ['1y', [1, 0, 0, 0], '1y'],
      ['0d', [0, 0, 0, 0], '0h'],
      ['48h', [0, 0, 0, 48], '48h'],
    ];
    for (const [text, [years, months, days, hours], canonical] of cases) {
      const d = parseRetentionDuration(text);
      assert.deepEqual(d, { years, months, days, hours }, text);
      assert.equal(formatRetentionDuration(d), canonical);
    }
  });

  test('anything else is a usage error naming the flag', () => {
    for (const text of ['', '1', 'd', '1d1y', '1w', '1.5d', '-1d', '1 d', '1D', '1y1y', '9999999y']) {
      assert.throws(() => parseRetentionDuration(text), (e: unknown) => e instanceof UsageError && /--keep-within/.test(e.message), text);
    }
  });
});
