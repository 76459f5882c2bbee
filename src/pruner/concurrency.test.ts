// Prune against backups running at the same time (docs/format.md "Writers",
// "Why nothing needed is deleted"), in-process: a backend hook runs prune at
// a chosen point of a backup, and the test moves the storage's and the
// writer's clocks. Each case is an interleaving that would lose data if the
// writer protocol or the sweep's rules were missing.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pseudoRandomBytes } from '../e2e/testing.js';
import { makeTree, withTempDir } from '../source/testing.js';
import { GcTestRepository, HookedBackend } from './testing.js';

const KiB = 1024;

/** A repository whose only snapshot was forgotten: its packs are unused, and `dir` still holds its files. */
async function forgottenData(base: string): Promise<{ gc: GcTestRepository; dir: string; oldPacks: string[] }> {
  const gc = await GcTestRepository.create();
  const dir = join(base, 'src');
  await makeTree(dir, { 'a.bin': pseudoRandomBytes('conc a', 200 * KiB), 'b.bin': pseudoRandomBytes('conc b', 200 * KiB) });
  const old = await gc.backup(dir);
  const oldPacks = await gc.names('data/');
  await gc.forget(old.snapshotId);
  // The next backup reads one new file, so it saves a pack after it has deduplicated against the old ones.
  await writeFile(join(dir, 'new.bin'), pseudoRandomBytes('conc new', 50 * KiB));
  return { gc, dir, oldPacks };
}

/** A hook that runs `action` once, at the backup's first save of an object under `prefix`. */
function once(prefix: string, action: () => Promise<void>): (name: string) => Promise<void> {
  let done = false;
  return async (name) => {
    if (done || !name.startsWith(prefix)) return;
    done = true;
    await action();
  };
}

describe('prune with concurrent backups', () => {
  test('a backup that deduplicated against packs a new plan lists saves its snapshot in time: they are kept', async () => {
    await withTempDir(async (base) => {
      const { gc, dir, oldPacks } = await forgottenData(base);
      let planned = 0;
      const hooked = new HookedBackend(gc.memory, once('data/', async () => {
        planned = (await gc.prune({}, gc.memory)).plan?.packs ?? 0;
      }));
      const result = await gc.backup(dir, hooked);
      assert.ok(planned >= oldPacks.length, 'the plan lists the old packs the backup depends on');
      assert.equal(result.summary.filesNew, 3);
      gc.advance(gc.windowMs);
      const swept = await gc.prune();
      assert.equal(swept.sweep.plans, 1);
      for (const name of oldPacks) assert.ok((await gc.names('data/')).includes(name), `${name} is used again and kept`);
      await gc.assertHealthy();
    });
  });

  test('a backup that outlives R rescues its dependencies, and a sweep before its snapshot keeps them', async () => {
    await withTempDir(async (base) => {
      const { gc, dir, oldPacks } = await forgottenData(base);
      let swept: Awaited<ReturnType<GcTestRepository['prune']>> | undefined;
      const hooked = new HookedBackend(gc.memory, async (name) => {
        if (name.startsWith('data/') && !swept) {
          await gc.prune({}, gc.memory); // the plan lists packs this backup depends on
          gc.advance(gc.windowMs / 4 + 10); // more than R: the backup refreshes before its snapshot
        }
        if (name.startsWith('snapshots/') && !swept) {
          gc.advance(gc.windowMs); // the plan is ripe, and this backup's snapshot is not saved yet
          swept = await gc.prune({}, gc.memory);
        }
      });
      const result = await gc.backup(dir, hooked);
      assert.equal(result.gc.rescues, 1, 'the backup saved a rescue index');
      assert.ok(swept && swept.sweep.plans === 1);
      assert.ok(swept.sweep.packsKept >= oldPacks.length, 'the rescue index protected the candidates');
      for (const name of oldPacks) assert.ok((await gc.names('data/')).includes(name), `${name} survived the sweep`);
      await gc.assertHealthy('after the sweep');
      gc.advance(gc.windowMs);
      await gc.prune();
      gc.advance(gc.windowMs);
      await gc.prune();
      await gc.assertHealthy('after later runs');
    });
  });

  test('a backup that waits (paused) keeps refreshing on a timer, so a sweep during the wait keeps its dependencies', async () => {
    await withTempDir(async (base) => {
      const { gc, dir, oldPacks } = await forgottenData(base);
      let kept = 0;
      const hooked = new HookedBackend(gc.memory, once('data/', async () => {
        // The backup is stuck here, as on a pause file: only its timer can act.
        await gc.prune({}, gc.memory);
        gc.advance(gc.windowMs / 4 + 10);
        // Real time for the timer to fire and its rescue index to land (polled: a loaded machine is slow).
        const indexes = async () => {
          let n = 0;
          for await (const _ of gc.memory.list('index/')) n += 1;
          return n;
        };
        const before = await indexes();
        for (let waited = 0; waited < 60 * gc.windowMs && (await indexes()) === before; waited += gc.windowMs / 4) {
          await new Promise((resolve) => setTimeout(resolve, gc.windowMs / 4));
        }
        gc.advance(gc.windowMs);
        kept = (await gc.prune({}, gc.memory)).sweep.packsKept;
      }));
      const result = await gc.backup(dir, hooked);
      // At least one: on a slow machine the timer may fire again while the sweep runs (the clock has moved on by then).
      assert.ok(result.gc.rescues >= 1, 'the timer\'s refresh saved a rescue index while the backup waited');
      assert.ok(kept >= oldPacks.length, `${kept} candidates kept by the sweep`);
      await gc.assertHealthy();
    });
  });

  test('a backup that starts after a plan does not deduplicate against its packs', async () => {
    await withTempDir(async (base) => {
      const { gc, dir } = await forgottenData(base);
      await gc.prune();
      const result = await gc.backup(dir);
      assert.ok(result.writer.rawBytesAdded >= 450 * KiB, `the old files were stored again (${result.writer.rawBytesAdded} bytes)`);
      gc.advance(gc.windowMs);
      const swept = await gc.prune();
      assert.ok(swept.sweep.packsDeleted >= 1);
      await gc.assertHealthy();
    });
  });

  test('a backup that starts late in a plan\'s window, and saves its snapshot after the sweep, did not use the doomed packs', async () => {
    await withTempDir(async (base) => {
      const { gc, dir, oldPacks } = await forgottenData(base);
      await gc.prune();
      gc.advance(gc.windowMs - 10); // the plan ripens while this backup runs
      let swept = 0;
      const hooked = new HookedBackend(gc.memory, once('snapshots/', async () => {
        gc.advance(10);
        swept = (await gc.prune({}, gc.memory)).sweep.packsDeleted;
      }));
      await gc.backup(dir, hooked);
      assert.ok(swept >= oldPacks.length, 'the sweep ran between the backup\'s last pack and its snapshot');
      await gc.assertHealthy();
    });
  });

  test('a backup suspended past the window while its dependencies were swept fails instead of saving a broken snapshot', async () => {
    await withTempDir(async (base) => {
      const { gc, dir, oldPacks } = await forgottenData(base);
      const hooked = new HookedBackend(gc.memory, once('data/', async () => {
        await gc.prune({}, gc.memory);
        gc.advance(gc.windowMs);
        const swept = await gc.prune({}, gc.memory);
        assert.ok(swept.sweep.packsDeleted >= oldPacks.length, 'the sweep deleted what the suspended backup depends on');
        // Only the storage's clock moved: the machine was asleep. The wall clock shows it on waking.
        gc.writerClock = { wall: gc.writerClock.wall + 2 * gc.windowMs, mono: gc.writerClock.mono };
      }));
      await assert.rejects(gc.backup(dir, hooked), (e: Error & { code?: string }) => e.code === 'CONFLICT' && /run the backup again/.test(e.message));
      assert.deepEqual(await gc.names('snapshots/'), [], 'no snapshot was written');
      await gc.assertHealthy();
      const retry = await gc.backup(dir);
      assert.ok(retry.snapshotId);
      await gc.assertHealthy('after running the backup again');
    });
  });

  test('a rescue that lands too close to the end of the window stops the backup', async () => {
    await withTempDir(async (base) => {
      const { gc, dir } = await forgottenData(base);
      const hooked = new HookedBackend(gc.memory, once('data/', async () => {
        await gc.prune({}, gc.memory);
        gc.storageNowAdvance(gc.windowMs - 100); // storage time runs far ahead of this writer's clocks
        gc.writerClock = { wall: gc.writerClock.wall + gc.windowMs / 4 + 1, mono: gc.writerClock.mono + gc.windowMs / 4 + 1 };
      }));
      await assert.rejects(gc.backup(dir, hooked), (e: Error & { code?: string }) => e.code === 'CONFLICT');
      await gc.assertHealthy();
    });
  });
});
