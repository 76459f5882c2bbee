// What prune trusts (docs/format.md "Garbage collection (prune)", "Terms"):
// a lying writer's index and a fake pack cannot make it delete the real copy
// of a blob; snapshots it cannot read or verify stop it unless the user says
// otherwise.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { generateRawKeyPair, sha256 } from '../crypto/index.js';
import { pseudoRandomBytes } from '../e2e/testing.js';
import { check } from '../checker/checker.js';
import { BlobType, Compression, encodeSnapshotJson, type BlobId, type PackId } from '../format/index.js';
import {
  encodePlanObject, encodeTombstoneObject, indexName, packName, requireOwnerKey, sealIndex, snapshotName, writerDomain,
} from '../repository/index.js';
import { buildPack } from '../repository/pack-builder.js';
import { sealDocument } from '../repository/sealed-document.js';
import { makeTree, withTempDir } from '../source/testing.js';
import { fileContent, walkTree } from '../walker/index.js';
import { GcTestRepository } from './testing.js';

const KiB = 1024;

describe('prune trusts only verified mappings', () => {
  test('a write-only writer\'s fake copies of referenced blobs never replace the real ones, and are collected', async () => {
    await withTempDir(async (base) => {
      const gc = await GcTestRepository.create();
      const dir = join(base, 'src');
      await makeTree(dir, { 'x.bin': pseudoRandomBytes('trust x', 150 * KiB), 'y.bin': pseudoRandomBytes('trust y', 150 * KiB) });
      const both = await gc.backup(dir);
      await rm(join(dir, 'y.bin'));
      const keep = await gc.backup(dir); // x only, deduplicated: the real copies stay in the first pack
      await gc.forget(both.snapshotId);

      // An authorized write-only signer, which writes a pack of junk claiming x's blob ids, and indexes it.
      const repository = await gc.open();
      await repository.loadIndex();
      const signer = { name: 'liar', ...generateRawKeyPair('ed25519') };
      const set = await repository.loadSignerSet();
      await repository.saveSignerSet({
        ...set, version: set.version + 1,
        signers: [...set.signers, { name: 'liar', publicKey: signer.publicKey, role: 'write-only', added: 1n, revoked: null, trustedSnapshots: [] }],
      }, requireOwnerKey(repository.keyring, 'test'));
      const xIds: BlobId[] = [];
      await walkTree(repository, (await repository.loadSnapshot(keep.snapshotId)).snapshot.tree, async ({ node }) => {
        if (node.type === 'file') xIds.push(...await fileContent(repository, node));
      });
      assert.ok(xIds.length > 3, `${xIds.length} blobs in x.bin`);
      const fake = buildPack('data', xIds.map((id) => ({
        id: Buffer.from(id, 'hex'), type: BlobType.data, compression: Compression.none, stored: Buffer.alloc(64, 7), rawLength: 64,
      })), repository.keyring.readPublicKey);
      await gc.memory.save(packName('data', fake.id), fake.bytes);
      const lie = sealIndex({ superseded: [], packs: [{ id: fake.id, type: 'data', entries: fake.entries }] }, writerDomain(repository.keyring), signer);
      await gc.memory.save(indexName(lie.id), lie.bytes);
      const realPacks = (await gc.names('data/')).filter((n) => !n.endsWith(fake.id));
      // Listing order is the storage's choice: make the fake pack come first, where a naive prune would pick it.
      for (const name of realPacks) {
        const bytes = await gc.memory.load(name);
        await gc.memory.remove(name);
        await gc.memory.save(name, bytes);
      }

      for (let round = 0; round < 3; round++) {
        await gc.prune({ maxUnused: 0.9 });
        gc.advance(gc.windowMs);
      }
      assert.ok(!(await gc.names('data/')).includes(packName('data', fake.id)), 'the fake pack was collected');
      assert.ok(!(await gc.names('index/')).includes(indexName(lie.id)), 'the lying index object went with it');
      const left = await gc.names('data/');
      assert.ok(realPacks.some((n) => left.includes(n)) || left.length > 0, 'real data is left');
      await gc.assertHealthy('x restores from the real copy');
    });
  });

  test('two write-only hosts that stored the same data: prune verifies one copy, endorses it, and collects the other', async () => {
    await withTempDir(async (base) => {
      const gc = await GcTestRepository.create();
      const hosts = [await gc.writeOnlyHost('host-a'), await gc.writeOnlyHost('host-b')];
      const dirs = [join(base, 'a'), join(base, 'b')];
      for (const dir of dirs) await makeTree(dir, { 'same.bin': pseudoRandomBytes('two hosts', 400 * KiB) });
      // At the same time: neither sees the other's index entries, so both store the data.
      await Promise.all(hosts.map((keyring, i) => gc.backupAs(keyring, dirs[i]!)));
      const before = (await gc.names('data/')).length;
      const first = await gc.prune();
      assert.ok(first.packsEndorsed >= 1, 'one host\'s pack was verified and endorsed');
      assert.ok(first.plan && first.plan.packs >= 1, 'the other copies are planned');
      gc.advance(gc.windowMs);
      const second = await gc.prune();
      assert.ok(second.sweep.bytesFreed >= 390 * KiB, `${second.sweep.bytesFreed} bytes of duplicates freed`);
      assert.ok((await gc.names('data/')).length < before);
      await gc.assertHealthy('both hosts\' snapshots restore from the endorsed copy');
    });
  });

  test('a plan or tombstone not signed by the owner is ignored by prune and reported by check', async () => {
    await withTempDir(async (base) => {
      const gc = await GcTestRepository.create();
      await makeTree(join(base, 'a'), { 'a.bin': pseudoRandomBytes('forged plan', 50 * KiB) });
      await gc.backup(join(base, 'a'));
      const packs = await gc.names('data/');
      const stranger = { ...generateRawKeyPair('ed25519') };
      const forged = encodePlanObject({
        windowMs: gc.windowMs, candidates: packs.map((n) => ({ id: n.slice(-64) as PackId, type: 'data' as const })), knownIndexes: [],
      }, stranger, { minWindowMs: 1 });
      await gc.memory.save(`plans/${forged.id}`, forged.bytes);
      const tomb = encodeTombstoneObject(packs.map((n) => n.slice(-64) as PackId), stranger);
      await gc.memory.save(`tombstones/${tomb.id}`, tomb.bytes);
      gc.advance(10 * gc.windowMs);
      const warnings: string[] = [];
      const result = await gc.prune({ onWarning: (w) => warnings.push(w.code) });
      assert.equal(result.sweep.packsDeleted, 0, 'a forged plan deletes nothing');
      assert.ok(warnings.includes('PRUNE_PLAN_INVALID') && warnings.includes('PRUNE_TOMBSTONE_INVALID'));
      assert.deepEqual(await gc.names('data/'), packs);
      const checked = await check(await gc.open(gc.memory));
      assert.equal(checked.problems.length, 2, JSON.stringify(checked.problems));
      assert.ok(checked.problems.every((p) => /not signed by the owner key/.test(p.message)));
    });
  });

  test('a snapshot prune cannot read stops it, unless --force', async () => {
    await withTempDir(async (base) => {
      const gc = await GcTestRepository.create();
      await makeTree(join(base, 'a'), { 'a.bin': pseudoRandomBytes('unreadable', 50 * KiB) });
      await gc.backup(join(base, 'a'));
      const junk = Buffer.concat([Buffer.from('cofr\x01\x05'), pseudoRandomBytes('junk snapshot', 200)]);
      const junkName = snapshotName(sha256(junk).toString('hex'));
      await gc.memory.save(junkName, junk);
      await assert.rejects(gc.prune(), (e: Error & { code?: string }) => e.code === 'INTEGRITY' && /cannot be read/.test(e.message) && /--force/.test(e.message));
      assert.deepEqual(await gc.names('plans/'), [], 'nothing planned');
      const warnings: string[] = [];
      await gc.prune({ force: true, onWarning: (w) => warnings.push(w.code) });
      assert.ok(warnings.includes('PRUNE_SNAPSHOT_UNREADABLE'));
      await gc.memory.remove(junkName);
      await gc.assertHealthy();
    });
  });

  test('an unverified snapshot stops prune; with --allow-unverified its data is kept', async () => {
    await withTempDir(async (base) => {
      const gc = await GcTestRepository.create();
      await makeTree(join(base, 'a'), { 'a.bin': pseudoRandomBytes('unverified a', 100 * KiB) });
      const real = await gc.backup(join(base, 'a'));
      const repository = await gc.open();
      const record = await repository.loadSnapshot(real.snapshotId);
      const stranger = { name: 'stranger', ...generateRawKeyPair('ed25519') };
      const forged = sealDocument('snapshot', encodeSnapshotJson({ ...record.snapshot, signer: stranger.publicKey }), stranger,
        repository.keyring.readPublicKey);
      await gc.memory.save(snapshotName(forged.id), forged.bytes);
      await gc.forget(real.snapshotId); // only the unverified snapshot refers to the data now
      await assert.rejects(gc.prune(), (e: Error) => /--allow-unverified/.test(e.message));
      const allowed = await gc.prune({ allowUnverified: true });
      assert.equal(allowed.plan, null, 'the unverified snapshot\'s data is kept');
    });
  });
});
