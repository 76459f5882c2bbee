/**
 * Crash safety (docs/format.md "Order of writes"): a backup killed with
 * SIGKILL at any point leaves a repository that checks clean and restores
 * every earlier snapshot, and the next backup (same cache directory) does
 * not upload again the packs the killed one saved: they were recorded in
 * the local journal and are recovered.
 *
 * What can be guaranteed: a pack is journaled only after its save resolved,
 * and at most two packs are uploaded at once, so of the packs on disk at the
 * moment of the kill all but (at most) two are in the journal and reused.
 */
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTree, readTree, removeTree, withTempDir, type TreeDescription } from '../source/testing.js';
import { Coffer, dataPackNames, describeRun, pseudoRandomBytes, restoredPath, sleep, toMicroseconds } from './testing.js';

const MiB = 1024 * 1024;
const PACK_SIZE = MiB;
/** Packs a killed backup may have saved without journaling them: the upload concurrency. */
const IN_FLIGHT_PACKS = 2;
const FILES = 6;
const FILE_SIZE = 4 * MiB;
const TOTAL = FILES * FILE_SIZE;

interface Completed {
  readonly id: string;
  readonly source: string;
  readonly tree: TreeDescription;
}

/** When to kill: once `packs` new data packs exist (or after `delayMs` when packs is 0). */
interface KillPoint {
  readonly label: string;
  readonly packs: number;
  readonly delayMs?: number;
}

const KILL_POINTS: readonly KillPoint[] = [
  { label: 'right after start', packs: 0, delayMs: 150 },
  { label: 'at 2 packs', packs: 2 },
  { label: 'at 8 packs', packs: 8 },
  { label: 'at 16 packs', packs: 16 },
];

async function sizeOf(repo: string, names: readonly string[]): Promise<number> {
  let total = 0;
  for (const name of names) total += (await stat(join(repo, name))).size;
  return total;
}

/** Starts `backup --json source` and SIGKILLs it at the kill point; returns the new packs present after its death. */
async function killBackup(coffer: Coffer, source: string, point: KillPoint): Promise<string[]> {
  const before = new Set(await dataPackNames(coffer.repo));
  const child = coffer.spawn(['backup', '--json', source]);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  child.stdout?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  let done = false;
  void exited.then(() => { done = true; });
  const started = Date.now();
  if (point.packs === 0) {
    await sleep(point.delayMs ?? 0);
  } else {
    while (!done && Date.now() - started < 60_000) {
      const fresh = (await dataPackNames(coffer.repo)).filter((n) => !before.has(n));
      if (fresh.length >= point.packs) break;
      await sleep(3);
    }
  }
  child.kill('SIGKILL');
  const { code, signal } = await exited;
  assert.equal(signal, 'SIGKILL', `the backup was killed ${point.label}, not finished first (exit ${code})\n${stderr}`);
  return (await dataPackNames(coffer.repo)).filter((n) => !before.has(n));
}

async function assertRestores(coffer: Coffer, base: string, snapshot: Completed, label: string): Promise<void> {
  const target = join(base, `restore-${label}-${snapshot.id.slice(0, 8)}`);
  const result = await coffer.run(['restore', snapshot.id, '--target', target]);
  assert.equal(result.code, 0, describeRun(result));
  assert.deepEqual(toMicroseconds(await readTree(restoredPath(target, snapshot.source))), snapshot.tree,
    `snapshot ${snapshot.id.slice(0, 8)} restores byte for byte ${label}`);
  await removeTree(target);
}

test('a backup killed at any point leaves a sound repository, and the next backup reuses its packs', { timeout: 170_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base, { smallChunks: true });
    const small = join(base, 'small');
    await makeTree(small, { 'a.txt': 'the first snapshot\n', sub: { 'b.bin': pseudoRandomBytes('crash small', 200_000) } });
    const first = await coffer.backup([small]);
    const completed: Completed[] = [{ id: first.snapshot, source: small, tree: toMicroseconds(await readTree(small)) }];

    for (const [round, point] of KILL_POINTS.entries()) {
      // New data each round, so every round has packs to upload.
      const source = join(base, `data-${round}`);
      const spec: Record<string, Buffer> = {};
      for (let i = 0; i < FILES; i++) spec[`file-${i}.bin`] = pseudoRandomBytes(`crash ${round} ${i}`, FILE_SIZE);
      await makeTree(source, spec);

      const atKill = await killBackup(coffer, source, point);
      assert.ok(atKill.length >= point.packs, `${atKill.length} packs at the kill ${point.label}`);
      const atKillBytes = await sizeOf(coffer.repo, atKill);

      const check = await coffer.run(['check']);
      assert.equal(check.code, 0, `check after a kill ${point.label}\n${describeRun(check)}`);
      const listed = JSON.parse((await coffer.ok(['snapshots', '--json'])).stdout) as { id: string }[];
      assert.deepEqual(listed.map((s) => s.id).sort(), completed.map((c) => c.id).sort(), 'the killed backup wrote no snapshot');
      for (const snapshot of [completed[0]!, completed[completed.length - 1]!]) {
        await assertRestores(coffer, base, snapshot, `after a kill ${point.label}`);
      }

      // The next backup, with the same cache directory, reuses what the killed one stored.
      const resumed = await coffer.backup([source]);
      const reusable = Math.max(0, atKill.length - IN_FLIGHT_PACKS);
      assert.ok(resumed.recoveredPacks >= reusable,
        `after a kill ${point.label} with ${atKill.length} packs stored, ${resumed.recoveredPacks} were recovered`);
      const allowed = TOTAL * 1.05 + 256 * 1024 - Math.max(0, atKillBytes - IN_FLIGHT_PACKS * PACK_SIZE);
      assert.ok(resumed.bytesAdded <= allowed,
        `after a kill ${point.label} (${atKill.length} packs, ${atKillBytes} bytes stored) the next backup added ` +
        `${resumed.bytesAdded} bytes of ${TOTAL}; at most ${Math.round(allowed)} expected`);

      const after = await coffer.run(['check']);
      assert.equal(after.code, 0, `check after the resumed backup\n${describeRun(after)}`);
      const done: Completed = { id: resumed.snapshot, source, tree: toMicroseconds(await readTree(source)) };
      await assertRestores(coffer, base, done, `after resuming ${point.label}`);
      completed.push(done);
    }

    const final = await coffer.run(['check', '--read-data']);
    assert.equal(final.code, 0, describeRun(final));
  });
});

test('a backup killed during recovery of an earlier one still leaves a sound repository', { timeout: 90_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base, { smallChunks: true });
    const source = join(base, 'data');
    const spec: Record<string, Buffer> = {};
    for (let i = 0; i < 3; i++) spec[`file-${i}.bin`] = pseudoRandomBytes(`crash twice ${i}`, FILE_SIZE);
    await makeTree(source, spec);

    const firstKill = await killBackup(coffer, source, { label: 'at 4 packs', packs: 4 });
    // Kill the next one too, a little later: its recovery index and new packs are at stake.
    const secondKill = await killBackup(coffer, source, { label: 'at 3 more packs', packs: 3 });
    assert.ok(firstKill.length + secondKill.length >= 7);
    assert.equal((await coffer.run(['check'])).code, 0);

    const resumed = await coffer.backup([source]);
    assert.ok(resumed.recoveredPacks > 0, 'packs of the killed backups are reused');
    const stored = firstKill.length + secondKill.length;
    const total = 3 * FILE_SIZE;
    assert.ok(resumed.bytesAdded <= total * 1.05 + 256 * 1024 - Math.max(0, (stored - 2 * IN_FLIGHT_PACKS) * 0.9 * PACK_SIZE),
      `after two kills with ${stored} packs stored the next backup added ${resumed.bytesAdded} bytes of ${total}`);
    const check = await coffer.run(['check', '--read-data']);
    assert.equal(check.code, 0, describeRun(check));
    const target = join(base, 'restored');
    await coffer.ok(['restore', 'latest', '--target', target]);
    assert.deepEqual(toMicroseconds(await readTree(restoredPath(target, source))), toMicroseconds(await readTree(source)));
  });
});

test('two backups running at once into one repository (one cache) both land', { timeout: 90_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base, { smallChunks: true });
    const sources = [join(base, 'one'), join(base, 'two')];
    for (const [i, source] of sources.entries()) {
      const spec: Record<string, Buffer> = {};
      for (let f = 0; f < 3; f++) spec[`file-${f}.bin`] = pseudoRandomBytes(`concurrent ${i} ${f}`, 2 * MiB);
      // Some data both have: deduplicated across the two runs or stored twice, never lost.
      spec['shared.bin'] = pseudoRandomBytes('concurrent shared', MiB);
      await makeTree(source, spec);
    }
    const runs = await Promise.all(sources.map((source) => coffer.run(['backup', '--json', source])));
    for (const run of runs) assert.equal(run.code, 0, describeRun(run));
    const check = await coffer.run(['check', '--read-data']);
    assert.equal(check.code, 0, describeRun(check));
    const listed = JSON.parse((await coffer.ok(['snapshots', '--json'])).stdout) as { id: string; paths: string[] }[];
    assert.equal(listed.length, 2);
    for (const source of sources) {
      const snapshot = listed.find((s) => s.paths[0] === source);
      assert.ok(snapshot, `a snapshot of ${source}`);
      const target = join(base, `restored-${snapshot.id.slice(0, 8)}`);
      await coffer.ok(['restore', snapshot.id, '--target', target]);
      assert.deepEqual(toMicroseconds(await readTree(restoredPath(target, source))), toMicroseconds(await readTree(source)));
    }
  });
});

test('an interrupted backup (SIGINT) exits 130 and the next backup reuses every pack it saved', { timeout: 90_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base, { smallChunks: true });
    const source = join(base, 'data');
    const spec: Record<string, Buffer> = {};
    for (let i = 0; i < 4; i++) spec[`file-${i}.bin`] = pseudoRandomBytes(`sigint ${i}`, FILE_SIZE);
    await makeTree(source, spec);

    const child = coffer.spawn(['backup', '--json', source]);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const started = Date.now();
    while ((await dataPackNames(coffer.repo)).length < 4 && Date.now() - started < 60_000) await sleep(3);
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 130, `an interrupted backup exits 130\n${stdout}\n${stderr}`);
    assert.ok(stdout.includes('"code":"ABORTED"'), `the JSON output says why\n${stdout}`);
    assert.ok(!/^\s+at\s/m.test(stderr), `no stack trace\n${stderr}`);
    const saved = await dataPackNames(coffer.repo);

    assert.equal((await coffer.run(['check'])).code, 0);
    const resumed = await coffer.backup([source]);
    // A graceful stop journals every pack whose save completed.
    assert.equal(resumed.recoveredPacks, saved.length, `${saved.length} packs were saved before the interrupt`);
    const savedBytes = await sizeOf(coffer.repo, saved);
    assert.ok(resumed.bytesAdded <= 4 * FILE_SIZE * 1.05 + 256 * 1024 - savedBytes,
      `the next backup added ${resumed.bytesAdded} bytes after ${savedBytes} were saved`);
    const check = await coffer.run(['check', '--read-data']);
    assert.equal(check.code, 0, describeRun(check));
  });
});
