import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MemoryBackend } from '../backend/memory.js';
import { CompressPool, ZstdCodec } from '../codec/index.js';
import { blobIdOf } from '../crypto/index.js';
import { BlobType } from '../format/index.js';
import { BlobIndex } from './blob-index.js';
import { BlobWriter } from './blob-writer.js';
import { generateKeyring } from './keyring.js';
import { OpenedPack } from './pack-reader.js';

const PACK_SIZE = 1024 * 1024;

test('blob writer: packs stay within packSize, every blob is indexed and opens, memory stays bounded', async () => {
  const backend = new MemoryBackend();
  const keyring = generateKeyring('test');
  const domain = keyring.domains[0]!;
  const index = new BlobIndex();
  const pool = new CompressPool({ threads: 2 });
  try {
    // A budget of 2 MiB forces `add` to wait for uploads many times (the path that once deadlocked).
    const writer = new BlobWriter({ backend, keyring, index, pool, packSize: PACK_SIZE, memoryBudget: 2 * 1024 * 1024, packsPerIndex: 4 });
    const blobs = new Map<string, Buffer>();
    for (let i = 0; i < 60; i++) {
      const data = i % 3 === 0 ? Buffer.from(`text ${i} `.repeat(20_000)) : randomBytes(100_000 + (i * 7919) % 200_000);
      const copy = Buffer.from(data);
      const id = blobIdOf(domain.keys.idKey, BlobType.data, copy);
      blobs.set(id.toString('hex'), copy);
      assert.equal(await writer.add(BlobType.data, id, data), true);
      assert.equal(await writer.add(BlobType.data, id, Buffer.from(copy)), false, 'a duplicate is refused');
    }
    const stats = await writer.finish();
    assert.equal(stats.blobsAdded, blobs.size);
    assert.equal(index.size, blobs.size);

    const keys = {
      readPublicKey: keyring.readPublicKey, readPrivateKey: keyring.readPrivateKey!, idKeys: [domain.keys.idKey],
      maxBlobSize: 8 * 1024 * 1024, packSize: PACK_SIZE,
    };
    const codec = new ZstdCodec();
    let packs = 0;
    for await (const object of backend.list('data/')) {
      const bytes = await backend.load(object.name);
      const pack = OpenedPack.open(object.name.split('/').pop()!, 'data', bytes, keys);
      assert.ok(bytes.length <= PACK_SIZE || pack.entries.length === 1, `pack of ${bytes.length} bytes with ${pack.entries.length} blobs`);
      for (const entry of pack.entries) assert.deepEqual(pack.openBlob(entry, codec), blobs.get(entry.id));
      packs += 1;
    }
    assert.equal(packs, stats.packsAdded);
    let indexObjects = 0;
    for await (const _ of backend.list('index/')) indexObjects += 1;
    assert.ok(indexObjects >= 2, 'index objects are written along the way, not only at the end');
  } finally {
    await pool.close();
  }
});

test('blob writer: packs of many tiny blobs stay within packSize, trailer included', async () => {
  const backend = new MemoryBackend();
  const keyring = generateKeyring('test');
  const domain = keyring.domains[0]!;
  const pool = new CompressPool({ threads: 1 });
  try {
    const writer = new BlobWriter({ backend, keyring, index: new BlobIndex(), pool, packSize: PACK_SIZE });
    for (let i = 0; i < 30_000; i++) {
      const data = randomBytes(1 + (i * 37) % 300);
      await writer.add(BlobType.data, blobIdOf(domain.keys.idKey, BlobType.data, data), data);
    }
    await writer.finish();
    let packs = 0;
    for await (const object of backend.list('data/')) {
      packs += 1;
      assert.ok(object.size <= PACK_SIZE, `pack ${object.name} is ${object.size} bytes`);
    }
    assert.ok(packs >= 5);
  } finally {
    await pool.close();
  }
});
