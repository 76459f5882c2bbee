/**
 * `coffer copy` through the CLI: snapshots move between two repositories
 * with different keys and chunkers, re-keyed and re-chunked for the target,
 * so a copy deduplicates against the target's own backups; a second run
 * copies only new snapshots and reads only changed files from the source;
 * a copy stopped by Ctrl-C or killed midway is resumed by the next run, which
 * reuses its packs.
 */
import assert from 'node:assert/strict';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { hardlink, makeTree, readTree, removeTree, symlink, withTempDir } from '../source/testing.js';
import {
  Coffer, dataPackNames, describeRun, jsonLines, objectNames, pseudoRandomBytes, restoredPath, sleep, toMicroseconds,
  type RunResult,
} from './testing.js';

const MiB = 1024 * 1024;

interface CopyLine { type: 'copy' | 'skip' | 'fail' | 'summary'; source?: string; target?: string }
interface CopyStatsLine extends CopyLine { files: number; filesReused: number; bytesRead: number; bytesAdded: number; packsAdded: number }
interface CopySummary extends CopyLine { copied: number; skipped: number; failed: number; recoveredPacks: number; bytesRead: number; bytesAdded: number }

async function twoRepositories(base: string): Promise<{ source: Coffer; target: Coffer }> {
  await mkdir(join(base, 'a'));
  await mkdir(join(base, 'b'));
  return {
    source: await Coffer.init(join(base, 'a'), { smallChunks: true, password: 'source passphrase' }),
    target: await Coffer.init(join(base, 'b'), { smallChunks: true, password: 'target passphrase' }),
  };
}

function copyArgs(source: Coffer, ...rest: string[]): string[] {
  return ['copy', '--json', '--from-repo', source.repo, '--from-password-file', source.passwordFile, ...rest];
}

function copyLines(result: RunResult): { lines: CopyLine[]; summary: CopySummary } {
  const lines = jsonLines(result.stdout) as CopyLine[];
  const summary = lines[lines.length - 1] as CopySummary;
  assert.equal(summary?.type, 'summary', describeRun(result));
  return { lines, summary };
}

async function assertRestores(coffer: Coffer, base: string, snapshot: string, source: string): Promise<void> {
  const target = join(base, `restore-${snapshot.slice(0, 8)}`);
  await coffer.ok(['restore', snapshot, '--target', target]);
  assert.deepEqual(toMicroseconds(await readTree(restoredPath(target, source))), toMicroseconds(await readTree(source)));
  await removeTree(target);
}

test('copy re-keys for the target, deduplicates against its own backups, and moves only new data next time', { timeout: 240_000 }, async () => {
  await withTempDir(async (base) => {
    const { source, target } = await twoRepositories(base);
    const tree = join(base, 'docs');
    const spec: Record<string, unknown> = {
      'notes.txt': 'notes\n', link: symlink('notes.txt'), same: hardlink('notes.txt'), sub: { 'deep.txt': 'deep\n' },
    };
    for (let i = 0; i < 4; i++) spec[`file-${i}.bin`] = pseudoRandomBytes(`copy ${i}`, 500_000);
    await makeTree(tree, spec as never);
    const first = await source.backup([tree]);

    // The target already holds the same files from a backup of its own.
    await target.backup([tree]);
    const copied = copyLines(await target.ok(copyArgs(source)));
    assert.equal(copied.summary.copied, 1);
    const line = copied.lines.find((l) => l.type === 'copy') as CopyStatsLine;
    assert.equal(line.source, first.snapshot);
    assert.ok(line.bytesRead >= 2_000_000, 'every file was read from the source');
    assert.ok(line.bytesAdded < 200_000, `re-chunked with the target's chunker, the data deduplicates: ${line.bytesAdded} bytes added`);
    await target.check(true);
    await assertRestores(target, base, line.target!, tree);

    const snapshot = JSON.parse((await target.ok(['cat', 'snapshot', line.target!])).stdout) as Record<string, unknown>;
    assert.deepEqual(snapshot['original'], { repository: source.repositoryId, snapshot: first.snapshot });
    assert.equal(snapshot['signatureValid'], true);
    assert.equal(snapshot['sequence'], 2, 'the copy follows the target signer\'s own chain');

    // Nothing new: nothing copied, nothing read.
    const again = copyLines(await target.ok(copyArgs(source)));
    assert.deepEqual([again.summary.copied, again.summary.skipped, again.summary.bytesRead, again.summary.bytesAdded], [0, 1, 0, 0]);
    assert.equal(copyLines(await target.ok(copyArgs(source, 'latest'))).summary.skipped, 1);

    // One new file: only it is read from the source and stored.
    await writeFile(join(tree, 'new.bin'), pseudoRandomBytes('copy new', 300_000));
    const second = await source.backup([tree]);
    const next = copyLines(await target.ok(copyArgs(source)));
    assert.deepEqual([next.summary.copied, next.summary.skipped], [1, 1]);
    const nextLine = next.lines.find((l) => l.type === 'copy') as CopyStatsLine;
    assert.equal(nextLine.source, second.snapshot);
    assert.ok(nextLine.bytesRead === 300_000, `only the new file is read from the source: ${nextLine.bytesRead} bytes`);
    assert.ok(nextLine.filesReused >= 5, `unchanged files reuse the earlier copy: ${nextLine.filesReused}`);
    assert.ok(nextLine.bytesAdded < 300_000 + 150_000, `${nextLine.bytesAdded} bytes added`);
    await assertRestores(target, base, nextLine.target!, tree);

    // The target loses a data pack: repaired snapshots drop "original", so the next copy brings
    // those snapshots again whole, and only the lost data moves.
    const [lostPack] = await dataPackNames(target.repo);
    await rm(join(target.repo, lostPack!));
    await target.ok(['repair', 'index']);
    await target.ok(['repair', 'snapshots', '--forget']);
    const healed = copyLines(await target.ok(copyArgs(source)));
    assert.ok(healed.summary.copied >= 1, 'the damaged copies are copied again');
    assert.ok(healed.summary.bytesAdded < 1.5 * MiB, `${healed.summary.bytesAdded} bytes added to heal one lost pack`);
    await target.check(true);
    const recopied = healed.lines.find((l) => l.type === 'copy' && l.source === second.snapshot);
    await assertRestores(target, base, recopied?.target ?? nextLine.target!, tree);
  });
});

test('copy refuses bad sources clearly', { timeout: 60_000 }, async () => {
  await withTempDir(async (base) => {
    const { source, target } = await twoRepositories(base);
    const missing = await target.run(['copy']);
    assert.equal(missing.code, 2, describeRun(missing));
    assert.match(missing.stderr, /--from-repo/);
    const wrong = await target.run(['copy', '--from-repo', source.repo, '--from-password-file', target.passwordFile]);
    assert.equal(wrong.code, 12, describeRun(wrong));
    const same = await target.run(['copy', '--from-repo', target.repo], { env: { COFFER_FROM_PASSWORD: target.password } });
    assert.equal(same.code, 2, describeRun(same));
    assert.match(same.stderr, /same repository/);
  });
});

/** Starts a copy and sends `signal` once the target holds `packs` more data packs; returns how it ended and the new packs. */
async function interruptCopy(
  source: Coffer, target: Coffer, signal: 'SIGINT' | 'SIGKILL', packs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; added: string[] }> {
  const before = new Set(await dataPackNames(target.repo));
  const child = target.spawn(copyArgs(source));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  let ended = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, sig) => {
    ended = true;
    resolve({ code, signal: sig });
  }));
  const started = Date.now();
  const fresh = async () => (await dataPackNames(target.repo)).filter((n) => !before.has(n));
  while (!ended && (await fresh()).length < packs && Date.now() - started < 60_000) await sleep(3);
  child.kill(signal);
  const end = await exited;
  return { ...end, stdout, stderr, added: await fresh() };
}

async function sizeOf(repo: string, names: readonly string[]): Promise<number> {
  let total = 0;
  for (const name of names) total += (await stat(join(repo, name))).size;
  return total;
}

test('an interrupted or killed copy is resumed by the next run, which reuses the packs it stored', { timeout: 240_000 }, async () => {
  await withTempDir(async (base) => {
    const { source, target } = await twoRepositories(base);
    const tree = join(base, 'big');
    const spec: Record<string, Buffer> = {};
    for (let i = 0; i < 5; i++) spec[`file-${i}.bin`] = pseudoRandomBytes(`copy kill ${i}`, 2 * MiB);
    await makeTree(tree, spec);
    const total = 10 * MiB;
    await source.backup([tree]);

    // Ctrl-C: a graceful stop journals every pack whose upload finished.
    const interrupted = await interruptCopy(source, target, 'SIGINT', 2);
    assert.equal(interrupted.code, 130, `an interrupted copy exits 130\n${interrupted.stderr}`);
    assert.match(interrupted.stdout, /"code":"ABORTED"/);
    assert.ok(interrupted.added.length >= 2);

    // SIGKILL during the next run: it has already indexed the interrupted run's packs, then stores more.
    const killed = await interruptCopy(source, target, 'SIGKILL', 2);
    assert.equal(killed.signal, 'SIGKILL', `the copy was killed midway, not finished first\n${killed.stderr}`);
    assert.equal((await target.run(['check'])).code, 0, 'the target is sound after the kill');
    assert.deepEqual(await objectNames(target.repo, 'snapshots'), [], 'no snapshot from the stopped copies');

    const resumed = copyLines(await target.ok(copyArgs(source)));
    assert.equal(resumed.summary.copied, 1);
    // At most two packs were being uploaded (not yet journaled) when it was killed.
    assert.ok(resumed.summary.recoveredPacks >= killed.added.length - 2,
      `${resumed.summary.recoveredPacks} of the ${killed.added.length} packs of the killed run recovered`);
    const stored = await sizeOf(target.repo, [...interrupted.added, ...killed.added]);
    const allowed = total * 1.05 + 256 * 1024 - Math.max(0, stored - 2 * MiB);
    assert.ok(resumed.summary.bytesAdded <= allowed, `the resumed copy added ${resumed.summary.bytesAdded} bytes; at most ${allowed}`);
    await target.check(true);
    await assertRestores(target, base, 'latest', tree);
  });
});
