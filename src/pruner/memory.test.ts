// Prune's memory stays bounded (docs/format.md "Garbage collection
// (prune)", "Memory"): on a synthetic repository of 400 000 indexed blobs,
// half of them referenced, the run's extra live memory (V8 heap and array
// buffers after a collection, sampled every 20 ms and at each progress
// report) stays within 120 bytes per referenced blob (about 80 are measured;
// a Map of hex strings would take twice that). Data packs are endorsed
// (owner-signed index entries), so their contents are known without reading
// them; trees are real.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { blobIdOf, randomBytes, sha256 } from '../crypto/index.js';
import {
  BlobType, bytesToId, Compression, encodeContentList, encodeTree, padme, type BlobEntry, type BlobId, type IndexPack, type PackId,
} from '../format/index.js';
import { indexName, packName, requireOwnerKey, sealIndex, writerDomain } from '../repository/index.js';
import { buildPack } from '../repository/pack-builder.js';
import { GcTestRepository } from './testing.js';

const PACKS = 100;
const BLOBS_PER_PACK = 4000;
const BLOB = 1024;

test('prune of 400 000 blobs stays within a bounded number of bytes per referenced blob', { timeout: 120_000 }, async () => {
  const gc = await GcTestRepository.create();
  const repository = await gc.open();
  const { keyring } = repository;
  const domain = writerDomain(keyring);
  const owner = { name: 'owner', publicKey: keyring.ownerPublicKey, privateKey: requireOwnerKey(keyring, 'test') };
  const referenced: BlobId[] = [];
  const indexPacks: IndexPack[] = [];
  for (let p = 0; p < PACKS; p++) {
    // The packs' bytes are never read (their owner-signed entries say what they hold); only their names matter.
    const stub = randomBytes(64);
    const id = bytesToId('pack', sha256(stub)) as PackId;
    await gc.memory.save(packName('data', id), stub);
    const entries: BlobEntry[] = [];
    const ids = randomBytes(32 * BLOBS_PER_PACK);
    for (let b = 0; b < BLOBS_PER_PACK; b++) {
      const blob = ids.toString('hex', b * 32, b * 32 + 32) as BlobId;
      if (b % 2 === 0) referenced.push(blob);
      entries.push({
        id: blob, type: BlobType.data, compression: Compression.none, offset: 38 + b * (padme(BLOB) + 16),
        sealedLength: padme(BLOB) + 16, storedLength: BLOB, rawLength: BLOB, counter: b,
      });
    }
    indexPacks.push({ id, type: 'data', entries });
  }
  for (let i = 0; i < indexPacks.length; i += 10) {
    const sealed = sealIndex({ superseded: [], packs: indexPacks.slice(i, i + 10) }, domain, owner);
    await gc.memory.save(indexName(sealed.id), sealed.bytes);
  }
  indexPacks.length = 0;

  // One file whose content lists name every referenced blob; one content list per tree pack.
  const treeEntries: IndexPack[] = [];
  const lists: BlobId[] = [];
  for (let i = 0; i < referenced.length; i += 8192) {
    const bytes = encodeContentList(referenced.slice(i, i + 8192));
    const id = blobIdOf(domain.keys.idKey, BlobType.tree, bytes);
    lists.push(bytesToId('blob', id));
    const pack = buildPack('tree', [{ id, type: BlobType.tree, compression: Compression.none, stored: bytes, rawLength: bytes.length }], keyring.readPublicKey);
    await gc.memory.save(packName('tree', pack.id), pack.bytes);
    treeEntries.push({ id: pack.id, type: 'tree', entries: pack.entries });
  }
  const root = encodeTree([{ name: Buffer.from('big'), type: 'file', mode: 0o644, uid: 0, gid: 0, mtime: 0n, size: referenced.length * BLOB, contentLists: lists }]);
  const rootId = blobIdOf(domain.keys.idKey, BlobType.tree, root);
  const rootPack = buildPack('tree', [{ id: rootId, type: BlobType.tree, compression: Compression.none, stored: root, rawLength: root.length }], keyring.readPublicKey);
  await gc.memory.save(packName('tree', rootPack.id), rootPack.bytes);
  treeEntries.push({ id: rootPack.id, type: 'tree', entries: rootPack.entries });
  const treeIndex = sealIndex({ superseded: [], packs: treeEntries }, domain, owner);
  await gc.memory.save(indexName(treeIndex.id), treeIndex.bytes);
  const snapshotId = await repository.saveSnapshot({
    format: 1, time: 1n, tree: bytesToId('blob', rootId), paths: ['/big'], hostname: 'h', username: 'u', tags: [], domain: domain.id,
    signer: keyring.signer.publicKey, sequence: 1, previous: null, incomplete: false, program: 'test',
    summary: { filesNew: 1, filesChanged: 0, filesUnchanged: 0, dirs: 0, bytesRead: 0, bytesAdded: 0, packsAdded: 0, warnings: 0, durationMs: 0 },
  });
  const referencedCount = referenced.length + lists.length + 1;
  referenced.length = 0;

  // Live memory only: collect garbage before each sample, so the bound does not depend on when V8 collects.
  setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as () => void;
  const used = () => { collect(); const m = process.memoryUsage(); return m.heapUsed + m.arrayBuffers; };
  const before = used();
  let peak = before;
  const sample = () => { peak = Math.max(peak, used()); };
  const timer = setInterval(sample, 20);
  const result = await gc.prune({ dryRun: true, onProgress: sample }).finally(() => clearInterval(timer));
  sample();
  assert.equal(result.referencedBlobs, referencedCount);
  assert.equal(result.snapshots, 1);
  assert.ok(snapshotId);
  const perBlob = (peak - before) / referencedCount;
  console.log(`# ${PACKS * BLOBS_PER_PACK} indexed blobs, ${referencedCount} referenced: peak ${((peak - before) / 2 ** 20).toFixed(1)} MiB extra, ${perBlob.toFixed(0)} bytes per referenced blob`);
  assert.ok(perBlob < 120, `${perBlob.toFixed(0)} bytes per referenced blob`);
});
