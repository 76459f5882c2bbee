/**
 * Throughput of the CPU stages of a backup, each alone on one thread: the
 * chunker, blob ids, zstd (and zstd on the worker pool the archiver uses),
 * over the data set's own kinds of bytes.
 */
import { Chunker, DEFAULT_CHUNKER_PARAMS } from '../../chunker/index.js';
import { CompressPool, ZstdCodec, DEFAULT_ZSTD_LEVEL } from '../../codec/index.js';
import { blobIdOf, deriveGearTable } from '../../crypto/index.js';
import { randomBytesFor } from '../dataset/content.js';
import { Prng } from '../dataset/prng.js';
import { textBytes, vocabularyOf } from '../dataset/text.js';
import { mbPerSecond, medianSeconds } from './timing.js';

export interface Throughput {
  readonly name: string;
  readonly mbPerSecond: number;
  readonly bytes: number;
  readonly note?: string;
}

const MiB = 2 ** 20;
const SEED = 0xbe4c;

export function sampleBytes(kind: 'text' | 'random', size: number): Buffer {
  return kind === 'random' ? randomBytesFor(SEED, 'micro', size) : textBytes(vocabularyOf(SEED), new Prng(SEED, 9), size, 'prose');
}

/** FastCDC with default parameters, fed 1 MiB at a time like the archiver. */
export function chunkerThroughput(data: Buffer, reps: number): Throughput {
  const gear = deriveGearTable(Buffer.alloc(32, 7));
  let chunks = 0;
  const seconds = medianSeconds(reps, () => {
    const chunker = new Chunker(DEFAULT_CHUNKER_PARAMS, gear);
    chunks = 0;
    for (let at = 0; at < data.length; at += MiB) chunks += chunker.push(data.subarray(at, at + MiB)).length;
    chunks += chunker.end().length;
  });
  return { name: 'chunker (FastCDC 512K/1M/8M, random data)', mbPerSecond: mbPerSecond(data.length, seconds), bytes: data.length, note: `${chunks} chunks` };
}

/** HMAC-SHA-256 blob ids over 1 MiB blobs. */
export function blobIdThroughput(data: Buffer, reps: number): Throughput {
  const key = Buffer.alloc(32, 1);
  const seconds = medianSeconds(reps, () => {
    for (let at = 0; at < data.length; at += MiB) blobIdOf(key, 0, data.subarray(at, at + MiB));
  });
  return { name: 'blob ids (HMAC-SHA-256, 1 MiB blobs)', mbPerSecond: mbPerSecond(data.length, seconds), bytes: data.length };
}

/** zstd at coffer's level on 1 MiB blobs (the average chunk), one thread. */
export function zstdThroughput(kind: 'text' | 'random', data: Buffer, reps: number): Throughput[] {
  const codec = new ZstdCodec(DEFAULT_ZSTD_LEVEL);
  const blobs: Buffer[] = [];
  for (let at = 0; at < data.length; at += MiB) blobs.push(data.subarray(at, at + MiB));
  let compressed: (Buffer | null)[] = [];
  const packSeconds = medianSeconds(reps, () => {
    compressed = blobs.map((b) => codec.compressIfWorthwhile(b));
  });
  const stored = compressed.reduce((sum, c, i) => sum + (c ?? blobs[i]!).length, 0);
  const out: Throughput[] = [{
    name: `zstd ${DEFAULT_ZSTD_LEVEL} compress, ${kind}`, mbPerSecond: mbPerSecond(data.length, packSeconds), bytes: data.length,
    note: `ratio ${(data.length / stored).toFixed(2)}`,
  }];
  if (compressed.every((c) => c !== null)) {
    const unpackSeconds = medianSeconds(reps, () => {
      compressed.forEach((c, i) => codec.decompress(c!, blobs[i]!.length));
    });
    out.push({ name: `zstd decompress, ${kind}`, mbPerSecond: mbPerSecond(data.length, unpackSeconds), bytes: data.length });
  } else {
    out.push({ name: `zstd decompress, ${kind}`, mbPerSecond: Number.NaN, bytes: 0, note: 'not compressed: stored raw' });
  }
  return out;
}

/** zstd on the archiver's worker pool, all cores. */
export async function poolThroughput(data: Buffer, reps: number): Promise<Throughput> {
  const pool = new CompressPool();
  try {
    const times: number[] = [];
    for (let r = 0; r < reps; r++) {
      // Each blob is a fresh copy: the pool may transfer (detach) the buffers it is given.
      const blobs: Buffer[] = [];
      for (let at = 0; at < data.length; at += MiB) blobs.push(Buffer.from(data.subarray(at, at + MiB)));
      const started = performance.now();
      await Promise.all(blobs.map((b) => pool.compress(b)));
      times.push((performance.now() - started) / 1000);
    }
    times.sort((a, b) => a - b);
    return { name: 'zstd compress on CompressPool (all cores), text', mbPerSecond: mbPerSecond(data.length, times[times.length >> 1]!), bytes: data.length };
  } finally {
    await pool.close();
  }
}
