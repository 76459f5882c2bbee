import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../errors.js';
import { formatTimeNs } from '../format/index.js';
import { fixedOffset, utcOffset } from '../retention/index.js';
import { berlin2024 } from '../retention/testing.js';
import { parseTimeFlag } from './time-flag.js';

const parse = (text: string, offset = utcOffset) => formatTimeNs(parseTimeFlag(text, '--time', offset));

describe('--time', () => {
  test('RFC 3339 with Z or an offset, 0 to 9 fractional digits', () => {
    assert.equal(parse('2024-05-01T10:00:00Z'), '2024-05-01T10:00:00.000000000Z');
    assert.equal(parse('2024-05-01t10:00:00z'), '2024-05-01T10:00:00.000000000Z');
    assert.equal(parse('2024-05-01T12:00:00+02:00'), '2024-05-01T10:00:00.000000000Z');
    assert.equal(parse('2024-05-01T05:30:00.5-04:30'), '2024-05-01T10:00:00.500000000Z');
    assert.equal(parse('2024-01-01T00:30:00+01:00'), '2023-12-31T23:30:00.000000000Z');
    assert.equal(parse('1999-12-31T23:59:59.123456789Z'), '1999-12-31T23:59:59.123456789Z');
    // An explicit zone wins over the local one.
    assert.equal(parse('2024-05-01T10:00:00Z', fixedOffset(600)), '2024-05-01T10:00:00.000000000Z');
  });

  test('YYYY-MM-DD HH:MM:SS is local time in the given zone', () => {
    assert.equal(parse('2024-05-01 12:00:00', fixedOffset(120)), '2024-05-01T10:00:00.000000000Z');
    assert.equal(parse('2024-01-15 12:00:00', berlin2024), '2024-01-15T11:00:00.000000000Z');
    assert.equal(parse('2024-07-15 12:00:00.25', berlin2024), '2024-07-15T10:00:00.250000000Z');
    // Repeated at the autumn change: the earlier (summer-time) reading.
    assert.equal(parse('2024-10-27 02:30:00', berlin2024), '2024-10-27T00:30:00.000000000Z');
  });

  test('anything else is a usage error naming the flag and the forms', () => {
    for (const text of [
      '', 'yesterday', '2024-05-01', '2024-05-01T10:00:00', '2024-05-01 10:00', '2024-02-30T10:00:00Z', '2023-02-29 10:00:00',
      '2024-05-01T24:00:00Z', '2024-05-01T10:60:00Z', '2024-05-01T10:00:60Z', '2024-05-01T10:00:00+24:00', '1714557600',
      '2024-05-01T10:00:00.1234567890Z', '9999-12-31T23:59:59-01:00', ' 2024-05-01T10:00:00Z',
    ]) {
      assert.throws(() => parseTimeFlag(text, '--time', utcOffset),
        (e: unknown) => e instanceof UsageError && e.message.startsWith('--time: ') && /RFC 3339/.test(e.message), text);
    }
  });
});
