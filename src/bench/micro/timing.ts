/**
 * Timing for the micro-benchmarks: the median of a few repetitions, in wall
 * time and in CPU time of the whole process (all threads). On a shared,
 * busy machine wall time mostly measures the other tenants; CPU time of a
 * single-threaded stage stays close to what it would be on an idle one.
 */
import { median } from '../result.js';

export interface Timing {
  readonly wallSeconds: number;
  readonly cpuSeconds: number;
}

/** Times one run of `work`. */
export async function timeOnce(work: () => unknown): Promise<Timing> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const used = process.cpuUsage(cpu);
  return { wallSeconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** Runs `work` `reps` times; medians of wall and CPU time. */
export async function medianTiming(reps: number, work: () => unknown): Promise<Timing> {
  const runs: Timing[] = [];
  for (let r = 0; r < reps; r++) runs.push(await timeOnce(work));
  return { wallSeconds: median(runs.map((t) => t.wallSeconds)), cpuSeconds: median(runs.map((t) => t.cpuSeconds)) };
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
