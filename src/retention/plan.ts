/**
 * A forget plan, pure: snapshots with their claimed and storage times in,
 * per group the decision for each (keep with reasons, remove, or leave
 * alone) out. The CLI lists, stats and removes; everything it decides is
 * decided here.
 */
import type { UtcOffset } from './calendar.js';
import { effectiveTime, type EffectiveTime } from './effective-time.js';
import { groupId, groupOf, type GroupableSnapshot, type GroupField, type GroupKey } from './group.js';
import { applyPolicy, newestFirst, type KeepReason, type RetentionPolicy } from './policy.js';

export interface ForgetCandidate extends GroupableSnapshot {
  readonly id: string;
  /** The snapshot's own `time`, nanoseconds. */
  readonly claimedTime: bigint;
  /** When storage says the snapshot object was stored, nanoseconds. */
  readonly storedTime: bigint;
}

export interface ForgetOptions {
  readonly policy: RetentionPolicy;
  readonly groupBy: readonly GroupField[];
  /** Apply the policy to unverified snapshots too (in their own groups); otherwise they are left alone. */
  readonly includeUnverified: boolean;
  readonly offset: UtcOffset;
  /** Clock-skew allowance, nanoseconds; CLOCK_SKEW_ALLOWANCE_NS by default. */
  readonly allowance?: bigint;
}

/** `leave`: an unverified snapshot, neither counted nor removed. */
export type ForgetAction = 'keep' | 'remove' | 'leave';

export interface PlannedSnapshot {
  readonly candidate: ForgetCandidate;
  readonly effective: EffectiveTime;
  readonly action: ForgetAction;
  /** Why it is kept; empty unless the action is `keep`. */
  readonly reasons: readonly KeepReason[];
}

export interface PlannedGroup {
  readonly group: GroupKey;
  /** Newest first by effective time. */
  readonly snapshots: readonly PlannedSnapshot[];
}

/** Groups verified first, then in a stable order; every candidate appears exactly once. */
export function planForget(candidates: readonly ForgetCandidate[], options: ForgetOptions): PlannedGroup[] {
  const groups = new Map<string, { group: GroupKey; members: { candidate: ForgetCandidate; effective: EffectiveTime }[] }>();
  for (const candidate of candidates) {
    const group = groupOf(candidate, options.groupBy);
    const id = groupId(group);
    const entry = groups.get(id) ?? { group, members: [] };
    entry.members.push({ candidate, effective: effectiveTime(candidate.claimedTime, candidate.storedTime, options.allowance) });
    groups.set(id, entry);
  }
  const ordered = [...groups.entries()].sort(([a, ga], [b, gb]) =>
    ga.group.verified !== gb.group.verified ? (ga.group.verified ? -1 : 1) : a < b ? -1 : a > b ? 1 : 0);
  return ordered.map(([, { group, members }]) => {
    const items = members.map(({ candidate, effective }) => ({ id: candidate.id, time: effective.time, tags: candidate.tags }));
    const counted = group.verified || options.includeUnverified;
    const reasons = counted ? applyPolicy(items, options.policy, options.offset) : new Map<string, KeepReason[]>();
    const byId = new Map(members.map((m) => [m.candidate.id, m]));
    const snapshots = items.sort(newestFirst).map(({ id }): PlannedSnapshot => {
      const { candidate, effective } = byId.get(id)!;
      const kept = reasons.get(id) ?? [];
      const action: ForgetAction = !counted ? 'leave' : kept.length > 0 ? 'keep' : 'remove';
      return { candidate, effective, action, reasons: kept };
    });
    return { group, snapshots };
  });
}
