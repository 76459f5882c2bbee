/**
 * `backup --pause-file FILE`: a backup started while FILE exists uploads
 * nothing (no pack, no index, no snapshot) and says it is paused; once FILE
 * is removed it completes, and the snapshot restores.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTree, readTree, withTempDir } from '../source/testing.js';
import {
  backupSummary, Coffer, describeRun, jsonLines, objectNames, packNames, pseudoRandomBytes, restoredPath, sleep,
  toMicroseconds, type RunResult,
} from './testing.js';

test('a backup started with the pause file present waits, then completes once it is removed', { timeout: 120_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base, { smallChunks: true });
    const source = join(base, 'data');
    await makeTree(source, { 'a.bin': pseudoRandomBytes('pause a', 1_500_000), 'b.txt': 'small\n' });
    const pauseFile = join(base, 'pause');
    await writeFile(pauseFile, '');

    const child = coffer.spawn(['backup', '--json', '--pause-file', pauseFile, source]);
    let stdout = '';
    let stderr = '';
    let sawPaused!: () => void;
    const paused = new Promise<void>((resolve) => { sawPaused = resolve; });
    child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    // Progress lines go to stderr, so stdout holds only the result.
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (/"phase":"paused"/.test(stderr)) sawPaused();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const first = await Promise.race([paused.then(() => 'paused'), exited.then(() => 'exited')]);
    assert.equal(first, 'paused', `the backup ended without pausing\n${stdout}\n${stderr}`);
    // It says it is paused; give it time in which an unpaused backup would have stored packs.
    await sleep(700);
    assert.deepEqual(await packNames(coffer.repo, 'data'), [], 'no data pack while paused');
    assert.deepEqual(await packNames(coffer.repo, 'tree'), [], 'no tree pack while paused');
    assert.deepEqual(await objectNames(coffer.repo, 'index'), [], 'no index object while paused');
    assert.deepEqual(await objectNames(coffer.repo, 'snapshots'), [], 'no snapshot while paused');

    await rm(pauseFile);
    const code = await exited;
    const result: RunResult = { code, signal: null, stdout, stderr, command: 'coffer backup --pause-file' };
    assert.equal(code, 0, describeRun(result));
    const summary = backupSummary(result);
    assert.ok(summary.packsAdded > 0);
    const phases = (jsonLines(stderr) as { type: string; phase?: string }[]).filter((l) => l.type === 'progress').map((l) => l.phase);
    assert.equal(phases[0], 'paused', `progress says "paused" first: ${phases.join(',')}`);

    const target = join(base, 'restored');
    await coffer.ok(['restore', summary.snapshot, '--target', target]);
    assert.deepEqual(toMicroseconds(await readTree(restoredPath(target, source))), toMicroseconds(await readTree(source)));
  });
});
