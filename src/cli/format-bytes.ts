/**
 * Human-readable sizes, durations and rates for terminal output. Binary
 * units (KiB = 1024 B), because pack and chunk sizes are powers of two.
 * Display code must not crash a backup: a value that is not a finite,
 * non-negative number renders as `?`.
 */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'] as const;

/** `n` bytes as `512 B`, `1.5 KiB` … `2.0 TiB` (1 decimal above bytes; TiB is the largest unit). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '?';
  if (n < 1024) return `${Math.round(n)} B`;
  let value = n / 1024;
  let unit = 1;
  // Step up while the value would print as 1024.0, so 1048575 B is `1.0 MiB`
  // rather than `1024.0 KiB`.
  while (unit < UNITS.length - 1 && Number(value.toFixed(1)) >= 1024) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** A duration as `850ms`, `42s`, `3m05s`, `2h07m` or `3d04h`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  if (ms < 1000) return `${Math.floor(ms)}ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${pad2(seconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h${pad2(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d${pad2(hours % 24)}h`;
}

/** A throughput as `12.3 MiB/s`. */
export function formatRate(bytesPerSecond: number): string {
  const bytes = formatBytes(bytesPerSecond);
  return bytes === '?' ? '?' : `${bytes}/s`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
