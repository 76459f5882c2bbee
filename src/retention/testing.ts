/** Fixed clocks and zones for the retention tests: nothing here depends on the machine's time zone. */
import type { UtcOffset } from './calendar.js';

/** An ISO 8601 time with an explicit zone and up to 9 fractional digits, as nanoseconds since the epoch. */
export function ns(text: string): bigint {
  if (!/(Z|[+-]\d\d:\d\d)$/.test(text)) throw new Error(`test time ${text} needs an explicit zone`);
  const fraction = /\.(\d{1,9})/.exec(text)?.[1] ?? '';
  const ms = Date.parse(text.replace(/\.\d+/, ''));
  if (Number.isNaN(ms)) throw new Error(`bad test time ${text}`);
  return BigInt(ms) * 1_000_000n + BigInt(fraction.padEnd(9, '0'));
}

/**
 * Central European time in 2024, written out by hand: +01:00, and +02:00 from
 * 2024-03-31 01:00Z (02:00 local jumps to 03:00) until 2024-10-27 01:00Z
 * (03:00 local goes back to 02:00).
 */
export const berlin2024: UtcOffset = (ms) =>
  ms >= Date.UTC(2024, 2, 31, 1) && ms < Date.UTC(2024, 9, 27, 1) ? 120 : 60;
