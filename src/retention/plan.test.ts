/**
 * Forget plans: grouping (always by signer), unverified snapshots, and
 * snapshot times checked against storage times (docs/retention.md).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { UsageError } from '../errors.js';
import { utcOffset } from './calendar.js';
import { CLOCK_SKEW_ALLOWANCE_NS, effectiveTime } from './effective-time.js';
import { DEFAULT_GROUP_BY, parseGroupBy } from './group.js';
import { planForget, type ForgetCandidate, type ForgetOptions, type PlannedGroup } from './plan.js';
import { describeReason } from './policy.js';
import { ns } from './testing.js';

const ALICE = 'a1'.repeat(32);
const MALLORY = 'bb'.repeat(32);

function snap(id: string, time: string, more: Partial<ForgetCandidate> = {}): ForgetCandidate {
  return {
    id, claimedTime: ns(time), storedTime: more.storedTime ?? ns(time), hostname: 'laptop', paths: ['/home'], tags: [],
    signer: ALICE, verified: true, ...more,
  };
}

function plan(candidates: ForgetCandidate[], options: Partial<ForgetOptions> = {}): PlannedGroup[] {
  return planForget(candidates, { policy: { last: 1 }, groupBy: DEFAULT_GROUP_BY, includeUnverified: false, offset: utcOffset, ...options });
}

/** `id:action` per group, newest first. */
function actions(groups: PlannedGroup[]): string[][] {
  return groups.map((g) => g.snapshots.map((s) => `${s.candidate.id}:${s.action}`));
}

describe('forget plan', () => {
  test('groups by host and paths by default; path order does not matter', () => {
    const groups = plan([
      snap('a', '2024-01-01T00:00:00Z', { paths: ['/home', '/etc'] }),
      snap('b', '2024-01-02T00:00:00Z', { paths: ['/etc', '/home'] }),
      snap('c', '2024-01-03T00:00:00Z', { hostname: 'server' }),
      snap('d', '2024-01-04T00:00:00Z', { tags: ['x'] }),
    ]);
    assert.deepEqual(actions(groups), [['b:keep', 'a:remove'], ['d:keep'], ['c:keep']]);
    assert.deepEqual(groups[0]!.group, { signer: ALICE, verified: true, host: 'laptop', paths: ['/etc', '/home'] });
  });

  test('--group-by tags splits by tag set; empty --group-by still splits by signer', () => {
    const candidates = [
      snap('a', '2024-01-01T00:00:00Z', { tags: ['x', 'y'] }),
      snap('b', '2024-01-02T00:00:00Z', { tags: ['y', 'x'], hostname: 'other' }),
      snap('c', '2024-01-03T00:00:00Z'),
      snap('d', '2024-01-04T00:00:00Z', { signer: MALLORY }),
    ];
    assert.deepEqual(actions(plan(candidates, { groupBy: parseGroupBy('tags') })), [['b:keep', 'a:remove'], ['c:keep'], ['d:keep']]);
    assert.deepEqual(actions(plan(candidates, { groupBy: parseGroupBy('') })), [['c:keep', 'b:remove', 'a:remove'], ['d:keep']]);
  });

  test('another signer never counts against alice: her newest survives keep-last 1', () => {
    const groups = plan([
      snap('a', '2024-01-01T00:00:00Z'),
      snap('m1', '2024-01-02T00:00:00Z', { signer: MALLORY }),
      snap('m2', '2024-01-03T00:00:00Z', { signer: MALLORY }),
    ], { groupBy: [] });
    assert.deepEqual(actions(groups), [['a:keep'], ['m2:keep', 'm1:remove']]);
  });

  test('unverified snapshots are left alone and do not count', () => {
    const candidates = [
      snap('a', '2024-01-01T00:00:00Z'),
      snap('f', '2024-06-01T00:00:00Z', { verified: false }),
      snap('g', '2024-06-02T00:00:00Z', { verified: false }),
    ];
    assert.deepEqual(actions(plan(candidates)), [['a:keep'], ['g:leave', 'f:leave']]);
    // With --allow-unverified they get the policy, in their own group: a verified snapshot is never displaced.
    assert.deepEqual(actions(plan(candidates, { includeUnverified: true })), [['a:keep'], ['g:keep', 'f:remove']]);
    // Same claimed signer, broken signature: still a separate group.
    const forged = plan([snap('a', '2024-01-01T00:00:00Z'), snap('f', '2024-06-01T00:00:00Z', { verified: false, signer: ALICE })],
      { includeUnverified: true });
    assert.deepEqual(actions(forged), [['a:keep'], ['f:keep']]);
  });

  test('a snapshot dated after its storage time (beyond the allowance) counts at its storage time', () => {
    // Alice backs up daily; a compromised writer with her key stores five snapshots on 10 January claiming later days.
    const genuine = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10'].map((d) => snap(`g${d}`, `2024-01-${d}T12:00:00Z`));
    const forged = ['20', '21', '22', '23', '24'].map((d) =>
      snap(`f${d}`, `2024-01-${d}T12:00:00Z`, { storedTime: ns(`2024-01-10T13:00:00.0000000${d}Z`) }));
    const [group] = plan([...genuine, ...forged], { policy: { daily: 7 } });
    const kept = group!.snapshots.filter((s) => s.action === 'keep').map((s) => s.candidate.id);
    // All forged snapshots count on 10 January: one daily period, not five; six genuine days survive besides it.
    assert.deepEqual(kept, ['f24', 'g09', 'g08', 'g07', 'g06', 'g05', 'g04']);
    const f20 = group!.snapshots.find((s) => s.candidate.id === 'f20')!;
    assert.deepEqual(f20.effective, { time: ns('2024-01-10T13:00:00.000000020Z'), capped: true });
  });

  test('without the storage check the same forgery would have removed six genuine days', () => {
    const genuine = ['04', '05', '06', '07', '08', '09', '10'].map((d) => snap(`g${d}`, `2024-01-${d}T12:00:00Z`));
    const forged = ['20', '21', '22', '23', '24', '25'].map((d) => snap(`f${d}`, `2024-01-${d}T12:00:00Z`));
    const [group] = plan([...genuine, ...forged], { policy: { daily: 7 } });
    assert.equal(group!.snapshots.filter((s) => s.action === 'keep' && s.candidate.id.startsWith('g')).length, 1);
  });

  test('keep-within is measured from the newest effective time, so a future-dated snapshot cannot shrink it', () => {
    const [group] = plan([
      snap('old', '2024-01-01T12:00:00Z'),
      snap('new', '2024-01-05T12:00:00Z'),
      snap('liar', '2030-01-01T00:00:00Z', { storedTime: ns('2024-01-05T13:00:00Z') }),
    ], { policy: { within: { years: 0, months: 0, days: 7, hours: 0 } } });
    assert.deepEqual(group!.snapshots.map((s) => `${s.candidate.id}:${s.action}:${s.reasons.map(describeReason).join()}`),
      ['liar:keep:within 7d', 'new:keep:within 7d', 'old:keep:within 7d']);
  });

  test('imports: a claimed time long before the storage time counts as claimed', () => {
    const [group] = plan([
      snap('y2019', '2019-05-01T00:00:00Z', { storedTime: ns('2024-06-01T00:00:00Z') }),
      snap('y2020', '2020-05-01T00:00:00Z', { storedTime: ns('2024-06-01T00:00:01Z') }),
      snap('now', '2024-06-01T01:00:00Z'),
    ], { policy: { yearly: 10 } });
    assert.deepEqual(group!.snapshots.map((s) => `${s.candidate.id}:${s.reasons.map(describeReason).join()}`),
      ['now:yearly 2024', 'y2020:yearly 2020', 'y2019:yearly 2019']);
    assert.equal(group!.snapshots.some((s) => s.effective.capped), false);
  });

  test('the allowance boundary: exactly the allowance is accepted, one nanosecond more is not', () => {
    const stored = ns('2024-01-01T00:00:00Z');
    assert.deepEqual(effectiveTime(stored + CLOCK_SKEW_ALLOWANCE_NS, stored), { time: stored + CLOCK_SKEW_ALLOWANCE_NS, capped: false });
    assert.deepEqual(effectiveTime(stored + CLOCK_SKEW_ALLOWANCE_NS + 1n, stored), { time: stored, capped: true });
    assert.equal(CLOCK_SKEW_ALLOWANCE_NS, 3_600_000_000_000n, 'one hour, as docs/retention.md says');
  });

  test('--group-by rejects unknown fields', () => {
    assert.deepEqual(parseGroupBy('paths, host'), ['host', 'paths']);
    assert.throws(() => parseGroupBy('host,signer'), UsageError);
    assert.throws(() => parseGroupBy('hosts'), UsageError);
  });
});
