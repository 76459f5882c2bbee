// Prune, in-process on a memory backend whose clock the test moves
// (docs/format.md "Garbage collection (prune)"): two phases with a window,
// repack, object lock, refusing unreadable or unverified snapshots, and
// repeated runs converging.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pseudoRandomBytes } from '../e2e/testing.js';
import { makeTree, withTempDir } from '../source/testing.js';
import { GcTestRepository, LockingBackend } from './testing.js';

const KiB = 1024;

/** A directory of `files` incompressible files of `size` bytes, distinct per `seed`. */
async function makeData(dir: string, seed: string, files: number, size: number): Promise<string> {
  const spec: Record<string, Buffer> = {};
  for (let i = 0; i < files; i++) spec[`f${i}.bin`] = pseudoRandomBytes(`${seed} ${i}`, size);
  await makeTree(dir, spec);
  return dir;
}

describe('prune', () => {
  test('plans unused packs, deletes them only after the window, and keeps every snapshot whole', async () => {
    await withTempDir(async (base) => {
      const gc = await GcTestRepository.create();
      const old = await gc.backup(await makeData(join(base, 'old'), 'old', 3, 300 * KiB));
      const kept = await gc.backup(await makeData(join(base, 'kept'), 'kept', 3, 300 * KiB));
      const packsBefore = await gc.names('data/');
      await gc.forget(old.snapshotId);

      const first = await gc.prune();
      assert.equal(first.sweep.packsDeleted, 0, 'nothing is deleted in the first phase');
      assert.ok(first.plan && first.plan.packs > 0, 'the old snapshot\'s packs are planned');
      assert.deepEqual(await gc.names('data/'), packsBefore);
      assert.equal((await gc.names('plans/')).length, 1);
      await gc.assertHealthy('after planning');

      gc.advance(gc.windowMs - 1);
      const early = await gc.prune();
      assert.equal(early.sweep.packsDeleted, 0, 'not before the window has passed');
      assert.equal(early.plan, null, 'packs already planned are not planned again');

      gc.advance(1);
      const second = await gc.prune();
      assert.equal(second.sweep.plans, 1);
      assert.ok(second.sweep.packsDeleted >= first.plan.packs - 1, `deleted ${second.sweep.packsDeleted}`);
      assert.ok(second.sweep.bytesFreed > 800 * KiB);
      assert.deepEqual(await gc.names('plans/'), [], 'a swept plan is removed');
      assert.ok((await gc.names('data/')).length < packsBefore.length);
      await gc.assertHealthy('after the sweep');
      assert.ok(gc.expected.has(kept.snapshotId));

      const third = await gc.prune();
      assert.equal(third.plan, null, 'nothing left to collect');
      assert.equal(third.sweep.packsDeleted, 0);
      await gc.assertHealthy('after a third run');
    });
  });

  test('repacks packs whose unused share exceeds --max-unused, copying only used blobs', async () => {
    await withTempDir(async (base) => {
      const gc = await GcTestRepository.create({ packSize: 4 * 1024 * 1024 });
      const dir = await makeData(join(base, 'src'), 'repack', 8, 100 * KiB);
      const full = await gc.backup(dir);
      const { rm } = await import('node:fs/promises');
      for (let i = 1; i < 8; i++) await rm(join(dir, `f${i}.bin`));
      const small = await gc.backup(dir); // f0 only, deduplicated against the first backup's pack
      assert.equal(small.writer.packsAdded, 1, 'only a tree pack: f0 was deduplicated');
      await gc.forget(full.snapshotId);

      const first = await gc.prune({ maxUnused: 0.5 });
      assert.equal(first.repack.packs, 1, 'the data pack is mostly unused');
      assert.ok(first.repack.blobsCopied > 0 && first.repack.blobsCopied < 30, `${first.repack.blobsCopied} blobs copied`);
      assert.ok(first.plan!.packs >= 1);
      await gc.assertHealthy('after repacking');
      gc.advance(gc.windowMs);
      const second = await gc.prune({ maxUnused: 0.5 });
      assert.ok(second.sweep.bytesFreed > 500 * KiB, `${second.sweep.bytesFreed} bytes freed`);
      assert.equal(second.repack.packs, 0, 'the copies are not repacked again');
      await gc.assertHealthy('after sweeping the repacked pack');
    });
  });

  test('storage that refuses deletions: reported, tombstoned, and deleted once allowed', async () => {
    await withTempDir(async (base) => {
      const gc = await GcTestRepository.create();
      const old = await gc.backup(await makeData(join(base, 'old'), 'locked old', 2, 300 * KiB));
      await gc.backup(await makeData(join(base, 'new'), 'locked new', 1, 100 * KiB));
      await gc.forget(old.snapshotId);
      const locked = new LockingBackend(gc.memory);
      gc.backend = locked;
      const warnings: string[] = [];
      await gc.prune({ onWarning: (w) => warnings.push(w.code) });
      gc.advance(gc.windowMs);
      const refused = await gc.prune({ onWarning: (w) => warnings.push(w.code) });
      assert.equal(refused.sweep.packsDeleted, 0);
      assert.ok(refused.sweep.removalsRefused > 0 && locked.refused > 0);
      assert.ok(warnings.includes('PRUNE_REMOVE_REFUSED'));
      assert.equal((await gc.names('tombstones/')).length, 1, 'the refused packs are tombstoned');
      await gc.assertHealthy('with locked objects left behind');

      locked.refuseRemove = false;
      const later = await gc.prune();
      assert.ok(later.sweep.packsDeleted > 0, 'a later run deletes what was refused');
      await gc.assertHealthy('after the lock is lifted');
      const again = await gc.prune();
      assert.equal(again.sweep.packsDeleted, 0);
      assert.deepEqual(await gc.names('plans/'), []);
    });
  });

  test('a dry run changes nothing and reports what a run would do', async () => {
    await withTempDir(async (base) => {
      const gc = await GcTestRepository.create();
      const old = await gc.backup(await makeData(join(base, 'old'), 'dry', 2, 200 * KiB));
      await gc.forget(old.snapshotId);
      const before = [...await gc.names('')];
      const dry = await gc.prune({ dryRun: true });
      assert.ok(dry.plan && dry.plan.packs > 0 && dry.plan.id === null);
      assert.equal(dry.clock, 'client');
      assert.deepEqual(await gc.names(''), before, 'nothing written or removed');
    });
  });
});
