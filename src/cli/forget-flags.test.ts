import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../errors.js';
import { groupByOf, parseKeepCount, policyOf } from './forget-flags.js';

test('keep counts: whole numbers, -1 and "unlimited"; nothing else', () => {
  assert.equal(parseKeepCount('7', '--keep-daily'), 7);
  assert.equal(parseKeepCount('0', '--keep-daily'), 0);
  assert.equal(parseKeepCount('-1', '--keep-daily'), Infinity);
  assert.equal(parseKeepCount('unlimited', '--keep-daily'), Infinity);
  for (const text of ['', '-2', '1.5', '1e3', ' 3', 'all', '0x10']) {
    assert.throws(() => parseKeepCount(text, '--keep-daily'), (e: unknown) => e instanceof UsageError && /--keep-daily/.test(e.message), text);
  }
});

test('the flags make a policy; none make none; only zeros are refused', () => {
  assert.equal(policyOf({}), undefined);
  assert.deepEqual(policyOf({ keepLast: '3', keepMonthly: 'unlimited', keepWithin: '1y2m', keepTag: ['a,b', 'c'] }), {
    last: 3, monthly: Infinity, within: { years: 1, months: 2, days: 0, hours: 0 }, tags: [['a', 'b'], ['c']],
  });
  assert.deepEqual(policyOf({ keepDaily: '0', keepTag: ['x'] }), { daily: 0, tags: [['x']] });
  assert.throws(() => policyOf({ keepDaily: '0', keepYearly: '0' }), /every --keep-\* rule is 0/);
  assert.throws(() => policyOf({ keepTag: [','] }), /--keep-tag: "," names no tag/);
  assert.deepEqual(groupByOf({}), ['host', 'paths']);
  assert.deepEqual(groupByOf({ groupBy: 'tags,host' }), ['host', 'tags']);
});
