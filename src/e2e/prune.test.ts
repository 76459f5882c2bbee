/**
 * Prune through the real CLI, in separate processes (docs/format.md
 * "Garbage collection (prune)"): prune runs at many offsets against backups
 * running at the same time, and prune is killed (SIGKILL) at many points,
 * some chosen by write count (COFFER_TEST_CRASH_AFTER_WRITES), some by time.
 * After each round `check` passes; at the end `check --read-data` passes and
 * every kept snapshot restores byte for byte. Windows are shortened to a
 * second with COFFER_TEST_GC_WINDOW_MS (test-only).
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTree, readTree, removeTree, withTempDir, type TreeDescription } from '../source/testing.js';
import {
  Coffer, describeRun, jsonLines, objectNames, pseudoRandomBytes, restoredPath, sleep, toMicroseconds, type RunResult,
} from './testing.js';

const WINDOW_MS = 1000;
const GC_ENV = { COFFER_TEST_GC_WINDOW_MS: String(WINDOW_MS) };
const KiB = 1024;

interface Kept {
  readonly id: string;
  readonly source: string;
  readonly tree: TreeDescription;
}

/** A fresh source directory: unique data, plus a file every source shares (deduplicated across snapshots). */
async function source(base: string, name: string): Promise<string> {
  const dir = join(base, name);
  await makeTree(dir, {
    'unique-a.bin': pseudoRandomBytes(`prune e2e ${name} a`, 300 * KiB),
    'unique-b.bin': pseudoRandomBytes(`prune e2e ${name} b`, 200 * KiB),
    'shared.bin': pseudoRandomBytes('prune e2e shared', 150 * KiB),
  });
  return dir;
}

/** Runs `args` after `delayMs`. */
async function later(coffer: Coffer, delayMs: number, args: readonly string[], cacheDir?: string): Promise<RunResult> {
  await sleep(delayMs);
  return coffer.run(args, { env: GC_ENV, ...(cacheDir ? { cacheDir } : {}) });
}

/** A backup's outcome: its snapshot, or null if it stopped with CONFLICT (allowed: no snapshot, nothing lost). */
async function backupOutcome(run: RunResult, dir: string): Promise<Kept | null> {
  const lines = jsonLines(run.stdout) as { type: string; snapshot?: string; code?: string }[];
  if (run.code !== 0) {
    assert.ok(lines.some((l) => l.type === 'error' && l.code === 'CONFLICT'), `a backup fails only with CONFLICT\n${describeRun(run)}`);
    return null;
  }
  const summary = lines.find((l) => l.type === 'summary');
  assert.ok(summary?.snapshot, describeRun(run));
  return { id: summary.snapshot, source: dir, tree: toMicroseconds(await readTree(dir)) };
}

async function forget(coffer: Coffer, kept: Kept[]): Promise<void> {
  const victim = kept.shift();
  assert.ok(victim);
  await coffer.ok(['forget', victim.id]); // a forget record, then the snapshot object goes
}

async function assertAllRestore(coffer: Coffer, base: string, kept: readonly Kept[]): Promise<void> {
  const check = await coffer.run(['check', '--read-data'], { env: GC_ENV });
  assert.equal(check.code, 0, describeRun(check));
  const listed = JSON.parse((await coffer.ok(['snapshots', '--json'])).stdout) as { id: string }[];
  assert.deepEqual(listed.map((s) => s.id).sort(), kept.map((k) => k.id).sort(), 'exactly the kept snapshots are left');
  for (const snapshot of kept) {
    const target = join(base, `restore-${snapshot.id.slice(0, 8)}`);
    const result = await coffer.run(['restore', snapshot.id, '--target', target]);
    assert.equal(result.code, 0, describeRun(result));
    assert.deepEqual(toMicroseconds(await readTree(restoredPath(target, snapshot.source))), snapshot.tree,
      `snapshot ${snapshot.id.slice(0, 8)} restores byte for byte`);
    await removeTree(target);
  }
}

/** When, in ms from the start of a round, prune and two backups start. */
const ROUNDS: readonly { prune: number; backups: readonly [number, number] }[] = [
  { prune: 0, backups: [0, 150] },
  { prune: 400, backups: [0, 100] },
  { prune: 150, backups: [600, 0] },
  { prune: 0, backups: [900, 1400] },
  { prune: 1200, backups: [300, 700] },
];

test('prune interleaved with backups in other processes never loses a kept snapshot', { timeout: 240_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base, { smallChunks: true });
    const kept: Kept[] = [];
    for (const name of ['s0', 's1']) {
      const dir = await source(base, name);
      kept.push((await backupOutcome(await later(coffer, 0, ['backup', '--json', dir]), dir))!);
    }
    let conflicts = 0;
    let deleted = 0;
    let keptCandidates = 0;
    for (const [round, offsets] of ROUNDS.entries()) {
      // The oldest snapshot goes; one backup brings back its data (deduplicating against packs prune is
      // collecting), the other adds new data. Each runs as its own host, with its own cache.
      const revived = kept[0]!.source;
      await forget(coffer, kept);
      const fresh = await source(base, `r${round}`);
      const [pruned, ...backups] = await Promise.all([
        later(coffer, offsets.prune, ['prune', '--json', '--wait', '--window', `${WINDOW_MS}ms`, '--max-unused', '30%']),
        later(coffer, offsets.backups[0], ['backup', '--json', revived], join(base, `cache-a${round}`)),
        later(coffer, offsets.backups[1], ['backup', '--json', fresh], join(base, `cache-b${round}`)),
      ]);
      assert.equal(pruned!.code, 0, describeRun(pruned!));
      const summary = (jsonLines(pruned!.stdout) as { type: string; sweep?: { packsDeleted: number; packsKept: number } }[])
        .find((l) => l.type === 'summary');
      deleted += summary?.sweep?.packsDeleted ?? 0;
      keptCandidates += summary?.sweep?.packsKept ?? 0;
      for (const [i, dir] of [revived, fresh].entries()) {
        const outcome = await backupOutcome(backups[i]!, dir);
        if (outcome) kept.push(outcome);
        else conflicts += 1;
      }
      const check = await coffer.run(['check'], { env: GC_ENV });
      assert.equal(check.code, 0, `round ${round}: ${describeRun(check)}`);
    }
    console.log(`# ${ROUNDS.length} rounds: ${deleted} packs deleted, ${keptCandidates} planned packs kept (used again or rescued), ${conflicts} backups stopped`);
    assert.ok(deleted > 0, 'prune deleted packs along the way');
    assert.ok(conflicts <= 2, `${conflicts} backups stopped with CONFLICT`);
    const final = await coffer.run(['prune', '--json', '--wait', '--window', `${WINDOW_MS}ms`], { env: GC_ENV });
    assert.equal(final.code, 0, describeRun(final));
    await assertAllRestore(coffer, base, kept);
  });
});

test('prune killed at any point (by write count and by time) leaves a repository that checks and restores', { timeout: 240_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base, { smallChunks: true });
    const kept: Kept[] = [];
    for (const name of ['k0', 'k1', 'k2', 'k3']) {
      const dir = await source(base, name);
      kept.push((await backupOutcome(await later(coffer, 0, ['backup', '--json', dir]), dir))!);
    }
    const prune = ['prune', '--json', '--window', `${WINDOW_MS}ms`, '--max-unused', '20%'];
    await forget(coffer, kept);
    await coffer.ok(prune, { env: GC_ENV }); // a plan, so that the killed runs have something to sweep
    const KILLS: readonly ({ writes: number } | { afterMs: number })[] = [
      { writes: 1 }, { writes: 2 }, { afterMs: 700 }, { writes: 3 }, { writes: 5 }, { afterMs: 900 }, { writes: 8 },
    ];
    let killed = 0;
    for (const [i, kill] of KILLS.entries()) {
      if (i === 3) await forget(coffer, kept); // more garbage half way
      await sleep(WINDOW_MS + 50); // every plan so far is ripe: the killed run sweeps
      let result: RunResult;
      if ('writes' in kill) {
        result = await coffer.run(prune, { env: { ...GC_ENV, COFFER_TEST_CRASH_AFTER_WRITES: String(kill.writes) } });
      } else {
        const child = coffer.spawn(prune, { env: GC_ENV });
        child.stdout?.resume();
        child.stderr?.resume();
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
          child.on('exit', (code, signal) => resolve({ code, signal }));
        });
        await sleep(kill.afterMs);
        child.kill('SIGKILL'); // a no-op if it already finished
        result = { ...await exited, stdout: '', stderr: '', command: `prune killed after ${kill.afterMs} ms` };
      }
      if (result.signal === 'SIGKILL') killed += 1;
      else assert.equal(result.code, 0, describeRun(result));
      const check = await coffer.run(['check'], { env: GC_ENV });
      assert.equal(check.code, 0, `after kill ${JSON.stringify(kill)}: ${describeRun(check)}`);
    }
    assert.ok(killed >= 4, `${killed} prunes were killed mid-way`);
    for (let round = 0; round < 2; round++) await coffer.ok(['prune', '--json', '--wait', '--window', `${WINDOW_MS}ms`], { env: GC_ENV });
    assert.deepEqual(await objectNames(coffer.repo, 'plans'), [], 'every plan was swept in the end');
    await assertAllRestore(coffer, base, kept);
  });
});

test('prune flags: windows below the minimum and bad shares are usage errors; a dry run changes nothing', { timeout: 60_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base, { smallChunks: true });
    const short = await coffer.run(['prune', '--window', '10m']);
    assert.equal(short.code, 2, describeRun(short));
    assert.match(short.stderr, /--window: 10m00s is shorter than the minimum of 1h00m/);
    const share = await coffer.run(['prune', '--max-unused', '150%']);
    assert.equal(share.code, 2, describeRun(share));
    const dir = await source(base, 'flags');
    const snapshot = (await backupOutcome(await later(coffer, 0, ['backup', '--json', dir]), dir))!;
    await rm(join(coffer.repo, 'snapshots', snapshot.id));
    const before = [...await objectNames(coffer.repo, 'index'), ...await objectNames(coffer.repo, 'plans')];
    const dry = await coffer.ok(['prune', '--dry-run', '--json']);
    const summary = (jsonLines(dry.stdout) as { type: string; dryRun?: boolean; plan?: { packs: number } }[]).find((l) => l.type === 'summary');
    assert.ok(summary?.dryRun && summary.plan && summary.plan.packs > 0, dry.stdout);
    assert.deepEqual([...await objectNames(coffer.repo, 'index'), ...await objectNames(coffer.repo, 'plans')], before);
    assert.deepEqual(await objectNames(coffer.repo, 'clock'), [], 'a dry run writes no clock probe either');
    const human = await coffer.ok(['prune']);
    assert.match(human.stdout, /plan \d+ pack\(s\), .* for deletion after 2h00m .*run prune again then, or use --wait/);
  });
});
