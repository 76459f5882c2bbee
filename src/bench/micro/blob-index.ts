/**
 * The in-memory BlobIndex (repository/blob-index.ts) at millions of
 * synthetic blobs: insertion and lookup rates, and memory per blob measured
 * two ways. "heap + buffers" is the growth of V8's used heap plus
 * ArrayBuffer memory across building the index, after full collections
 * (needs node --expose-gc), so it counts everything the index holds,
 * including pack id strings and the slack of doubling growth. "typed arrays"
 * is the byteLength of the typed arrays found on the index object, so it
 * counts the allocated capacity, slack included, but nothing else.
 */
import { createCipheriv } from 'node:crypto';
import { BlobIndex } from '../../repository/blob-index.js';
import { collectGarbage, medianTiming, timeOnce, type Timing } from './timing.js';

/** Operations per wall-clock second and per CPU second. */
export interface Rate {
  readonly perSecond: number;
  readonly perCpuSecond: number;
}

export interface IndexFigures {
  readonly blobs: number;
  readonly inserts: Rate;
  readonly hitLookups: Rate;
  readonly missLookups: Rate;
  /** Undefined without --expose-gc. */
  readonly heapBytesPerBlob?: number;
  /** Undefined when the index holds no typed arrays as own properties. */
  readonly typedArrayBytesPerBlob?: number;
  readonly blobsPerPack: number;
}

const ID = 32;
const BATCH = 65536;
/** 16 MiB packs of 1 MiB chunks: few blobs per pack, so pack ids weigh as much as they can. */
const BLOBS_PER_PACK = 16;

const rate = (ops: number, t: Timing): Rate => ({ perSecond: ops / t.wallSeconds, perCpuSecond: ops / t.cpuSeconds });

/** Ids `first .. first + count` of a deterministic stream of random 32-byte ids (AES-CTR keystream, seekable). */
function syntheticIds(stream: number, first: number, count: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(stream, 0);
  iv.writeUIntBE(first * (ID / 16), 10, 6); // counter block of the first id
  return createCipheriv('aes-128-ctr', Buffer.alloc(16, 0x1d), iv).update(Buffer.alloc(count * ID));
}

function memoryInUse(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function typedArrayBytes(index: BlobIndex): number | undefined {
  const arrays = Object.values(index).filter((v): v is ArrayBufferView => ArrayBuffer.isView(v));
  return arrays.length === 0 ? undefined : arrays.reduce((sum, a) => sum + a.byteLength, 0);
}

function fill(index: BlobIndex, blobs: number): void {
  for (let first = 0; first < blobs; first += BATCH) {
    const count = Math.min(BATCH, blobs - first);
    const ids = syntheticIds(1, first, count);
    for (let i = 0; i < count; i++) {
      const n = first + i;
      const slot = n % BLOBS_PER_PACK;
      index.add(ids.subarray(i * ID, i * ID + ID), {
        packId: Math.floor(n / BLOBS_PER_PACK).toString(16).padStart(64, '0'), type: 0, compression: 1,
        offset: slot * 65536, sealedLength: 65536, storedLength: 65000, rawLength: 131072, counter: slot,
      });
    }
  }
}

export async function indexFigures(blobs: number, lookups: number): Promise<IndexFigures> {
  const gcWorks = collectGarbage();
  const before = memoryInUse();
  const index = new BlobIndex();
  const insert = await timeOnce(() => fill(index, blobs));
  if (index.size !== blobs) throw new Error(`index holds ${index.size} blobs, expected ${blobs}`);
  collectGarbage();
  const heapBytes = memoryInUse() - before;

  // Hits: whole batches from spread-out places in the stream; misses: ids of another stream.
  const hitIds: Buffer[] = [];
  for (let n = 0, k = 1; n < lookups; n += BATCH, k++) {
    const first = Math.floor(((k * 0.6180339887) % 1) * Math.max(0, blobs - BATCH));
    hitIds.push(syntheticIds(1, first, Math.min(BATCH, blobs, lookups - n)));
  }
  const hitCount = hitIds.reduce((sum, b) => sum + b.length / ID, 0);
  const missIds = syntheticIds(2, 0, lookups);
  let found = 0;
  const hits = await medianTiming(3, () => {
    found = 0;
    for (const batch of hitIds) for (let at = 0; at < batch.length; at += ID) if (index.lookup(batch.subarray(at, at + ID)) !== undefined) found++;
  });
  if (found !== hitCount) throw new Error(`only ${found} of ${hitCount} ids looked up were found`);
  let wrong = 0;
  const misses = await medianTiming(3, () => {
    wrong = 0;
    for (let at = 0; at < missIds.length; at += ID) if (index.has(missIds.subarray(at, at + ID))) wrong++;
  });
  if (wrong !== 0) throw new Error(`${wrong} ids never added were found`);

  const typed = typedArrayBytes(index);
  return {
    blobs,
    inserts: rate(blobs, insert),
    hitLookups: rate(hitCount, hits),
    missLookups: rate(lookups, misses),
    heapBytesPerBlob: gcWorks ? heapBytes / blobs : undefined,
    typedArrayBytesPerBlob: typed === undefined ? undefined : typed / blobs,
    blobsPerPack: BLOBS_PER_PACK,
  };
}
