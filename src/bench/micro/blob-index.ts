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
import { collectGarbage, medianSeconds } from './timing.js';

export interface IndexFigures {
  readonly blobs: number;
  readonly insertsPerSecond: number;
  readonly hitLookupsPerSecond: number;
  readonly missLookupsPerSecond: number;
  /** Undefined without --expose-gc. */
  readonly heapBytesPerBlob?: number;
  /** Undefined when the index holds no typed arrays as own properties. */
  readonly typedArrayBytesPerBlob?: number;
  readonly blobsPerPack: number;
}

const ID = 32;
const BATCH = 65536;
const BLOBS_PER_PACK = 16;

/** Ids `first .. first + count` of a deterministic stream of random 32-byte ids (AES-CTR keystream, seekable). */
function syntheticIds(stream: number, first: number, count: number): Buffer {
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(stream, 0);
  iv.writeUIntBE(first * (ID / 16), 10, 6); // counter block of the first id
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 0x1d), iv);
  return cipher.update(Buffer.alloc(count * ID));
}

function packIdOf(pack: number): string {
  return pack.toString(16).padStart(64, '0');
}

function memoryInUse(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function typedArrayBytes(index: BlobIndex): number | undefined {
  const arrays = Object.values(index).filter((v): v is ArrayBufferView => ArrayBuffer.isView(v));
  return arrays.length === 0 ? undefined : arrays.reduce((sum, a) => sum + a.byteLength, 0);
}

export function indexFigures(blobs: number, lookups: number): IndexFigures {
  const gcWorks = collectGarbage();
  const before = memoryInUse();
  let index = new BlobIndex();
  const insertStarted = performance.now();
  for (let first = 0; first < blobs; first += BATCH) {
    const count = Math.min(BATCH, blobs - first);
    const ids = syntheticIds(1, first, count);
    for (let i = 0; i < count; i++) {
      const n = first + i;
      index.add(ids.subarray(i * ID, i * ID + ID), {
        packId: packIdOf(Math.floor(n / BLOBS_PER_PACK)), type: 0, compression: 1,
        offset: (n % BLOBS_PER_PACK) * 65536, sealedLength: 65536, storedLength: 65000, rawLength: 131072, counter: n % BLOBS_PER_PACK,
      });
    }
  }
  const insertSeconds = (performance.now() - insertStarted) / 1000;
  if (index.size !== blobs) throw new Error(`index holds ${index.size} blobs, expected ${blobs}`);
  collectGarbage();
  const heapBytes = memoryInUse() - before;

  // Hits: whole batches from random places in the stream; misses: another stream.
  const hitIds: Buffer[] = [];
  for (let n = 0; n < lookups; n += BATCH) {
    const first = Math.floor(((n * 2654435761) % 4294967296) / 4294967296 * Math.max(1, blobs - BATCH));
    hitIds.push(syntheticIds(1, first, Math.min(BATCH, blobs, lookups - n)));
  }
  const missIds = syntheticIds(2, 0, lookups);
  let found = 0;
  const hitSeconds = medianSeconds(3, () => {
    found = 0;
    for (const batch of hitIds) for (let at = 0; at < batch.length; at += ID) if (index.lookup(batch.subarray(at, at + ID)) !== undefined) found++;
  });
  if (found !== hitIds.reduce((sum, b) => sum + b.length / ID, 0)) throw new Error(`only ${found} of the looked-up ids were found`);
  let wrong = 0;
  const missSeconds = medianSeconds(3, () => {
    wrong = 0;
    for (let at = 0; at < missIds.length; at += ID) if (index.has(missIds.subarray(at, at + ID))) wrong++;
  });
  if (wrong !== 0) throw new Error(`${wrong} ids never added were found`);

  const typed = typedArrayBytes(index);
  index = new BlobIndex();
  return {
    blobs,
    insertsPerSecond: blobs / insertSeconds,
    hitLookupsPerSecond: found / hitSeconds,
    missLookupsPerSecond: missIds.length / ID / missSeconds,
    heapBytesPerBlob: gcWorks ? heapBytes / blobs : undefined,
    typedArrayBytesPerBlob: typed === undefined ? undefined : typed / blobs,
    blobsPerPack: BLOBS_PER_PACK,
  };
}
