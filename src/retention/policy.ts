/**
 * The retention policy, pure: (snapshots of one group, rules, time zone) ->
 * which to keep and why. docs/retention.md is the specification this
 * follows; the CLI and the tests share it.
 *
 * Snapshots are ordered newest first by time, equal times by id (the larger
 * id counts as newer, as for `latest`). A period rule keeps the newest
 * snapshot of each of the N most recent local calendar periods that hold a
 * snapshot; if fewer than N such periods exist, it also keeps the group's
 * oldest snapshot, so the start of the history survives.
 */
import {
  formatOffset, isoWeek, localTime, MS_PER_HOUR, pad, subtractCalendar, type LocalTime, type UtcOffset,
} from './calendar.js';
import { formatRetentionDuration, type RetentionDuration } from './duration.js';

/** Counts: 0 or absent switches a rule off; Infinity keeps every period. */
export interface RetentionPolicy {
  readonly last?: number;
  readonly hourly?: number;
  readonly daily?: number;
  readonly weekly?: number;
  readonly monthly?: number;
  readonly yearly?: number;
  /** Keep everything this close to the group's newest snapshot. */
  readonly within?: RetentionDuration;
  /** Keep a snapshot that carries every tag of at least one of these lists. */
  readonly tags?: readonly (readonly string[])[];
}

export interface RetentionItem {
  readonly id: string;
  /** The time retention counts it at, nanoseconds since the epoch. */
  readonly time: bigint;
  readonly tags: readonly string[];
}

export type PeriodRule = 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';

export type KeepReason =
  | { readonly rule: 'last'; readonly rank: number }
  | { readonly rule: PeriodRule; readonly period: string; readonly oldest?: true }
  | { readonly rule: 'within'; readonly duration: string }
  | { readonly rule: 'tag'; readonly tags: readonly string[] };

interface Period {
  /** Equal keys mean the same period. */
  key(local: LocalTime): string;
  /** How the period is shown. */
  label(local: LocalTime): string;
}

const day = (t: LocalTime) => `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}`;

const PERIODS: Record<PeriodRule, Period> = {
  // A local clock hour. The hour that repeats when clocks go back is two periods (the offset tells them apart).
  hourly: {
    key: (t) => `${Math.floor(t.wallMs / MS_PER_HOUR)}${formatOffset(t.offset)}`,
    label: (t) => `${day(t)} ${pad(t.hour)}:00${formatOffset(t.offset)}`,
  },
  daily: { key: (t) => String(t.dayNumber), label: day },
  weekly: {
    key: (t) => JSON.stringify(isoWeek(t.dayNumber)),
    label: (t) => { const w = isoWeek(t.dayNumber); return `${pad(w.year, 4)}-W${pad(w.week)}`; },
  },
  monthly: { key: (t) => `${t.year}-${t.month}`, label: (t) => `${pad(t.year, 4)}-${pad(t.month)}` },
  yearly: { key: (t) => String(t.year), label: (t) => pad(t.year, 4) },
};

const PERIOD_RULES: readonly PeriodRule[] = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'];

/** True if the policy keeps nothing by any rule (every count 0 or absent, no within, no tags). */
export function isEmptyPolicy(policy: RetentionPolicy): boolean {
  return !(policy.last || PERIOD_RULES.some((rule) => policy[rule]) || policy.within || policy.tags?.length);
}

/** Newest first: later time first, then the larger id. */
export function newestFirst(a: RetentionItem, b: RetentionItem): number {
  if (a.time !== b.time) return a.time > b.time ? -1 : 1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * Applies `policy` to one group. Returns, for every item, the reasons it is
 * kept, in rule order (last, hourly … yearly, within, tag); an empty list
 * means no rule keeps it.
 */
export function applyPolicy(items: readonly RetentionItem[], policy: RetentionPolicy, offset: UtcOffset): Map<string, KeepReason[]> {
  const sorted = [...items].sort(newestFirst);
  const reasons = new Map<string, KeepReason[]>(sorted.map((item) => [item.id, []]));
  const keep = (item: RetentionItem, reason: KeepReason) => reasons.get(item.id)!.push(reason);
  const locals = new Map(sorted.map((item) => [item.id, localTime(nsToMs(item.time), offset)]));

  sorted.slice(0, count(policy.last)).forEach((item, i) => keep(item, { rule: 'last', rank: i + 1 }));

  for (const rule of PERIOD_RULES) {
    let remaining = count(policy[rule]);
    if (remaining === 0) continue;
    const period = PERIODS[rule];
    let lastKey: string | undefined;
    for (const item of sorted) {
      if (remaining === 0) break;
      const key = period.key(locals.get(item.id)!);
      if (key === lastKey) continue;
      lastKey = key;
      remaining -= 1;
      keep(item, { rule, period: period.label(locals.get(item.id)!) });
    }
    const oldest = sorted[sorted.length - 1];
    if (remaining > 0 && oldest && !reasons.get(oldest.id)!.some((r) => r.rule === rule)) {
      keep(oldest, { rule, period: period.label(locals.get(oldest.id)!), oldest: true });
    }
  }

  const newest = sorted[0];
  if (policy.within && newest) {
    const cutoff = withinCutoff(newest.time, policy.within, offset);
    const duration = formatRetentionDuration(policy.within);
    for (const item of sorted) if (item.time >= cutoff) keep(item, { rule: 'within', duration });
  }

  for (const tags of policy.tags ?? []) {
    for (const item of sorted) if (tags.every((tag) => item.tags.includes(tag))) keep(item, { rule: 'tag', tags });
  }
  return reasons;
}

/**
 * The earliest time `within` keeps: the newest time moved back by the
 * calendar part (local calendar, clock time kept) and then by the hours.
 */
export function withinCutoff(newestNs: bigint, within: RetentionDuration, offset: UtcOffset): bigint {
  const ms = nsToMs(newestNs);
  const subMs = newestNs - BigInt(ms) * 1_000_000n;
  const calendar = subtractCalendar(ms, within.years, within.months, within.days, offset);
  return BigInt(calendar - within.hours * MS_PER_HOUR) * 1_000_000n + subMs;
}

/** A reason as people read it: `last 2`, `daily 2024-03-05`, `monthly 2024-03 (oldest)`, `within 30d`, `tag a,b`. */
export function describeReason(reason: KeepReason): string {
  switch (reason.rule) {
    case 'last': return `last ${reason.rank}`;
    case 'within': return `within ${reason.duration}`;
    case 'tag': return `tag ${reason.tags.join(',')}`;
    default: return `${reason.rule} ${reason.period}${reason.oldest ? ' (oldest)' : ''}`;
  }
}

function count(n: number | undefined): number {
  return n === undefined || n <= 0 ? 0 : n;
}

/** Floor division, so times before 1970 fall in the right millisecond. */
export function nsToMs(ns: bigint): number {
  const ms = ns / 1_000_000n;
  return Number(ns < 0n && ms * 1_000_000n !== ns ? ms - 1n : ms);
}
