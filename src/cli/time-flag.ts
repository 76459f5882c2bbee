/**
 * Timestamps given on the command line (`backup --time`): RFC 3339 with a
 * zone (`2024-05-01T10:00:00Z`, `2024-05-01T12:00:00+02:00`, up to 9
 * fractional digits), or `YYYY-MM-DD HH:MM:SS` on the local clock of the
 * given zone (a local time that happens twice or not at all when clocks
 * change is taken at its earliest reading).
 */
import { UsageError } from '../errors.js';
import { formatTimeNs } from '../format/index.js';
import { processOffset, wallOf, wallToUtc, type UtcOffset } from '../retention/index.js';

const RFC_3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;
const LOCAL = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;

/** Nanoseconds since the epoch; a UsageError naming `flag` for anything else. */
export function parseTimeFlag(text: string, flag: string, offset: UtcOffset = processOffset): bigint {
  const rfc = RFC_3339.exec(text);
  const local = rfc ? undefined : LOCAL.exec(text);
  const match = rfc ?? local;
  const invalid = (why: string) =>
    new UsageError(`${flag}: "${text}" ${why} (use RFC 3339 like 2024-05-01T10:00:00Z or 2024-05-01T12:00:00+02:00, or local time like "2024-05-01 12:00:00")`);
  if (!match) throw invalid('is not a timestamp');
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(match[i])) as
    [number, number, number, number, number, number];
  const midnight = wallOf(year, month - 1, day);
  const date = new Date(midnight);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) throw invalid('has no such date');
  if (hour > 23 || minute > 59 || second > 59) throw invalid('has no such time of day');
  const wallMs = midnight + ((hour * 60 + minute) * 60 + second) * 1000;
  let ms: number;
  if (rfc) {
    const [sign, offsetHours, offsetMinutes] = [rfc[8], Number(rfc[9] ?? 0), Number(rfc[10] ?? 0)];
    if (offsetHours > 23 || offsetMinutes > 59) throw invalid('has no such zone offset');
    ms = wallMs - (sign === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  } else {
    ms = wallToUtc(wallMs, offset);
  }
  const ns = BigInt(ms) * 1_000_000n + BigInt((match[7] ?? '').padEnd(9, '0'));
  try {
    formatTimeNs(ns);
  } catch {
    throw invalid('is outside the years 0000 to 9999');
  }
  return ns;
}
