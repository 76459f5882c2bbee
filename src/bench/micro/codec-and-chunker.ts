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
import { mbPerSecond, medianTiming, timeOnce, type Timing } from './timing.js';

export interface Throughput {
  readonly name: string;
  /** Bytes per wall-clock second. */
  readonly mbPerSecond: number;
  /** Bytes per second of CPU time of the whole process. */
  readonly mbPerCpuSecond: number;
  readonly bytes: number;
  readonly note?: string;
}

const MiB = 2 ** 20;
const SEED = 0xbe4c;

export function throughput(name: string, bytes: number, t: Timing, note?: string): Throughput {
  return { name, mbPerSecond: mbPerSecond(bytes, t.wallSeconds), mbPerCpuSecond: mbPerSecond(bytes, t.cpuSeconds), bytes, note };
}

export function sampleBytes(kind: 'text' | 'random', size: number): Buffer {
  return kind === 'random' ? randomBytesFor(SEED, 'micro', size) : textBytes(vocabularyOf(SEED), new Prng(SEED, 9), size, 'prose');
}

function blobsOf(data: Buffer): Buffer[] {
  const blobs: Buffer[] = [];
  for (let at = 0; at < data.length; at += MiB) blobs.push(data.subarray(at, at + MiB));
  return blobs;
}

/** FastCDC with default parameters, fed 1 MiB at a time like the archiver. */
export async function chunkerThroughput(data: Buffer, reps: number): Promise<Throughput> {
  const gear = deriveGearTable(Buffer.alloc(32, 7));
  let chunks = 0;
  const t = await medianTiming(reps, () => {
    const chunker = new Chunker(DEFAULT_CHUNKER_PARAMS, gear);
    chunks = 0;
    for (let at = 0; at < data.length; at += MiB) chunks += chunker.push(data.subarray(at, at + MiB)).length;
    chunks += chunker.end().length;
  });
  return throughput('chunker (FastCDC 512K/1M/8M, random data)', data.length, t, `${chunks} chunks`);
}

/** HMAC-SHA-256 blob ids over 1 MiB blobs. */
export async function blobIdThroughput(data: Buffer, reps: number): Promise<Throughput> {
  const key = Buffer.alloc(32, 1);
  const blobs = blobsOf(data);
  const t = await medianTiming(reps, () => {
    for (const blob of blobs) blobIdOf(key, 0, blob);
  });
  return throughput('blob ids (HMAC-SHA-256, 1 MiB blobs)', data.length, t);
}

/** zstd at coffer's level on 1 MiB blobs (the average chunk), one thread. */
export async function zstdThroughput(kind: 'text' | 'random', data: Buffer, reps: number): Promise<Throughput[]> {
  const codec = new ZstdCodec(DEFAULT_ZSTD_LEVEL);
  const blobs = blobsOf(data);
  let compressed: (Buffer | null)[] = [];
  const pack = await medianTiming(reps, () => {
    compressed = blobs.map((b) => codec.compressIfWorthwhile(b));
  });
  const stored = compressed.reduce((sum, c, i) => sum + (c ?? blobs[i]!).length, 0);
  const out = [throughput(`zstd ${DEFAULT_ZSTD_LEVEL} compress, ${kind}`, data.length, pack, `ratio ${(data.length / stored).toFixed(2)}`)];
  if (compressed.every((c) => c !== null)) {
    const unpack = await medianTiming(reps, () => {
      compressed.forEach((c, i) => codec.decompress(c!, blobs[i]!.length));
    });
    out.push(throughput(`zstd decompress, ${kind}`, data.length, unpack));
  } else {
    out.push({ name: `zstd decompress, ${kind}`, mbPerSecond: Number.NaN, mbPerCpuSecond: Number.NaN, bytes: 0, note: 'not compressed: stored raw' });
  }
  return out;
}

/** zstd on the archiver's worker pool (one worker per core). */
export async function poolThroughput(data: Buffer, reps: number): Promise<Throughput> {
  const pool = new CompressPool();
  try {
    const runs: Timing[] = [];
    for (let r = 0; r < reps; r++) {
      // Fresh copies: the pool may transfer (detach) the buffers it is given.
      const blobs = blobsOf(data).map((b) => Buffer.from(b));
      runs.push(await timeOnce(() => Promise.all(blobs.map((b) => pool.compress(b)))));
    }
    runs.sort((a, b) => a.wallSeconds - b.wallSeconds);
    return throughput('zstd compress on CompressPool (all cores), text', data.length, runs[runs.length >> 1]!, 'CPU of all threads');
  } finally {
    await pool.close();
  }
}
