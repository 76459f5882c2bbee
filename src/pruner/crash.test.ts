// A prune killed at every point (docs/format.md "Why nothing needed is
// deleted", last case): the run is cut before each of its saves and removals
// in turn, on a copy of the same repository; each time `check --read-data`
// passes and every snapshot restores, and later runs finish the work.
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { pseudoRandomBytes } from '../e2e/testing.js';
import { makeTree, withTempDir } from '../source/testing.js';
import { Crash, CrashingBackend, GcTestRepository } from './testing.js';

const KiB = 1024;

test('a prune killed before any of its writes leaves a sound repository, and the next runs finish', { timeout: 120_000 }, async () => {
  await withTempDir(async (base) => {
    const gc = await GcTestRepository.create();
    // A snapshot whose data pack is mostly unused once an earlier one is forgotten, twice over:
    // the first prune repacks and plans; the run under test sweeps that plan, repacks again and plans.
    const shrinking = async (name: string) => {
      const dir = join(base, name);
      const spec: Record<string, Buffer> = {};
      for (let i = 0; i < 5; i++) spec[`f${i}.bin`] = pseudoRandomBytes(`crash ${name} ${i}`, 120 * KiB);
      await makeTree(dir, spec);
      const full = await gc.backup(dir);
      for (let i = 1; i < 5; i++) await rm(join(dir, `f${i}.bin`));
      await gc.backup(dir);
      await gc.forget(full.snapshotId);
    };
    await shrinking('one');
    const planned = await gc.prune({ maxUnused: 0.2 });
    assert.ok(planned.repack.packs > 0 && planned.plan);
    await shrinking('two');
    gc.advance(gc.windowMs);

    // Count the writes of a whole run.
    const probe = await gc.clone();
    const counter = new CrashingBackend(probe.memory, Number.POSITIVE_INFINITY);
    const whole = await probe.prune({ maxUnused: 0.2 }, counter);
    assert.ok(whole.sweep.packsDeleted > 0 && whole.repack.packs > 0 && whole.plan, 'the run sweeps, repacks and plans');
    const writes = counter.writes;
    assert.ok(writes >= 8, `${writes} writes`);
    console.log(`# a whole prune run makes ${writes} writes; killing it before each`);

    for (let at = 1; at <= writes; at++) {
      const copy = await gc.clone();
      const dying = new CrashingBackend(copy.memory, at);
      await assert.rejects(copy.prune({ maxUnused: 0.2 }, dying), (e) => e instanceof Crash, `killed before write ${at}`);
      await copy.assertHealthy(`after a kill before write ${at} of ${writes}`);
      if (at % 3 !== 1 && at !== writes) continue; // the follow-up runs are slower: check every third point
      for (let round = 0; round < 3; round++) {
        await copy.prune({ maxUnused: 0.2 });
        copy.advance(copy.windowMs);
      }
      await copy.assertHealthy(`after later runs (killed at ${at})`);
      assert.deepEqual(await copy.names('plans/'), [], 'all plans swept');
      const final = await copy.prune({ maxUnused: 0.2 });
      assert.equal(final.plan, null, `nothing left to collect (killed at ${at})`);
    }
  });
});
