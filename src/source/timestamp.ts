/**
 * Converts a timestamp in nanoseconds to the seconds Node's utimes family
 * takes. Node hands the number to libuv, which truncates it to whole
 * microseconds; a double holds present-day times to about 0.25 µs, so the
 * value is aimed at the middle of the intended microsecond, and truncation
 * then lands on it exactly. Nanoseconds below the microsecond are lost.
 *
 * Node replaces negative times with the current time, so times before 1970
 * are clamped to the epoch.
 */
export function toUtimeSeconds(ns: bigint): number {
  if (ns < 0n) return 0;
  const micros = ns / 1000n;
  return Number(micros / 1_000_000n) + (Number(micros % 1_000_000n) + 0.5) / 1e6;
}
