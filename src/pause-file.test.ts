import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { PauseFile } from './pause-file.js';
import { withTempDir } from './source/testing.js';

test('wait returns at once without the file, and holds every caller while it exists', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'pause');
    const events: string[] = [];
    let paused!: () => void;
    const pausedOnce = new Promise<void>((resolve) => { paused = resolve; });
    const gate = new PauseFile(path, {
      pollMs: 5, recheckMs: 0,
      onPause: () => { events.push('pause'); paused(); },
      onResume: () => events.push('resume'),
    });
    await gate.wait();
    assert.deepEqual(events, [], 'no pause without the file');

    await writeFile(path, '');
    let released = 0;
    const waiters = [1, 2, 3].map(() => gate.wait().then(() => { released += 1; }));
    await pausedOnce;
    await new Promise((resolve) => setTimeout(resolve, 30)); // several polls while the file exists
    assert.equal(released, 0, 'nobody passes while the file exists');
    await rm(path);
    await Promise.all(waiters);
    assert.equal(released, 3);
    assert.deepEqual(events, ['pause', 'resume'], 'one pause shared by all callers');
  });
});

test('a paused wait ends with AbortedError when the signal fires', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'pause');
    await writeFile(path, '');
    const controller = new AbortController();
    const gate = new PauseFile(path, { pollMs: 5, onPause: () => controller.abort() });
    await assert.rejects(gate.wait(controller.signal), { code: 'ABORTED' });
  });
});

test('the file is looked for at most once per recheck interval while running', async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'pause');
    let now = 0;
    let pauses = 0;
    const gate = new PauseFile(path, { pollMs: 5, recheckMs: 100, clock: () => now, onPause: () => { pauses += 1; } });
    await gate.wait(); // looks: absent
    await writeFile(path, '');
    now = 50;
    await gate.wait(); // too soon to look again: passes
    assert.equal(pauses, 0);
    now = 100;
    const waiting = gate.wait();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await rm(path);
    await waiting;
    assert.equal(pauses, 1);
  });
});
