import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { CompressPool } from '../codec/index.js';
import { blobIdOf } from '../crypto/index.js';
import { BlobType } from '../format/index.js';
import { BlobWriter } from './blob-writer.js';
import { openIndex } from './index-object.js';
import { openRepository } from './init.js';
import { indexName, packName } from './layout.js';
import { buildPack } from './pack-builder.js';
import { rebuildIndex } from './rebuild-index.js';
import type { Repository } from './repository.js';
import { flipBit, packableBlob, randomDomain, testRepository, type TestRepository } from './testing.js';

/** A repository holding data and tree blobs in several packs, with index objects written along the way. */
async function filledRepository(): Promise<TestRepository> {
  const test = await testRepository({ packSize: 1024 * 1024 });
  const { repository } = test;
  const domain = repository.keyring.domains[0]!;
  const pool = new CompressPool({ threads: 1 });
  try {
    const writer = new BlobWriter({
      backend: repository.backend, keyring: repository.keyring, index: repository.index, pool,
      packSize: repository.config.packSize, packsPerIndex: 2,
    });
    for (let i = 0; i < 24; i++) {
      const type = i % 4 === 0 ? BlobType.tree : BlobType.data;
      const data = i % 3 === 0 ? Buffer.from(`blob ${i} `.repeat(10_000)) : randomBytes(150_000);
      await writer.add(type, blobIdOf(domain.keys.idKey, type, data), data);
    }
    await writer.finish();
  } finally {
    await pool.close();
  }
  return test;
}

/** Blob id -> pack id, as a fresh client reading the index objects sees it; and the load issues. */
async function indexed(test: TestRepository): Promise<{ map: Map<string, string>; issues: string[] }> {
  const { repository } = await openRepository(test.backend, test.passphrase);
  const issues = (await repository.loadIndex()).map((i) => i.message);
  const map = new Map<string, string>();
  for (const [id, location] of repository.index.entries()) map.set(Buffer.from(id).toString('hex'), location.packId);
  return { map, issues };
}

async function names(repository: Repository, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const object of repository.backend.list(prefix)) out.push(object.name);
  return out.sort();
}

test('repair index rebuilds the same mapping from packs alone after every index object is deleted', async () => {
  const test = await filledRepository();
  const before = await indexed(test);
  assert.ok(before.map.size === 24 && before.issues.length === 0);
  const oldIndexes = await names(test.repository, 'index/');
  assert.ok(oldIndexes.length >= 2);
  for (const name of oldIndexes) await test.backend.remove(name);
  assert.equal((await indexed(test)).map.size, 0);

  const result = await rebuildIndex(test.repository, { entriesPerIndex: 10 });
  assert.deepEqual(result.problems, []);
  assert.equal(result.blobsIndexed, 24);
  assert.equal(result.packsIndexed, (await names(test.repository, 'data/')).length + (await names(test.repository, 'tree/')).length);
  assert.ok(result.indexesWritten.length >= 2, 'large indexes are split into several objects');
  const after = await indexed(test);
  assert.deepEqual(after.issues, []);
  assert.deepEqual(after.map, before.map);
});

test('repair index replaces a damaged index object, and leaves out blobs and packs that do not verify', async () => {
  const test = await filledRepository();
  const { repository, backend } = test;
  const before = await indexed(test);
  const oldIndexes = await names(repository, 'index/');
  const damaged = oldIndexes[0]!;
  const bytes = await backend.load(damaged);
  await backend.remove(damaged);
  await backend.save(damaged, flipBit(bytes, bytes.length * 4));
  assert.equal((await indexed(test)).issues.length, 1, 'the damaged index object is reported');

  // A pack sealed to the public read key by someone without the ID key: it opens, its blob does not verify.
  const foreign = buildPack('data', [packableBlob(repository.codec, randomDomain().keys.idKey, BlobType.data, randomBytes(5000))],
    repository.keyring.readPublicKey);
  await backend.save(packName('data', foreign.id), foreign.bytes);

  const result = await rebuildIndex(repository);
  assert.equal(result.problems.length, 1);
  assert.match(result.problems[0]!.message, /does not match the blob id/);
  assert.equal(result.problems[0]!.object, packName('data', foreign.id));
  assert.deepEqual([...result.indexesRemoved].sort(), oldIndexes);
  assert.deepEqual(await names(repository, 'index/'), [...result.indexesWritten].sort());
  const after = await indexed(test);
  assert.deepEqual(after.issues, []);
  assert.deepEqual(after.map, before.map);
  assert.ok(![...after.map.values()].includes(foreign.id));

  // The last new index object lists every old one as superseded.
  const last = result.indexesWritten[result.indexesWritten.length - 1]!;
  const opened = openIndex(last.slice('index/'.length), await backend.load(last), repository.keyring.domains);
  assert.deepEqual([...opened.payload.superseded].map(indexName).sort(), oldIndexes);
});
