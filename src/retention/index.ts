/** Retention: which snapshots a policy keeps, and why (docs/retention.md). Pure; no I/O. */
export {
  fixedOffset, formatLocal, formatOffset, localTime, processOffset, utcOffset, wallOf, wallToUtc, type UtcOffset,
} from './calendar.js';
export { formatRetentionDuration, parseRetentionDuration, type RetentionDuration } from './duration.js';
export { CLOCK_SKEW_ALLOWANCE_NS, effectiveTime, type EffectiveTime } from './effective-time.js';
export { DEFAULT_GROUP_BY, GROUP_FIELDS, groupOf, parseGroupBy, type GroupField, type GroupKey } from './group.js';
export {
  applyPolicy, describeReason, isEmptyPolicy, nsToMs, withinCutoff,
  type KeepReason, type PeriodRule, type RetentionItem, type RetentionPolicy,
} from './policy.js';
export {
  planForget, type ForgetAction, type ForgetCandidate, type ForgetOptions, type PlannedGroup, type PlannedSnapshot,
} from './plan.js';
