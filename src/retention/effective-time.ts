/**
 * The time retention counts a snapshot at. A snapshot's `time` is written by
 * its signer, so a writer could date its snapshots into the future to crowd
 * out real ones (more periods "after" them, a later newest snapshot for
 * `--keep-within`). Storage stamps each object when it is stored, and a
 * writer cannot choose that stamp on S3 or Azure, so a claimed time may not
 * lie after the storage time by more than a clock-skew allowance; one that
 * does counts at its storage time. Earlier claimed times are accepted:
 * `backup --time` imports and copies between repositories legitimately
 * carry times long before their objects were stored. docs/retention.md and
 * docs/security.md section 7 give the argument.
 */

/** How far a claimed time may lie after the storage time: one hour, in nanoseconds. */
export const CLOCK_SKEW_ALLOWANCE_NS = 3_600_000_000_000n;

export interface EffectiveTime {
  /** The time retention uses, nanoseconds since the epoch. */
  readonly time: bigint;
  /** True when the claimed time was too far after the storage time and the storage time is used instead. */
  readonly capped: boolean;
}

export function effectiveTime(claimed: bigint, stored: bigint, allowance: bigint = CLOCK_SKEW_ALLOWANCE_NS): EffectiveTime {
  return claimed > stored + allowance ? { time: stored, capped: true } : { time: claimed, capped: false };
}
