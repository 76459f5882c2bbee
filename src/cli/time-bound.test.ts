import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseTimeBound } from './time-bound.js';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const ns = (ms: number) => BigInt(ms) * 1_000_000n;

test('dates with a zone name that instant, to the nanosecond', () => {
  assert.equal(parseTimeBound('2024-05-01T14:30:05Z', '--newer', NOW), ns(Date.UTC(2024, 4, 1, 14, 30, 5)));
  assert.equal(parseTimeBound('2024-05-01T14:30:05.123456789Z', '--newer', NOW), ns(Date.UTC(2024, 4, 1, 14, 30, 5)) + 123_456_789n);
  assert.equal(parseTimeBound('2024-05-01T14:30+02:00', '--newer', NOW), ns(Date.UTC(2024, 4, 1, 12, 30)));
  assert.equal(parseTimeBound('2024-05-01 14:30:00-0130', '--newer', NOW), ns(Date.UTC(2024, 4, 1, 16, 0)));
});

test('dates without a zone are local time', () => {
  assert.equal(parseTimeBound('2024-05-01', '--older', NOW), ns(new Date(2024, 4, 1).getTime()));
  assert.equal(parseTimeBound('2024-05-01T08:15', '--older', NOW), ns(new Date(2024, 4, 1, 8, 15).getTime()));
});

test('durations count back from now', () => {
  assert.equal(parseTimeBound('12h', '--newer', NOW), ns(NOW - 12 * 3600_000));
  assert.equal(parseTimeBound('3d', '--newer', NOW), ns(NOW - 3 * 86_400_000));
  assert.equal(parseTimeBound('2w', '--newer', NOW), ns(NOW - 14 * 86_400_000));
});

test('anything else is a usage error naming the flag', () => {
  for (const bad of ['yesterday', '2024-02-30', '2024-13-01', '2024-05-01T25:00Z', '3m', '', '2024-5-1']) {
    assert.throws(() => parseTimeBound(bad, '--newer', NOW), (e: Error & { code?: string }) => e.code === 'USAGE' && e.message.startsWith('--newer'), bad);
  }
});
