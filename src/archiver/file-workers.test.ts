import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chunkBuffer, type ChunkerParams } from '../chunker/index.js';
import { gearFor, xorshift32Bytes } from '../chunker/testing.js';
import { ZstdCodec } from '../codec/index.js';
import { blobIdOf } from '../crypto/index.js';
import { BlobType } from '../format/index.js';
import { readMetadata } from '../source/index.js';
import { withTempDir } from '../source/testing.js';
import { FileWorkers, type FileJobHandler, type ReceivedBlob } from './file-workers.js';

const params: ChunkerParams = { min: 16 * 1024, avg: 64 * 1024, max: 256 * 1024 };
const gear = gearFor('file-workers');
const idKey = Buffer.alloc(32, 7);

function collect(known: (index: number) => boolean) {
  const ids: Buffer[] = [];
  const blobs: ReceivedBlob[] = [];
  let read = 0;
  let asked = 0;
  const handler: FileJobHandler = {
    chunkIds: (more) => ids.push(...more),
    wanted: (more) => more.map(() => !known(asked++)),
    take: async (more) => {
      blobs.push(...more);
    },
    read: (bytes) => {
      read += bytes;
    },
  };
  return { handler, ids, blobs, read: () => read };
}

test('file workers cut, identify and compress like the in-process code, sending only wanted chunks', async () => {
  await withTempDir(async (dir) => {
    // Half random, half repetitive: some chunks compress and some are stored raw.
    const data = Buffer.concat([xorshift32Bytes(1, 1536 * 1024), Buffer.alloc(1536 * 1024, 'coffer ')]);
    const path = Buffer.from(join(dir, 'big'));
    await writeFile(path, data);
    const workers = new FileWorkers({ chunker: params, gear, idKey, threads: 2 });
    try {
      const got = collect((i) => i % 2 === 0); // every other chunk is "already stored"
      const end = await workers.readFile(path, await readMetadata(path), 256 * 1024, got.handler);
      const lengths = chunkBuffer(data, gear, params);
      let at = 0;
      const expected = lengths.map((n) => {
        const chunk = data.subarray(at, (at += n));
        return { id: blobIdOf(idKey, BlobType.data, chunk), chunk };
      });
      assert.equal(end.problem, null);
      assert.equal(end.size, data.length);
      assert.equal(end.changed, false);
      assert.equal(got.read(), data.length);
      assert.deepEqual(got.ids, expected.map((e) => e.id));
      const wanted = expected.filter((_, i) => i % 2 === 1);
      assert.deepEqual(got.blobs.map((b) => b.id), wanted.map((e) => e.id));
      const codec = new ZstdCodec();
      let compressed = 0;
      got.blobs.forEach((blob, i) => {
        const plain = blob.compressed ? codec.decompress(blob.compressed, blob.rawLength) : blob.raw!;
        if (blob.compressed) compressed += 1;
        assert.ok(plain.equals(wanted[i]!.chunk), `blob ${i}`);
      });
      assert.ok(compressed > 0 && compressed < got.blobs.length, `${compressed} of ${got.blobs.length} compressed`);
    } finally {
      await workers.close();
    }
  });
});

test('small and empty files are sent whole; a vanished file is a warning, not an error', async () => {
  await withTempDir(async (dir) => {
    const small = Buffer.from(join(dir, 'small'));
    const empty = Buffer.from(join(dir, 'empty'));
    const gone = Buffer.from(join(dir, 'gone'));
    const text = Buffer.from('hello world, '.repeat(6));
    await writeFile(small, text);
    await writeFile(empty, '');
    await writeFile(gone, 'x');
    const goneMeta = await readMetadata(gone);
    const { rm } = await import('node:fs/promises');
    await rm(gone);
    const workers = new FileWorkers({ chunker: params, gear, idKey, threads: 1 });
    try {
      const a = collect(() => false);
      const b = collect(() => false);
      const c = collect(() => false);
      const [endA, endB, endC] = await Promise.all([
        workers.readFile(small, await readMetadata(small), 256 * 1024, a.handler),
        workers.readFile(empty, await readMetadata(empty), 256 * 1024, b.handler),
        workers.readFile(gone, goneMeta, 256 * 1024, c.handler),
      ]);
      assert.equal(endA.size, text.length);
      assert.equal(a.blobs.length, 1);
      assert.deepEqual(a.ids, [blobIdOf(idKey, BlobType.data, text)]);
      assert.equal(endB.size, 0);
      assert.deepEqual(b.ids, []);
      assert.equal(endC.problem?.code, 'SOURCE_VANISHED');
      assert.equal(endC.metadata, null);
    } finally {
      await workers.close();
    }
  });
});
