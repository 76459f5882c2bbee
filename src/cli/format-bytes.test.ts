import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatDuration, formatRate } from './format-bytes.js';

test('formatBytes: whole bytes below 1 KiB', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1), '1 B');
  assert.equal(formatBytes(1023), '1023 B');
});

test('formatBytes: binary units with one decimal', () => {
  assert.equal(formatBytes(1024), '1.0 KiB');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(10 * 1024 * 1024 + 512 * 1024), '10.5 MiB');
  assert.equal(formatBytes(1.25 * 1024 ** 3), '1.3 GiB');
  assert.equal(formatBytes(1024 ** 4), '1.0 TiB');
});

test('formatBytes: a value that would round to 1024.0 moves to the next unit', () => {
  assert.equal(formatBytes(1024 * 1024 - 1), '1.0 MiB');
  assert.equal(formatBytes(1024 ** 3 - 1), '1.0 GiB');
  assert.equal(formatBytes(1024 * 1023), '1023.0 KiB');
});

test('formatBytes: TiB is the largest unit', () => {
  assert.equal(formatBytes(1024 ** 5), '1024.0 TiB');
});

test('formatBytes: negative and non-finite values render as ?', () => {
  assert.equal(formatBytes(-1), '?');
  assert.equal(formatBytes(Number.NaN), '?');
  assert.equal(formatBytes(Number.POSITIVE_INFINITY), '?');
});

test('formatDuration', () => {
  assert.equal(formatDuration(0), '0ms');
  assert.equal(formatDuration(999), '999ms');
  assert.equal(formatDuration(1000), '1s');
  assert.equal(formatDuration(59_499), '59s');
  assert.equal(formatDuration(59_500), '1m00s');
  assert.equal(formatDuration(185_000), '3m05s');
  assert.equal(formatDuration(3_725_000), '1h02m');
  assert.equal(formatDuration(25 * 3_600_000), '1d01h');
  assert.equal(formatDuration(-5), '?');
  assert.equal(formatDuration(Number.POSITIVE_INFINITY), '?');
});

test('formatRate', () => {
  assert.equal(formatRate(1536), '1.5 KiB/s');
  assert.equal(formatRate(12.4), '12 B/s');
  assert.equal(formatRate(Number.NaN), '?');
});
