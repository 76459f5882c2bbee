/**
 * A seeded PRNG that yields the same numbers on every machine: xoshiro128**
 * seeded through splitmix32, all in 32-bit integer arithmetic (no Math.random,
 * no floating point), so a data set built from it is byte-identical anywhere.
 */

/** splitmix32 step: mixes `x` into a well-spread 32-bit value. */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const rotl = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

export class Prng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** A generator for `stream` under `seed`: distinct streams are independent. */
  constructor(seed: number, stream = 0) {
    let x = mix32(seed ^ mix32(stream));
    this.s0 = x = mix32(x);
    this.s1 = x = mix32(x);
    this.s2 = x = mix32(x);
    this.s3 = mix32(x) | 1; // never all zero
  }

  /** Next uniform 32-bit unsigned integer. */
  next(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform integer in [0, n) for 0 < n <= 2^32 (multiply-shift; the tiny bias does not matter here). */
  below(n: number): number {
    return Math.floor((this.next() * n) / 4294967296);
  }

  /** Uniform integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.below(hi - lo + 1);
  }

  /** True with probability `num / den`. */
  chance(num: number, den: number): boolean {
    return this.below(den) < num;
  }

  /**
   * A size spread evenly over powers of two between `lo` and `hi` (both
   * powers of two): pick an octave, then a uniform size within it. Integer
   * only, so it stays reproducible where Math.exp/log might not.
   */
  logSize(lo: number, hi: number): number {
    const octaves = Math.log2(hi / lo);
    const base = lo * 2 ** this.below(octaves);
    return base + this.below(base);
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}
