/**
 * `--keep-within` durations: `1y2m3d4h`, each part optional but at least
 * one present, in this order, each a whole number: years, months, days
 * (calendar units on the local calendar) and hours (exact).
 */
import { UsageError } from '../errors.js';

export interface RetentionDuration {
  readonly years: number;
  readonly months: number;
  readonly days: number;
  readonly hours: number;
}

const GRAMMAR = /^(?:(\d{1,6})y)?(?:(\d{1,6})m)?(?:(\d{1,7})d)?(?:(\d{1,8})h)?$/;

/** Parses `1y2m3d4h`; throws a UsageError naming the flag otherwise. */
export function parseRetentionDuration(text: string, flag = '--keep-within'): RetentionDuration {
  const match = GRAMMAR.exec(text);
  if (!match || text === '') {
    throw new UsageError(`${flag}: "${text}" is not a duration (whole numbers with units y, m, d, h in that order, for example 1y6m, 30d, 2d12h)`);
  }
  const [years, months, days, hours] = [1, 2, 3, 4].map((i) => Number(match[i] ?? 0)) as [number, number, number, number];
  return { years, months, days, hours };
}

/** The canonical text: non-zero parts only, `0h` for zero. */
export function formatRetentionDuration(d: RetentionDuration): string {
  const text = `${d.years ? `${d.years}y` : ''}${d.months ? `${d.months}m` : ''}${d.days ? `${d.days}d` : ''}${d.hours ? `${d.hours}h` : ''}`;
  return text === '' ? '0h' : text;
}
