/**
 * Table tests of the retention rules with fixed clocks and explicit zones
 * (docs/retention.md). Each case lists snapshots as `id@time` and the
 * reasons expected for each id, so a case reads like the documentation.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fixedOffset, utcOffset, type UtcOffset } from './calendar.js';
import { parseRetentionDuration } from './duration.js';
import { applyPolicy, describeReason, isEmptyPolicy, nsToMs, type RetentionItem, type RetentionPolicy } from './policy.js';
import { berlin2024, ns } from './testing.js';

interface Case {
  readonly name: string;
  /** `id time [tags]`: time in ISO 8601 with a zone; tags comma-separated. */
  readonly snapshots: readonly string[];
  readonly policy: RetentionPolicy;
  readonly zone?: UtcOffset;
  /** Reasons (as describeReason prints them, joined by `; `) by id; ids not listed must be removed. */
  readonly expect: Readonly<Record<string, string>>;
}

function items(lines: readonly string[]): RetentionItem[] {
  return lines.map((line) => {
    const [id, time, tags] = line.split(' ') as [string, string, string | undefined];
    return { id, time: ns(time), tags: tags ? tags.split(',') : [] };
  });
}

function run(c: Pick<Case, 'snapshots' | 'policy' | 'zone'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, reasons] of applyPolicy(items(c.snapshots), c.policy, c.zone ?? utcOffset)) {
    if (reasons.length > 0) out[id] = reasons.map(describeReason).join('; ');
  }
  return out;
}

const within = parseRetentionDuration;

const CASES: readonly Case[] = [
  {
    name: 'keep-last keeps the N newest, ranked',
    snapshots: ['a 2024-01-01T10:00:00Z', 'b 2024-01-02T10:00:00Z', 'c 2024-01-03T10:00:00Z', 'd 2024-01-04T10:00:00Z'],
    policy: { last: 2 },
    expect: { d: 'last 1', c: 'last 2' },
  },
  {
    name: 'more keep rules than snapshots keeps them all',
    snapshots: ['a 2024-01-01T10:00:00Z', 'b 2024-01-02T10:00:00Z'],
    policy: { last: 10, daily: 10 },
    expect: { b: 'last 1; daily 2024-01-02', a: 'last 2; daily 2024-01-01' },
  },
  {
    name: 'equal timestamps: the larger id counts as newer, whatever the input order',
    snapshots: ['bb 2024-01-01T10:00:00Z', 'aa 2024-01-01T10:00:00Z', 'cc 2024-01-01T10:00:00Z'],
    policy: { last: 1, daily: 2 },
    expect: { cc: 'last 1; daily 2024-01-01', aa: 'daily 2024-01-01 (oldest)' },
  },
  {
    name: 'daily: newest of each day; days without snapshots do not count',
    snapshots: [
      'a 2024-01-01T08:00:00Z', 'b 2024-01-01T20:00:00Z', 'c 2024-01-02T09:00:00Z',
      'd 2024-01-05T09:00:00Z', 'e 2024-01-05T23:59:59Z', 'f 2024-01-09T00:00:00Z',
    ],
    policy: { daily: 3 },
    expect: { f: 'daily 2024-01-09', e: 'daily 2024-01-05', c: 'daily 2024-01-02' },
  },
  {
    name: 'fewer periods than N: the oldest snapshot is kept as well',
    snapshots: ['a 2024-01-01T08:00:00Z', 'b 2024-01-01T20:00:00Z', 'c 2024-01-02T09:00:00Z', 'd 2024-01-02T10:00:00Z'],
    policy: { daily: 7 },
    expect: { d: 'daily 2024-01-02', b: 'daily 2024-01-01', a: 'daily 2024-01-01 (oldest)' },
  },
  {
    name: 'N = 0 switches a rule off',
    snapshots: ['a 2024-01-01T08:00:00Z', 'b 2024-01-02T08:00:00Z'],
    policy: { last: 1, daily: 0, monthly: 0 },
    expect: { b: 'last 1' },
  },
  {
    name: 'unlimited (Infinity) keeps every period, and the oldest',
    snapshots: ['a 2024-01-01T08:00:00Z', 'b 2024-01-01T09:00:00Z', 'c 2024-02-11T08:00:00Z', 'd 2025-07-01T08:00:00Z'],
    policy: { monthly: Infinity },
    expect: { d: 'monthly 2025-07', c: 'monthly 2024-02', b: 'monthly 2024-01', a: 'monthly 2024-01 (oldest)' },
  },
  {
    name: 'weekly uses ISO weeks: Monday 30 December 2024 is in 2025-W01',
    snapshots: ['a 2024-12-28T12:00:00Z', 'b 2024-12-29T12:00:00Z', 'c 2024-12-30T12:00:00Z', 'd 2025-01-05T12:00:00Z'],
    policy: { weekly: 2 },
    expect: { d: 'weekly 2025-W01', b: 'weekly 2024-W52' },
  },
  {
    name: 'monthly and yearly, with reasons combined in rule order',
    snapshots: ['a 2022-06-01T00:00:00Z', 'b 2023-03-10T00:00:00Z', 'c 2023-12-31T00:00:00Z', 'd 2024-01-15T00:00:00Z', 'e 2024-01-20T00:00:00Z'],
    policy: { last: 1, monthly: 2, yearly: 3 },
    expect: { e: 'last 1; monthly 2024-01; yearly 2024', c: 'monthly 2023-12; yearly 2023', a: 'yearly 2022' },
  },
  {
    name: 'time zones: the same instants fall on other days east of UTC',
    snapshots: ['a 2024-01-01T22:30:00Z', 'b 2024-01-01T23:30:00Z'],
    policy: { daily: 2 },
    zone: fixedOffset(60),
    expect: { b: 'daily 2024-01-02', a: 'daily 2024-01-01' },
  },
  {
    name: 'time zones: in UTC the same two instants share a day',
    snapshots: ['a 2024-01-01T22:30:00Z', 'b 2024-01-01T23:30:00Z'],
    policy: { daily: 2 },
    expect: { b: 'daily 2024-01-01', a: 'daily 2024-01-01 (oldest)' },
  },
  {
    name: 'time zones: New Year west of UTC',
    snapshots: ['a 2023-12-31T12:00:00Z', 'b 2024-01-01T03:00:00Z'],
    policy: { yearly: 1 },
    zone: fixedOffset(-300),
    expect: { b: 'yearly 2023' },
  },
  {
    name: 'DST: the repeated hour (02:00-03:00 on 27 October) is two hourly periods',
    snapshots: ['a 2024-10-27T00:10:00Z', 'b 2024-10-27T00:50:00Z', 'c 2024-10-27T01:10:00Z', 'd 2024-10-27T01:50:00Z'],
    policy: { hourly: 2 },
    zone: berlin2024,
    expect: { d: 'hourly 2024-10-27 02:00+01:00', b: 'hourly 2024-10-27 02:00+02:00' },
  },
  {
    name: 'DST: the 23-hour day of 31 March is one daily period',
    snapshots: ['a 2024-03-30T22:59:00Z', 'b 2024-03-30T23:00:00Z', 'c 2024-03-31T21:59:00Z', 'd 2024-03-31T22:00:00Z'],
    policy: { daily: 3 },
    zone: berlin2024,
    expect: { d: 'daily 2024-04-01', c: 'daily 2024-03-31', a: 'daily 2024-03-30' },
  },
  {
    name: 'DST: the 25-hour day of 27 October is one daily period',
    snapshots: ['a 2024-10-26T21:59:00Z', 'b 2024-10-26T22:00:00Z', 'c 2024-10-27T22:59:00Z', 'd 2024-10-27T23:00:00Z'],
    policy: { daily: 3 },
    zone: berlin2024,
    expect: { d: 'daily 2024-10-28', c: 'daily 2024-10-27', a: 'daily 2024-10-26' },
  },
  {
    name: 'within: relative to the newest snapshot, boundary included',
    snapshots: ['a 2024-01-09T23:59:59.999999999Z', 'b 2024-01-10T00:00:00Z', 'c 2024-01-10T12:00:00Z', 'd 2024-01-11T00:00:00Z'],
    policy: { within: within('1d') },
    expect: { d: 'within 1d', c: 'within 1d', b: 'within 1d' },
  },
  {
    name: 'within: a month before 31 March is 29 February (clamped)',
    snapshots: ['a 2024-02-29T11:59:59Z', 'b 2024-02-29T12:00:00Z', 'c 2024-03-31T12:00:00Z'],
    policy: { within: within('1m') },
    expect: { c: 'within 1m', b: 'within 1m' },
  },
  {
    name: 'within: a local day across the spring DST change is 23 hours',
    snapshots: ['a 2024-03-30T10:59:59Z', 'b 2024-03-30T11:00:00Z', 'c 2024-03-31T10:00:00Z'],
    policy: { within: within('1d') },
    zone: berlin2024,
    expect: { c: 'within 1d', b: 'within 1d' },
  },
  {
    name: 'within: hours are exact, whatever the zone',
    snapshots: ['a 2024-03-30T09:59:59Z', 'b 2024-03-30T10:00:00Z', 'c 2024-03-31T10:00:00Z'],
    policy: { within: within('24h') },
    zone: berlin2024,
    expect: { c: 'within 24h', b: 'within 24h' },
  },
  {
    name: 'within: calendar part first, then hours',
    snapshots: ['a 2023-01-29T21:59:59Z', 'b 2023-01-29T22:00:00Z', 'c 2024-03-31T12:00:00Z'],
    policy: { within: within('1y2m1d14h') },
    expect: { c: 'within 1y2m1d14h', b: 'within 1y2m1d14h' },
  },
  {
    name: 'keep-tag: every tag of one list',
    snapshots: ['a 2024-01-01T00:00:00Z keep', 'b 2024-01-02T00:00:00Z monthly,db', 'c 2024-01-03T00:00:00Z db', 'd 2024-01-04T00:00:00Z'],
    policy: { tags: [['keep'], ['monthly', 'db']] },
    expect: { a: 'tag keep', b: 'tag monthly,db' },
  },
  {
    name: 'an empty group keeps nothing and fails nothing',
    snapshots: [],
    policy: { last: 3, daily: 7, within: within('1y') },
    expect: {},
  },
  {
    name: 'times before 1970 fall in the right day',
    snapshots: ['a 1969-12-31T23:59:59.999999999Z', 'b 1970-01-01T00:00:00Z'],
    policy: { daily: 2 },
    expect: { b: 'daily 1970-01-01', a: 'daily 1969-12-31' },
  },
];

describe('retention policy', () => {
  for (const c of CASES) {
    test(c.name, () => {
      assert.deepEqual(run(c), c.expect);
    });
  }

  test('the result does not depend on the input order', () => {
    for (const c of CASES) {
      assert.deepEqual(run({ ...c, snapshots: [...c.snapshots].reverse() }), c.expect, c.name);
    }
  });

  test('every item gets an entry, kept or not', () => {
    const result = applyPolicy(items(['a 2024-01-01T00:00:00Z', 'b 2024-01-02T00:00:00Z']), { last: 1 }, utcOffset);
    assert.deepEqual([...result.keys()].sort(), ['a', 'b']);
    assert.deepEqual(result.get('a'), []);
  });

  test('empty policies: no rule, or every count 0', () => {
    assert.equal(isEmptyPolicy({}), true);
    assert.equal(isEmptyPolicy({ last: 0, daily: 0, yearly: 0, tags: [] }), true);
    assert.equal(isEmptyPolicy({ weekly: 1 }), false);
    assert.equal(isEmptyPolicy({ within: within('0h') }), false);
    assert.equal(isEmptyPolicy({ tags: [['x']] }), false);
    assert.equal(isEmptyPolicy({ hourly: Infinity }), false);
  });

  test('nanoseconds to milliseconds floors', () => {
    assert.equal(nsToMs(1_999_999n), 1);
    assert.equal(nsToMs(-1n), -1);
    assert.equal(nsToMs(-1_000_000n), -1);
    assert.equal(nsToMs(-1_000_001n), -2);
  });
});
