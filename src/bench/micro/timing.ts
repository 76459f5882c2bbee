/** Timing for the micro-benchmarks: the median of a few repetitions, since the machine is shared. */
import { median } from '../result.js';

/** Runs `work` `reps` times and returns the median duration in seconds. */
export function medianSeconds(reps: number, work: () => void): number {
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const started = performance.now();
    work();
    times.push((performance.now() - started) / 1000);
  }
  return median(times);
}

/** MB/s (10^6 bytes per second), as restic and borg report throughput. */
export const mbPerSecond = (bytes: number, seconds: number): number => bytes / 1e6 / seconds;

/** Full garbage collection, when node runs with --expose-gc. */
export function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return false;
  gc();
  gc();
  return true;
}
