/**
 * Chunk size parameters. They are part of a repository's identity: two
 * repositories only deduplicate against each other when min, avg, max and the
 * gear table all agree, so the repository config records them.
 */
export interface ChunkerParams {
  /** Smallest chunk (except a stream's last); the first `min` bytes are not hashed. */
  readonly min: number;
  /** Normal size: below it cuts are harder to find, above it easier. */
  readonly avg: number;
  /** Largest chunk; a cut is forced here. */
  readonly max: number;
}

/** Format v1 defaults: 512 KiB / 1 MiB / 8 MiB. */
export const DEFAULT_CHUNKER_PARAMS: ChunkerParams = Object.freeze({
  min: 512 * 1024,
  avg: 1024 * 1024,
  max: 8 * 1024 * 1024,
});

/**
 * `avg` must leave at least one bit for the large mask (log2(avg) - 2 >= 1)
 * and room for the small mask within 32 bits (log2(avg) + 2 <= 32).
 */
const MIN_AVG = 8;
/** Keeps a chunk well inside what one Buffer or worker message can hold. */
const MAX_MAX = 2 ** 30;

/**
 * Checks that min, avg and max are powers of two with min < avg < max, and
 * within the bounds the masks need.
 *
 * @throws RangeError naming the failed check.
 */
export function validateChunkerParams(p: ChunkerParams): void {
  for (const name of ['min', 'avg', 'max'] as const) {
    const v = p[name];
    if (!isPowerOfTwo(v)) {
      throw new RangeError(`chunker ${name} must be a power of two, got ${String(v)}`);
    }
  }
  if (p.min >= p.avg) {
    throw new RangeError(`chunker min must be below avg, got min ${p.min} and avg ${p.avg}`);
  }
  if (p.avg >= p.max) {
    throw new RangeError(`chunker avg must be below max, got avg ${p.avg} and max ${p.max}`);
  }
  if (p.avg < MIN_AVG) {
    throw new RangeError(`chunker avg must be at least ${MIN_AVG}, got ${p.avg}`);
  }
  if (p.max > MAX_MAX) {
    throw new RangeError(`chunker max must be at most ${MAX_MAX}, got ${p.max}`);
  }
}

function isPowerOfTwo(v: unknown): v is number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) return false;
  // Both checks: 2 ** log2(500) rounds back to 500, and log2(2^53 - 1) rounds to 53.
  const log = Math.log2(v);
  return Number.isInteger(log) && 2 ** log === v;
}
