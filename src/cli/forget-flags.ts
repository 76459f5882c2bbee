/** The `forget` flags turned into a retention policy and grouping (docs/retention.md). */
import { UsageError } from '../errors.js';
import {
  DEFAULT_GROUP_BY, isEmptyPolicy, parseGroupBy, parseRetentionDuration, type GroupField, type RetentionPolicy,
} from '../retention/index.js';

export interface ForgetFlags {
  keepLast?: string;
  keepHourly?: string;
  keepDaily?: string;
  keepWeekly?: string;
  keepMonthly?: string;
  keepYearly?: string;
  keepWithin?: string;
  keepTag?: string[];
  groupBy?: string;
  dryRun?: boolean;
  allowUnverified?: boolean;
}

const COUNT_FLAGS = [
  ['last', 'keepLast', '--keep-last'], ['hourly', 'keepHourly', '--keep-hourly'], ['daily', 'keepDaily', '--keep-daily'],
  ['weekly', 'keepWeekly', '--keep-weekly'], ['monthly', 'keepMonthly', '--keep-monthly'], ['yearly', 'keepYearly', '--keep-yearly'],
] as const;

/** A count: a whole number, or `-1` / `unlimited` for no limit. */
export function parseKeepCount(text: string, flag: string): number {
  if (text === 'unlimited' || text === '-1') return Infinity;
  if (!/^\d{1,9}$/.test(text)) throw new UsageError(`${flag}: "${text}" is not a count (a whole number, or -1 or "unlimited" for no limit)`);
  return Number(text);
}

/** The policy the flags describe, or undefined when no --keep-* flag was given. */
export function policyOf(flags: ForgetFlags): RetentionPolicy | undefined {
  const policy: { -readonly [K in keyof RetentionPolicy]: RetentionPolicy[K] } = {};
  let given = false;
  for (const [rule, key, flag] of COUNT_FLAGS) {
    const text = flags[key];
    if (text === undefined) continue;
    given = true;
    policy[rule] = parseKeepCount(text, flag);
  }
  if (flags.keepWithin !== undefined) {
    given = true;
    policy.within = parseRetentionDuration(flags.keepWithin);
  }
  if (flags.keepTag?.length) {
    given = true;
    policy.tags = flags.keepTag.map((list) => {
      const tags = list.split(',').filter((t) => t !== '');
      if (tags.length === 0) throw new UsageError(`--keep-tag: "${list}" names no tag`);
      return tags;
    });
  }
  if (!given) return undefined;
  if (isEmptyPolicy(policy)) {
    throw new UsageError('forget: every --keep-* rule is 0, so this policy would remove every snapshot; name the snapshots to remove by id instead');
  }
  return policy;
}

export function groupByOf(flags: ForgetFlags): readonly GroupField[] {
  return flags.groupBy === undefined ? DEFAULT_GROUP_BY : parseGroupBy(flags.groupBy);
}
