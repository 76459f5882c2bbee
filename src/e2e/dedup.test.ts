/**
 * Deduplication through the CLI: unchanged data, renamed directories and
 * shifted content add (almost) nothing to the repository, as `bytesAdded`
 * in the `backup --json` summary shows.
 */
import assert from 'node:assert/strict';
import { readFile, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { toUtimeSeconds } from '../source/index.js';
import { file, makeTree, readTree, withTempDir, type TreeSpec } from '../source/testing.js';
import { Coffer, pseudoRandomBytes, restoredPath, toMicroseconds } from './testing.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** What a backup that stores no file data may add: tree packs for changed directories and an index object. */
const METADATA_ONLY = 64 * KiB;

/** 12 files of random data (4 MiB in all) in three directories, and a few small text files. */
function dataTree(): { spec: TreeSpec; files: number; bytes: number } {
  const spec: Record<string, Record<string, Buffer | string>> = {};
  let files = 0;
  let bytes = 0;
  for (const d of ['alpha', 'beta', 'gamma']) {
    const entries: Record<string, Buffer | string> = {};
    for (let i = 0; i < 4; i++) {
      const data = pseudoRandomBytes(`dedup ${d} ${i}`, 256 * KiB + i * 37 * KiB);
      entries[`file-${i}.bin`] = data;
      bytes += data.length;
      files += 1;
    }
    entries['notes.txt'] = `notes of ${d}\n`;
    bytes += entries['notes.txt'].length;
    files += 1;
    spec[d] = entries;
  }
  return { spec, files, bytes };
}

test('a second backup of unchanged data adds only metadata, with and without the files cache', { timeout: 90_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base, { smallChunks: true });
    const source = join(base, 'data');
    const { spec, files, bytes } = dataTree();
    await makeTree(source, spec);

    const first = await coffer.backup([source]);
    assert.equal(first.filesNew, files);
    assert.equal(first.bytesRead, bytes);
    assert.ok(first.bytesAdded >= bytes * 0.95, `the first backup stores the data: ${first.bytesAdded} of ${bytes} bytes`);
    await coffer.check();

    const second = await coffer.backup([source]);
    assert.equal(second.filesUnchanged, files, 'every file is unchanged (files cache)');
    assert.equal(second.filesNew + second.filesChanged, 0);
    assert.equal(second.bytesRead, 0, 'unchanged files are not read again');
    assert.ok(second.bytesAdded < METADATA_ONLY, `an unchanged backup added ${second.bytesAdded} bytes`);
    assert.notEqual(second.snapshot, first.snapshot);

    // Without the cache every file is read again, but every blob is already stored.
    const third = await coffer.backup([source], { args: ['--no-cache'] });
    assert.equal(third.bytesRead, bytes, 'without the files cache every byte is read');
    assert.equal(third.filesUnchanged, 0);
    assert.ok(third.bytesAdded < METADATA_ONLY, `a --no-cache backup of unchanged data added ${third.bytesAdded} bytes`);

    // A fresh cache directory (a lost cache) behaves the same.
    const fourth = await coffer.backup([source], { cacheDir: join(base, 'other-cache') });
    assert.equal(fourth.bytesRead, bytes);
    assert.ok(fourth.bytesAdded < METADATA_ONLY, `a backup with an empty cache added ${fourth.bytesAdded} bytes`);

    const snapshots = JSON.parse((await coffer.ok(['snapshots', '--json'])).stdout) as unknown[];
    assert.equal(snapshots.length, 4);
    await coffer.check(true);
  });
});

test('renaming a directory adds almost nothing', { timeout: 60_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base, { smallChunks: true });
    const source = join(base, 'data');
    const { spec, files, bytes } = dataTree();
    await makeTree(source, spec);
    await coffer.backup([source]);

    await rename(join(source, 'beta'), join(source, 'beta renamed'));
    await rename(join(source, 'gamma'), join(source, 'alpha', 'gamma moved inside'));
    const after = await coffer.backup([source]);
    assert.equal(after.filesNew + after.filesChanged + after.filesUnchanged, files);
    assert.ok(after.bytesAdded < METADATA_ONLY, `after renaming directories the backup added ${after.bytesAdded} of ${bytes} bytes`);

    // And the renamed tree restores as it is now.
    const target = join(base, 'restored');
    await coffer.ok(['restore', 'latest', '--target', target]);
    assert.deepEqual(toMicroseconds(await readTree(restoredPath(target, source))), toMicroseconds(await readTree(source)));
  });
});

test('inserting bytes at the start of a large file reuses all but a few blobs', { timeout: 60_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base, { smallChunks: true });
    const source = join(base, 'data');
    const size = 8 * MiB;
    await makeTree(source, { 'large.bin': pseudoRandomBytes('dedup large', size) });
    const first = await coffer.backup([source]);
    assert.ok(first.bytesAdded >= size, `the first backup stores the file: ${first.bytesAdded} bytes`);

    const path = join(source, 'large.bin');
    await writeFile(path, Buffer.concat([Buffer.from('a few inserted bytes at the very start\n'), await readFile(path)]));
    const second = await coffer.backup([source]);
    assert.equal(second.filesChanged, 1);
    // Content-defined chunks resynchronise after the edit: only the first chunk
    // or two (at most 512 KiB each with these parameters) are new.
    assert.ok(second.bytesAdded < 1.25 * MiB, `inserting 39 bytes added ${second.bytesAdded} bytes for an ${size}-byte file`);

    // Appending too.
    await writeFile(path, Buffer.concat([await readFile(path), pseudoRandomBytes('appended', 10 * KiB)]));
    const third = await coffer.backup([source]);
    assert.ok(third.bytesAdded < 1.25 * MiB, `appending 10 KiB added ${third.bytesAdded} bytes`);

    const target = join(base, 'restored');
    await coffer.ok(['restore', 'latest', '--target', target]);
    assert.ok((await readFile(restoredPath(target, path))).equals(await readFile(path)), 'the edited file restores byte for byte');
    await coffer.check(true);
  });
});

test('the files cache notices a change that keeps size and modification time', { timeout: 60_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base, { smallChunks: true });
    const source = join(base, 'data');
    const mtimeNs = 1_700_000_000_123_456_000n; // whole microseconds, so it can be set again exactly
    await makeTree(source, { 'same-size.bin': file(pseudoRandomBytes('ctime before', 300 * KiB), { mtimeNs }), 'other.txt': 'unchanged\n' });
    const path = join(source, 'same-size.bin');
    await coffer.backup([source]);

    const before = await stat(path, { bigint: true });
    await writeFile(path, pseudoRandomBytes('ctime after', 300 * KiB));
    await utimes(path, toUtimeSeconds(mtimeNs), toUtimeSeconds(mtimeNs));
    const after = await stat(path, { bigint: true });
    assert.equal(after.mtimeNs, before.mtimeNs, 'the modification time is the same');
    assert.equal(after.size, before.size, 'the size is the same');

    const second = await coffer.backup([source]);
    assert.equal(second.filesChanged, 1, 'the rewritten file is read again (its ctime changed)');
    assert.equal(second.filesUnchanged, 1);
    const target = join(base, 'restored');
    await coffer.ok(['restore', 'latest', '--target', target]);
    assert.ok((await readFile(restoredPath(target, path))).equals(await readFile(path)), 'the new content is in the snapshot');
  });
});
