/**
 * Local calendar arithmetic for retention, with the time zone passed in as a
 * function, so results never depend on the machine running them (tests use
 * fixed offsets and synthetic daylight-saving rules; the CLI passes the
 * process's own zone). Times here are milliseconds since the epoch.
 */

/** Minutes east of UTC in force at an instant (for example +60 for CET, +120 for CEST). */
export type UtcOffset = (epochMs: number) => number;

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** UTC itself. */
export const utcOffset: UtcOffset = () => 0;

/** A zone that never changes its offset. */
export function fixedOffset(minutes: number): UtcOffset {
  return () => minutes;
}

/** The zone of this process (TZ, else the system's), as JavaScript's Date sees it. */
export const processOffset: UtcOffset = (epochMs) => -new Date(epochMs).getTimezoneOffset();

/** What a local clock and calendar show at an instant. */
export interface LocalTime {
  readonly year: number;
  /** 1 to 12. */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** The offset in force, minutes east of UTC. */
  readonly offset: number;
  /** The local wall-clock time as if it were UTC: epochMs + offset. */
  readonly wallMs: number;
  /** Local calendar days since 1970-01-01. */
  readonly dayNumber: number;
}

export function localTime(epochMs: number, offset: UtcOffset): LocalTime {
  const minutes = offset(epochMs);
  const wallMs = epochMs + minutes * MS_PER_MINUTE;
  const wall = new Date(wallMs);
  return {
    year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate(),
    hour: wall.getUTCHours(), minute: wall.getUTCMinutes(), second: wall.getUTCSeconds(),
    offset: minutes, wallMs, dayNumber: Math.floor(wallMs / MS_PER_DAY),
  };
}

/** The ISO 8601 week (weeks start on Monday; week 1 holds the year's first Thursday) of a local day. */
export function isoWeek(dayNumber: number): { readonly year: number; readonly week: number } {
  const weekday = mod(dayNumber + 3, 7); // 1970-01-01 was a Thursday; 0 is Monday
  const thursday = dayNumber - weekday + 3;
  const year = new Date(thursday * MS_PER_DAY).getUTCFullYear();
  return { year, week: Math.floor((thursday - wallOf(year, 0, 1) / MS_PER_DAY) / 7) + 1 };
}

/**
 * The instant at which the local clock shows `wallMs`. A wall time shown
 * twice (clocks going back) or never (clocks going forward) is taken at its
 * earliest candidate instant, so a retention cutoff errs towards keeping.
 */
export function wallToUtc(wallMs: number, offset: UtcOffset): number {
  const offsets = new Set([offset(wallMs - MS_PER_DAY), offset(wallMs), offset(wallMs + MS_PER_DAY)]);
  const candidates = [...offsets].map((minutes) => ({ minutes, at: wallMs - minutes * MS_PER_MINUTE }));
  const exact = candidates.filter(({ minutes, at }) => offset(at) === minutes).map(({ at }) => at);
  return Math.min(...(exact.length > 0 ? exact : candidates.map(({ at }) => at)));
}

/**
 * `epochMs` moved back on the local calendar by whole years, months and days,
 * keeping the clock time. A day of the month that the target month lacks is
 * clamped to its last day (31 March minus one month is 28 or 29 February).
 */
export function subtractCalendar(epochMs: number, years: number, months: number, days: number, offset: UtcOffset): number {
  const local = localTime(epochMs, offset);
  const monthIndex = local.year * 12 + (local.month - 1) - years * 12 - months;
  const year = Math.floor(monthIndex / 12);
  const month = mod(monthIndex, 12);
  const day = Math.min(local.day, daysInMonth(year, month));
  const timeOfDay = mod(local.wallMs, MS_PER_DAY);
  return wallToUtc(wallOf(year, month, day) + timeOfDay - days * MS_PER_DAY, offset);
}

/** `YYYY-MM-DD HH:MM:SS` on the local clock. */
export function formatLocal(epochMs: number, offset: UtcOffset): string {
  return new Date(localTime(epochMs, offset).wallMs).toISOString().slice(0, 19).replace('T', ' ');
}

/** `+HH:MM` or `-HH:MM`. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Midnight of a calendar date as wall milliseconds; years 0 to 99 stay themselves (unlike Date.UTC). */
export function wallOf(year: number, monthIndex: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, monthIndex, day);
  return date.getTime();
}

function daysInMonth(year: number, monthIndex: number): number {
  return new Date(wallOf(year, monthIndex + 1, 0)).getUTCDate();
}

export function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

export function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}
