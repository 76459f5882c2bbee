/**
 * Times in JSON (docs/format.md "Conventions"): RFC 3339 UTC strings with
 * nanoseconds, `2026-11-22T10:24:38.123456789Z`. In memory a time is a
 * bigint of nanoseconds since 1970-01-01T00:00:00Z (negative before), as
 * Date keeps only milliseconds.
 */
import { FormatError } from '../errors.js';

const NS_PER_SECOND = 1_000_000_000n;
/** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999999999Z: the four-digit years RFC 3339 allows. */
const MIN_TIME_NS = -62_167_219_200n * NS_PER_SECOND;
const MAX_TIME_NS = 253_402_300_800n * NS_PER_SECOND - 1n;
const RFC_3339_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?Z$/;

/** `ns` as RFC 3339 UTC with exactly 9 fractional digits; years 0000 to 9999. */
export function formatTimeNs(ns: bigint): string {
  if (ns < MIN_TIME_NS || ns > MAX_TIME_NS) throw new FormatError(`time ${ns}ns is outside the years 0000 to 9999`);
  let seconds = ns / NS_PER_SECOND;
  let nanos = ns % NS_PER_SECOND;
  if (nanos < 0n) {
    nanos += NS_PER_SECOND;
    seconds -= 1n;
  }
  // toISOString writes four-digit years for 0000..9999: "YYYY-MM-DDTHH:MM:SS.mmmZ".
  const iso = new Date(Number(seconds) * 1000).toISOString();
  return `${iso.slice(0, 19)}.${nanos.toString().padStart(9, '0')}Z`;
}

/** An RFC 3339 UTC time (`Z`, 0 to 9 fractional digits) in nanoseconds, or undefined if `text` is not one. */
export function tryParseTimeNs(text: string): bigint | undefined {
  const match = RFC_3339_UTC.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(match[i])) as
    [number, number, number, number, number, number];
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0..99 to 1900..1999.
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  return BigInt(date.getTime()) * 1_000_000n + BigInt((match[7] ?? '').padEnd(9, '0'));
}

/** An RFC 3339 UTC time in nanoseconds; throws a FormatError if `text` is not one. */
export function parseTimeNs(text: string): bigint {
  const ns = tryParseTimeNs(text);
  if (ns === undefined) {
    const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
    throw new FormatError(`invalid time ${JSON.stringify(shown)} (expected rfc 3339 utc, like 2026-11-22T10:24:38.123456789Z)`);
  }
  return ns;
}
