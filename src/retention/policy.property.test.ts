/** Properties of the retention rules over random snapshot sets, policies and zones (fast-check). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fixedOffset, type UtcOffset } from './calendar.js';
import { applyPolicy, newestFirst, type RetentionItem, type RetentionPolicy } from './policy.js';
import { berlin2024 } from './testing.js';

const HOUR_NS = 3_600_000_000_000n;
/** 2023-06-01T00:00:00Z, and times within about two years of it (crossing both 2024 DST changes). */
const BASE = 1_685_577_600_000_000_000n;

const items = fc.uniqueArray(
  fc.record({
    id: fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16).padStart(4, '0')),
    // Hours plus a few discrete minutes, so equal times and same-period neighbours are common.
    time: fc.tuple(fc.integer({ min: 0, max: 17_000 }), fc.constantFrom(0n, 1n, 30n * 60_000_000_000n))
      .map(([h, extra]) => BASE + BigInt(h) * HOUR_NS + extra),
    tags: fc.subarray(['a', 'b']),
  }),
  { selector: (i) => i.id, maxLength: 40 },
);
const count = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 6 }), fc.constant(Infinity));
const policies = fc.record({
  last: count, hourly: count, daily: count, weekly: count, monthly: count, yearly: count,
}, { requiredKeys: [] });
const zones: fc.Arbitrary<UtcOffset> = fc.oneof(
  fc.constant(berlin2024), fc.integer({ min: -12 * 60, max: 14 * 60 }).map((m) => fixedOffset(m)),
);

const kept = (list: readonly RetentionItem[], policy: RetentionPolicy, zone: UtcOffset) =>
  new Set([...applyPolicy(list, policy, zone)].filter(([, reasons]) => reasons.length > 0).map(([id]) => id));

test('the newest snapshot is kept by any count rule above 0', () => {
  fc.assert(fc.property(items, policies, zones, (list, policy, zone) => {
    fc.pre(list.length > 0 && Object.values(policy).some((n) => n > 0));
    const newest = [...list].sort(newestFirst)[0]!;
    assert.ok(kept(list, policy, zone).has(newest.id));
  }), { numRuns: 300 });
});

test('raising a count never removes more; the input order never matters', () => {
  fc.assert(fc.property(items, policies, zones, fc.constantFrom('last', 'hourly', 'daily', 'weekly', 'monthly', 'yearly'),
    (list, policy, zone, rule) => {
      const base = kept(list, policy, zone);
      const more = kept(list, { ...policy, [rule]: (policy[rule as keyof typeof policy] ?? 0) + 1 }, zone);
      for (const id of base) assert.ok(more.has(id), `${id} kept with fewer ${rule}`);
      assert.deepEqual(kept([...list].reverse(), policy, zone), base);
    }), { numRuns: 300 });
});

test('a period rule with count N keeps at most N + 1 snapshots (N periods and the oldest)', () => {
  fc.assert(fc.property(items, fc.integer({ min: 1, max: 6 }), zones, fc.constantFrom('hourly', 'daily', 'weekly', 'monthly', 'yearly'),
    (list, n, zone, rule) => {
      assert.ok(kept(list, { [rule]: n }, zone).size <= n + 1);
    }), { numRuns: 300 });
});
