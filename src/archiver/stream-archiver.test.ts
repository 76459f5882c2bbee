import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blobIdOf } from '../crypto/index.js';
import { CofferError } from '../errors.js';
import { BlobType } from '../format/index.js';
import { writerDomain } from '../repository/index.js';
import { TEST_NOW, testRepository } from '../repository/testing.js';
import { Excluder } from '../source/index.js';
import { fileContent, lookupNode } from '../walker/index.js';
import { backup } from './backup.js';
import { archiveStream, streamPath } from './stream-archiver.js';

const KiB = 1024;
/** Tiny chunks, so a few MiB make more than 8192 blobs (content lists). */
const TINY_CHUNKER = { algorithm: 'fastcdc-v1', min: 64, avg: 128, max: 256 } as const;

/** A 64 KiB pseudo-random block repeated: many blobs, few of them distinct (fast to store). */
function repeatingData(length: number): Buffer {
  const block = Buffer.alloc(64 * KiB);
  let x = 0x9e3779b9;
  for (let i = 0; i < block.length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    block[i] = x & 0xff;
  }
  const out = Buffer.alloc(length);
  for (let at = 0; at < length; at += block.length) block.copy(out, at);
  return out;
}

async function* blocksOf(data: Buffer, size: number, failAfter?: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) {
    if (failAfter !== undefined && at >= failAfter) throw Object.assign(new Error('input/output error'), { code: 'EIO' });
    yield data.subarray(at, at + size);
  }
}

const backupOptions = { paths: [], excluder: new Excluder([]), now: TEST_NOW, clock: () => 0, cacheDir: null, program: 'test' };

test('a stream becomes one file at its name, directories on the way, content lists beyond 8192 blobs', async () => {
  const { repository } = await testRepository({ chunker: TINY_CHUNKER });
  const data = repeatingData(1536 * KiB);
  const result = await backup(repository, {
    ...backupOptions,
    stream: { input: blocksOf(data, 60 * KiB), name: '/db//dump.sql', mode: 0o600, uid: 1234, gid: 5678, mtime: TEST_NOW },
  });
  assert.deepEqual(result.snapshot.paths, ['/db/dump.sql']);
  assert.equal(result.snapshot.incomplete, false);
  assert.equal(result.summary.bytesRead, data.length);
  const tree = result.snapshot.tree;
  const dir = await lookupNode(repository, tree, [Buffer.from('db')]);
  assert.equal(dir.type, 'dir');
  assert.equal(dir.mode, 0o700);
  const file = await lookupNode(repository, tree, [Buffer.from('db'), Buffer.from('dump.sql')]);
  assert.deepEqual({ type: file.type, mode: file.mode, uid: file.uid, gid: file.gid, mtime: file.mtime, size: file.size },
    { type: 'file', mode: 0o600, uid: 1234, gid: 5678, mtime: TEST_NOW, size: data.length });
  assert.ok(file.contentLists && file.contentLists.length >= 2, 'more than 8192 blobs are listed in content lists');
  const ids = await fileContent(repository, file);
  const unique = new Map(await Promise.all([...new Set(ids)].map(async (id) => [id, await repository.loadDataBlob(id)] as const)));
  assert.ok(Buffer.concat(ids.map((id) => unique.get(id)!)).equals(data), 'the stored content is the stream');
  assert.equal((await repository.listSnapshots()).snapshots.length, 1);
});

test('a stream that fails while being read writes no snapshot', async () => {
  const { repository } = await testRepository({ chunker: TINY_CHUNKER });
  const data = repeatingData(256 * KiB);
  await assert.rejects(
    backup(repository, {
      ...backupOptions,
      stream: { input: blocksOf(data, 16 * KiB, 128 * KiB), name: 'stdin', mode: 0o600, uid: 0, gid: 0, mtime: TEST_NOW },
    }),
    (error: unknown) => error instanceof CofferError && error.code === 'STREAM_FAILED' && /EIO/.test(error.message),
  );
  assert.equal((await repository.listSnapshots()).snapshots.length, 0);
});

test('reading waits for the blob sink: a stalled sink stops the stream from being read ahead', async () => {
  const { repository } = await testRepository({ chunker: TINY_CHUNKER });
  const domain = writerDomain(repository.keyring);
  let pulled = 0;
  let stopped = false;
  async function* endless(): AsyncGenerator<Buffer> {
    while (!stopped) {
      await new Promise((resolve) => setImmediate(resolve)); // a stream that never ends, yet lets timers run
      pulled += 4 * KiB;
      yield repeatingData(4 * KiB);
    }
  }
  let stalled!: () => void;
  const stall = new Promise<void>((resolve) => { stalled = resolve; });
  const never = new Promise<boolean>(() => undefined);
  const archiving = archiveStream(
    { input: endless(), name: 'stdin', mode: 0o600, uid: 0, gid: 0, mtime: TEST_NOW },
    {
      sink: {
        blobIdOf: (type, data) => blobIdOf(domain.keys.idKey, type, data),
        knows: () => false,
        add: (type) => {
          assert.equal(type, BlobType.data);
          stalled();
          return never; // a writer over its memory budget
        },
      },
      chunker: TINY_CHUNKER, gear: domain.gear,
    },
  );
  archiving.catch(() => undefined);
  await stall;
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
  stopped = true;
  assert.ok(pulled <= 8 * KiB, `read ${pulled} bytes ahead of a stalled sink`);
});

test('stream names: split at "/", "." and ".." refused', () => {
  assert.deepEqual(streamPath('pool@snap').map(String), ['pool@snap']);
  assert.deepEqual(streamPath('/a//b/').map(String), ['a', 'b']);
  for (const bad of ['', '/', 'a/../b', './x', 'a\0b']) assert.throws(() => streamPath(bad), /--stdin-filename/);
});

test('a backup that fails while storing lets the stream clean up (a command is killed), and is not called a read error', async () => {
  const { repository } = await testRepository({ chunker: TINY_CHUNKER });
  const domain = writerDomain(repository.keyring);
  let cleanedUp = false;
  async function* stream(): AsyncGenerator<Buffer> {
    try {
      for (;;) yield repeatingData(4 * KiB);
    } finally {
      cleanedUp = true;
    }
  }
  const storageDown = new CofferError('BACKEND', 'storage is down');
  await assert.rejects(archiveStream(
    { input: stream(), name: 'stdin', mode: 0o600, uid: 0, gid: 0, mtime: TEST_NOW },
    {
      sink: { blobIdOf: (type, data) => blobIdOf(domain.keys.idKey, type, data), knows: () => false, add: () => Promise.reject(storageDown) },
      chunker: TINY_CHUNKER, gear: domain.gear,
    },
  ), (error: unknown) => error === storageDown);
  assert.ok(cleanedUp, 'the stream was closed');
});
