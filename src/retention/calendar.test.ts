import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  fixedOffset, formatLocal, isoWeek, localTime, MS_PER_DAY, subtractCalendar, utcOffset, wallToUtc, wallOf,
} from './calendar.js';
import { berlin2024 } from './testing.js';

const utc = (text: string) => Date.parse(text);

describe('retention calendar', () => {
  test('local fields follow the offset function, not the machine', () => {
    const at = utc('2023-12-31T23:30:00Z');
    assert.deepEqual([localTime(at, utcOffset).year, localTime(at, utcOffset).day], [2023, 31]);
    const east = localTime(at, fixedOffset(60));
    assert.deepEqual([east.year, east.month, east.day, east.hour, east.minute], [2024, 1, 1, 0, 30]);
    const west = localTime(utc('2024-01-01T00:30:00Z'), fixedOffset(-5 * 60));
    assert.deepEqual([west.year, west.month, west.day, west.hour], [2023, 12, 31, 19]);
    assert.equal(formatLocal(at, fixedOffset(330)), '2024-01-01 05:00:00');
  });

  test('ISO weeks: known dates around year ends', () => {
    const cases: [string, number, number][] = [
      ['1970-01-01', 1970, 1],
      ['2024-12-29', 2024, 52], // Sunday
      ['2024-12-30', 2025, 1], // Monday of the week holding 2 January 2025
      ['2021-01-03', 2020, 53], // Sunday ending 2020's week 53
      ['2021-01-04', 2021, 1],
      ['2026-12-31', 2026, 53],
      ['1969-12-29', 1970, 1], // before the epoch
    ];
    for (const [date, year, week] of cases) {
      assert.deepEqual(isoWeek(Math.floor(utc(`${date}T12:00:00Z`) / MS_PER_DAY)), { year, week }, date);
    }
  });

  test('wall time to UTC: ordinary, repeated (earliest) and skipped (earliest candidate)', () => {
    assert.equal(wallToUtc(utc('2024-06-01T12:00:00Z'), berlin2024), utc('2024-06-01T10:00:00Z'));
    assert.equal(wallToUtc(utc('2024-01-15T12:00:00Z'), berlin2024), utc('2024-01-15T11:00:00Z'));
    // 02:30 on 27 October happens twice: at 00:30Z (CEST) and 01:30Z (CET).
    assert.equal(wallToUtc(utc('2024-10-27T02:30:00Z'), berlin2024), utc('2024-10-27T00:30:00Z'));
    // 02:30 on 31 March never happens; the earlier reading (as CEST) is 00:30Z.
    assert.equal(wallToUtc(utc('2024-03-31T02:30:00Z'), berlin2024), utc('2024-03-31T00:30:00Z'));
  });

  test('calendar subtraction keeps the clock time and clamps the day of month', () => {
    const minus = (from: string, y: number, m: number, d: number) =>
      new Date(subtractCalendar(utc(from), y, m, d, utcOffset)).toISOString();
    assert.equal(minus('2024-03-31T12:00:00Z', 0, 1, 0), '2024-02-29T12:00:00.000Z');
    assert.equal(minus('2023-03-31T12:00:00Z', 0, 1, 0), '2023-02-28T12:00:00.000Z');
    assert.equal(minus('2024-02-29T08:00:00Z', 1, 0, 0), '2023-02-28T08:00:00.000Z');
    assert.equal(minus('2024-01-15T00:00:00Z', 0, 2, 0), '2023-11-15T00:00:00.000Z');
    assert.equal(minus('2024-03-01T06:00:00Z', 0, 0, 1), '2024-02-29T06:00:00.000Z');
    assert.equal(minus('2024-05-20T06:00:00Z', 1, 14, 3), '2022-03-17T06:00:00.000Z');
    // One local day before 12:00 CEST on 31 March is 12:00 CET on 30 March: 23 hours.
    assert.equal(new Date(subtractCalendar(utc('2024-03-31T10:00:00Z'), 0, 0, 1, berlin2024)).toISOString(),
      '2024-03-30T11:00:00.000Z');
  });

  test('years below 100 stay themselves', () => {
    assert.equal(new Date(wallOf(50, 0, 1)).getUTCFullYear(), 50);
  });
});
