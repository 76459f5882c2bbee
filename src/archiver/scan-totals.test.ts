import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Excluder } from '../source/index.js';
import { dir, file, makeTree, withTempDir } from '../source/testing.js';
import { scanTotals, type Totals } from './scan-totals.js';

test('scanTotals counts the files and bytes a backup will read, honouring excludes', async () => {
  await withTempDir(async (root) => {
    await makeTree(root, {
      a: dir({ 'one.txt': file('12345'), 'skip.tmp': file('xxxxxxxxxx'), deep: dir({ 'two.bin': file(Buffer.alloc(1000)) }) }),
      cache: dir({ 'big': file(Buffer.alloc(5000)) }),
      'top.txt': file('abc'),
    });
    const totals: Totals = { files: 0, bytes: 0, done: false };
    await scanTotals([Buffer.from(root)], new Excluder(['*.tmp', 'cache']), false, totals);
    assert.deepEqual(totals, { files: 3, bytes: 5 + 1000 + 3, done: true });
    const single: Totals = { files: 0, bytes: 0, done: false };
    await scanTotals([Buffer.from(join(root, 'top.txt'))], new Excluder([]), false, single);
    assert.deepEqual(single, { files: 1, bytes: 3, done: true });
  });
});
