/**
 * `repair index` and `repair snapshots` through the CLI: an index deleted
 * or damaged is rebuilt from the packs, after which `check --read-data`
 * passes and snapshots restore; a snapshot that lost a data pack is saved
 * again without exactly the files whose data is gone, tagged "repaired",
 * and the old one removed with --forget.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTree, readTree, removeTree, withTempDir, type TreeDescription } from '../source/testing.js';
import {
  Coffer, dataPackNames, describeRun, flipBit, jsonLines, objectNames, packsOfFiles, pseudoRandomBytes, restoredPath,
  toMicroseconds,
} from './testing.js';

async function assertRestores(coffer: Coffer, base: string, snapshot: string, source: string, expected: TreeDescription): Promise<void> {
  const target = join(base, `restore-${snapshot.slice(0, 8)}`);
  const result = await coffer.run(['restore', snapshot, '--target', target]);
  assert.equal(result.code, 0, describeRun(result));
  assert.deepEqual(toMicroseconds(await readTree(restoredPath(target, source))), expected);
  await removeTree(target);
}

test('repair index rebuilds a deleted or damaged index from the packs', { timeout: 180_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base, { smallChunks: true });
    const source = join(base, 'data');
    const spec: Record<string, Buffer | string> = { 'notes.txt': 'keep me\n' };
    for (let i = 0; i < 4; i++) spec[`file-${i}.bin`] = pseudoRandomBytes(`repair index ${i}`, 600_000);
    await makeTree(source, spec);
    const first = await coffer.backup([source]);
    const firstTree = toMicroseconds(await readTree(source));

    for (const name of await objectNames(coffer.repo, 'index')) await rm(join(coffer.repo, name));
    assert.equal((await coffer.run(['check'])).code, 1, 'check fails without an index');
    const repaired = await coffer.ok(['repair', 'index', '--json']);
    const summary = jsonLines(repaired.stdout).pop() as { type: string; blobsIndexed: number; problems: unknown[] };
    assert.equal(summary.type, 'summary');
    assert.ok(summary.blobsIndexed > 4);
    assert.deepEqual(summary.problems, []);
    await coffer.check(true);
    await assertRestores(coffer, base, first.snapshot, source, firstTree);

    // A second backup, then one of the (new) index objects is damaged.
    await writeFile(join(source, 'more.bin'), pseudoRandomBytes('repair index more', 400_000));
    const second = await coffer.backup([source]);
    const secondTree = toMicroseconds(await readTree(source));
    const indexes = await objectNames(coffer.repo, 'index');
    await flipBit(join(coffer.repo, indexes[0]!));
    assert.equal((await coffer.run(['check'])).code, 1, 'check reports the damaged index object');
    await coffer.ok(['repair', 'index']);
    const after = await objectNames(coffer.repo, 'index');
    assert.ok(!after.includes(indexes[0]!), 'the damaged index object is gone');
    await coffer.check(true);
    await assertRestores(coffer, base, first.snapshot, source, firstTree);
    await assertRestores(coffer, base, second.snapshot, source, secondTree);
  });
});

interface RepairLine {
  type: 'repair';
  snapshot: string;
  lost: { path: string; reason: string }[];
  repaired: string | null;
  forgotten: boolean;
}

test('repair snapshots drops exactly the files whose data pack was deleted', { timeout: 180_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base, { smallChunks: true });
    const source = join(base, 'data');
    const spec: Record<string, Buffer | string | Record<string, Buffer>> = { 'small.txt': 'tiny\n', sub: {} };
    for (let i = 0; i < 6; i++) spec[`file-${i}.bin`] = pseudoRandomBytes(`repair ${i}`, 300_000);
    spec['sub'] = { 'deep.bin': pseudoRandomBytes('repair deep', 300_000) };
    await makeTree(source, spec as never);
    const first = await coffer.backup([source]);
    await writeFile(join(source, 'later.txt'), 'added for the second snapshot\n');
    const second = await coffer.backup([source]);
    const full = toMicroseconds(await readTree(source));

    // Ground truth from the index: the files with a blob in the pack about to be deleted.
    const packs = await packsOfFiles(coffer);
    const lostWith = (pack: string) => [...packs].filter(([, set]) => set.has(pack)).map(([path]) => path).sort();
    // later.txt is only in the second snapshot: what each snapshot loses.
    const inFirst = (paths: string[]) => paths.filter((p) => p !== join(source, 'later.txt'));
    const candidates = (await dataPackNames(coffer.repo)).filter((name) => inFirst(lostWith(name)).length > 0);
    const victim = candidates.sort((a, b) => lostWith(a).length - lostWith(b).length)[0]!;
    const expectedLost = lostWith(victim);
    const expectedFor = (snapshot: string) => (snapshot === first.snapshot ? inFirst(expectedLost) : expectedLost);
    assert.ok(expectedLost.length > 0 && expectedLost.length < packs.size, `${expectedLost.length} of ${packs.size} files lose data`);

    // Damaged rather than missing: only reading the data finds it.
    await flipBit(join(coffer.repo, victim));
    const unread = jsonLines((await coffer.ok(['repair', 'snapshots', '--dry-run', '--json'])).stdout).pop();
    assert.deepEqual(unread, { type: 'summary', snapshots: 2, damaged: 0, repaired: 0, lost: 0, dryRun: true });
    const read = await coffer.ok(['repair', 'snapshots', '--dry-run', '--read-data', '--json']);
    for (const line of jsonLines(read.stdout).filter((l) => (l as { type: string }).type === 'repair') as RepairLine[]) {
      assert.deepEqual(line.lost.map((l) => l.path).sort(), expectedFor(line.snapshot), 'with --read-data the damaged pack counts as lost');
      assert.match(line.lost[0]!.reason, /is unreadable: .*does not match its name/);
    }
    await rm(join(coffer.repo, victim));

    const dry = await coffer.ok(['repair', 'snapshots', '--dry-run', '--json']);
    const dryLines = jsonLines(dry.stdout).filter((l) => (l as { type: string }).type === 'repair') as RepairLine[];
    assert.equal(dryLines.length, 2);
    for (const line of dryLines) {
      assert.deepEqual(line.lost.map((l) => l.path).sort(), expectedFor(line.snapshot), 'the dry run names exactly the damaged files');
      assert.equal(line.repaired, null);
    }
    assert.equal((await objectNames(coffer.repo, 'snapshots')).length, 2, 'a dry run writes nothing');

    const run = await coffer.ok(['repair', 'snapshots', '--forget', '--json']);
    const lines = jsonLines(run.stdout).filter((l) => (l as { type: string }).type === 'repair') as RepairLine[];
    assert.deepEqual(lines.map((l) => l.snapshot).sort(), [first.snapshot, second.snapshot].sort());
    for (const line of lines) {
      assert.deepEqual(line.lost.map((l) => l.path).sort(), expectedFor(line.snapshot));
      assert.match(line.lost[0]!.reason, /data blob\(s\) lost \(pack [0-9a-f]{8} is missing\)/);
      assert.ok(line.repaired && line.forgotten);
    }

    const listed = JSON.parse((await coffer.ok(['snapshots', '--json'])).stdout) as { id: string; tags: string[]; incomplete: boolean }[];
    assert.deepEqual(listed.map((s) => s.id).sort(), lines.map((l) => l.repaired).sort(), 'only the repaired snapshots remain');
    for (const s of listed) assert.ok(s.tags.includes('repaired') && s.incomplete);

    // The index still names the deleted pack until it is rebuilt; then everything checks.
    assert.equal((await coffer.run(['check'])).code, 1);
    await coffer.ok(['repair', 'index']);
    await coffer.check(true);
    const latest = lines.find((l) => l.snapshot === second.snapshot)!.repaired!;
    const expected = Object.fromEntries(Object.entries(full).filter(([key]) => !expectedLost.includes(join(source, key))));
    await assertRestores(coffer, base, latest, source, expected);

    // A later backup stores the lost files again (their blobs are no longer indexed).
    const healed = await coffer.backup([source]);
    await assertRestores(coffer, base, healed.snapshot, source, full);
    assert.deepEqual(jsonLines((await coffer.ok(['repair', 'snapshots', healed.snapshot, '--json'])).stdout).pop(),
      { type: 'summary', snapshots: 1, damaged: 0, repaired: 0, lost: 0, dryRun: false });
  });
});
