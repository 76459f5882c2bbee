import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { HighWater } from './high-water.js';

const key = (n: number) => n.toString(16).padStart(2, '0').repeat(32);

test('high-water marks only rise, survive a reload, and merge with what another process saved', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'coffer-hw-'));
  try {
    const marks = await HighWater.load(dir);
    assert.equal(marks.signerSetVersion, 0);
    marks.observeSignerSet(3);
    marks.observeSignerSet(2);
    marks.observeSnapshot(key(1), { sequence: 5, snapshot: key(5) });
    marks.observeSnapshot(key(1), { sequence: 4, snapshot: key(4) });
    await marks.save();

    const other = await HighWater.load(dir);
    assert.equal(other.signerSetVersion, 3);
    assert.deepEqual(other.head(key(1)), { sequence: 5, snapshot: key(5) });
    other.observeSnapshot(key(2), { sequence: 1, snapshot: key(7) });
    await other.save();

    marks.observeSnapshot(key(1), { sequence: 6, snapshot: key(6) });
    await marks.save(); // must keep key(2), saved by `other` meanwhile
    const merged = await HighWater.load(dir);
    assert.deepEqual(merged.head(key(1)), { sequence: 6, snapshot: key(6) });
    assert.deepEqual(merged.head(key(2)), { sequence: 1, snapshot: key(7) });
    assert.match(await readFile(join(dir, 'high-water.json'), 'utf8'), /"signerSet":3/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a damaged or foreign marks file counts as no marks; entries that are not marks are dropped', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'coffer-hw-'));
  try {
    const file = join(dir, 'high-water.json');
    await writeFile(file, '{not json');
    assert.equal((await HighWater.load(dir)).signers.size, 0);
    await writeFile(file, JSON.stringify({ version: 1, signerSet: 2, signers: { [key(1)]: { sequence: 0, snapshot: key(1) }, bad: { sequence: 1, snapshot: key(1) }, [key(2)]: { sequence: 2, snapshot: key(3) } } }));
    const marks = await HighWater.load(dir);
    assert.deepEqual([...marks.signers.keys()], [key(2)]);
    assert.equal(marks.signerSetVersion, 2);
    assert.equal((await HighWater.load(null)).signers.size, 0, 'no cache: no marks');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
