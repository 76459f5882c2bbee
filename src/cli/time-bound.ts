/**
 * Time arguments of `find --newer/--older`: a date or date-time (local time
 * unless it names a zone), or a duration back from now.
 *
 *   2024-05-01               local midnight
 *   2024-05-01T14:30[:05[.123456789]]   local time (a space may replace the T)
 *   2024-05-01T14:30:05Z, ...+02:00      exactly that instant
 *   12h, 3d, 2w              that long before now
 */
import { UsageError } from '../errors.js';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;
const DURATION = /^(\d+)([hdw])$/;
const UNIT_SECONDS: Record<string, bigint> = { h: 3600n, d: 86_400n, w: 604_800n };
const NS = 1_000_000_000n;

/** The time `text` names, in nanoseconds since the epoch; `nowMs` anchors durations. */
export function parseTimeBound(text: string, flag: string, nowMs: number): bigint {
  const duration = DURATION.exec(text);
  if (duration) return BigInt(nowMs) * 1_000_000n - BigInt(duration[1]!) * UNIT_SECONDS[duration[2]!]! * NS;
  const m = DATE_TIME.exec(text);
  if (!m) throw new UsageError(`${flag}: "${text}" is not a date (2024-05-01, 2024-05-01T14:30:00Z) or a duration (12h, 3d, 2w)`);
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as
    [number, number, number, number, number, number];
  const zone = m[8];
  const date = new Date(0);
  if (zone === undefined) {
    date.setFullYear(year, month - 1, day);
    date.setHours(hour, minute, second, 0);
  } else {
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(hour, minute, second, 0);
  }
  const fields = zone === undefined
    ? [date.getFullYear(), date.getMonth() + 1, date.getDate(), date.getHours(), date.getMinutes(), date.getSeconds()]
    : [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), date.getUTCHours(), date.getUTCMinutes(), date.getUTCSeconds()];
  // Date rolls 2024-02-30 over into March; refuse instead (a local time skipped by a DST change is refused too).
  if (fields.some((value, i) => value !== [year, month, day, hour, minute, second][i])) {
    throw new UsageError(`${flag}: "${text}" is not a valid date or time`);
  }
  let ms = date.getTime();
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return BigInt(ms) * 1_000_000n + BigInt((m[7] ?? '').padEnd(9, '0'));
}
