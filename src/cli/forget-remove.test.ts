import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBackend } from '../backend/memory.js';
import { AbortedError, BackendError, type Warning } from '../errors.js';
import { snapshotName } from '../repository/index.js';
import { removeSnapshots } from './forget-remove.js';

const id = (n: number) => n.toString(16).padStart(64, '0');

/** Storage that refuses to delete some objects, as under object lock. */
class LockedBackend extends MemoryBackend {
  constructor(private readonly locked: ReadonlySet<string>) {
    super();
  }

  override async remove(name: string, options?: { signal?: AbortSignal }): Promise<void> {
    if (this.locked.has(name)) throw new BackendError(`remove ${name}: object is locked`, { transient: false });
    return super.remove(name, options);
  }
}

test('a refused removal is a named warning; the others are removed; a missing one counts as removed', async () => {
  const backend = new LockedBackend(new Set([snapshotName(id(2))]));
  for (const n of [1, 2, 3, 4]) await backend.save(snapshotName(id(n)), Buffer.from([n]));
  const warnings: Warning[] = [];
  const outcome = await removeSnapshots(backend, [id(1), id(2), id(3), id(5)], (w) => warnings.push(w));
  assert.deepEqual(outcome, { removed: 3, failed: 1 });
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]!.code, 'FORGET_FAILED');
  assert.match(warnings[0]!.message, new RegExp(`snapshot ${id(2).slice(0, 8)}: not removed: .*locked`));
  const left: string[] = [];
  for await (const o of backend.list('snapshots/')) left.push(o.name);
  assert.deepEqual(left.sort(), [snapshotName(id(2)), snapshotName(id(4))]);
});

test('an abort stops removal with AbortedError instead of counting failures', async () => {
  const backend = new MemoryBackend();
  for (const n of [1, 2, 3]) await backend.save(snapshotName(id(n)), Buffer.from([n]));
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(removeSnapshots(backend, [id(1), id(2), id(3)], () => assert.fail('no warnings'), controller.signal), AbortedError);
});
