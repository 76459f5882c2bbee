import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dir, fifo, file, hardlink, makeTree, readTree, symlink, withTempDir } from './testing.js';

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
const raw = Buffer.from([0x66, 0xff, 0x0a]);

test('makeTree builds and readTree describes every kind of entry', async () => {
  await withTempDir(async (root) => {
    await makeTree(root, {
      'a.txt': 'hello',
      run: file('#!/bin/sh\n', { mode: 0o755, mtimeNs: 1_700_000_000_123_456_000n }),
      sub: { 'b.bin': Buffer.from([0, 1, 2]), deeper: dir({}, { mode: 0o700, mtimeNs: 1_000_000_000n }) },
      link: symlink('a.txt', { mtimeNs: 2_000_000_000n }),
      same: hardlink('sub/b.bin'),
      raws: [[raw, 'bytes']],
      pipe: fifo({ mode: 0o600 }),
      hole: file('x', { size: 1 << 20 }),
    });
    const tree = await readTree(root, { mtimes: 'none' });
    assert.deepEqual(tree, {
      'a.txt': { type: 'file', mode: 0o644, size: 5, sha256: sha('hello') },
      hole: { type: 'file', mode: 0o644, size: 1 << 20, sha256: createHash('sha256').update(Buffer.concat([Buffer.from('x'), Buffer.alloc((1 << 20) - 1)])).digest('hex') },
      link: { type: 'symlink', target: 'a.txt' },
      pipe: { type: 'fifo', mode: 0o600 },
      raws: { type: 'dir', mode: 0o755 },
      'raws/f\\xff\\n': { type: 'file', mode: 0o644, size: 5, sha256: sha('bytes') },
      run: { type: 'file', mode: 0o755, size: 10, sha256: sha('#!/bin/sh\n') },
      same: { type: 'file', mode: 0o644, size: 3, sha256: createHash('sha256').update(Buffer.from([0, 1, 2])).digest('hex'), hardLink: 'same' },
      sub: { type: 'dir', mode: 0o755 },
      'sub/b.bin': { type: 'file', mode: 0o644, size: 3, sha256: createHash('sha256').update(Buffer.from([0, 1, 2])).digest('hex'), hardLink: 'same' },
      'sub/deeper': { type: 'dir', mode: 0o700 },
    });
    const times = await readTree(root);
    assert.equal(times.run?.mtimeNs, 1_700_000_000_123_456_000n);
    assert.equal(times.link?.mtimeNs, 2_000_000_000n);
    assert.equal(times['sub/deeper']?.mtimeNs, 1_000_000_000n, 'directory times are set after their children');
    assert.equal((await stat(`${root}/hole`)).blocks * 512 < 1 << 20, true, 'size beyond content is a hole');
  });
});

test('readTree tells trees apart and equal trees compare equal', async () => {
  await withTempDir(async (root) => {
    const spec = { a: file('1', { mtimeNs: 1_500_000_000_000_000_000n }), d: dir({ b: file('2', { mtimeNs: 0n }) }, { mtimeNs: 5_000_000_000n }) };
    await makeTree(`${root}/x`, spec);
    await makeTree(`${root}/y`, spec);
    assert.deepEqual(await readTree(`${root}/x`), await readTree(`${root}/y`));
    await writeFile(`${root}/y/d/b`, '3');
    assert.notDeepEqual(await readTree(`${root}/x`, { mtimes: 'none' }), await readTree(`${root}/y`, { mtimes: 'none' }));
    await writeFile(`${root}/y/d/b`, '2');
    assert.deepEqual(await readTree(`${root}/x`, { mtimes: 'none' }), await readTree(`${root}/y`, { mtimes: 'none' }));
    assert.notDeepEqual(await readTree(`${root}/x`), await readTree(`${root}/y`), 'mtime of d/b changed');
    assert.deepEqual(Object.keys(await readTree(`${root}/x`, { owner: true })).length, 3);
    assert.equal(typeof (await readTree(`${root}/x`, { owner: true })).a?.uid, 'number');
  });
});

test('withTempDir removes its directory, even with unreadable directories inside', async () => {
  let kept = '';
  await withTempDir(async (root) => {
    kept = root;
    await mkdir(`${root}/locked/inner`, { recursive: true });
    await writeFile(`${root}/locked/inner/f`, '');
    await chmod(`${root}/locked`, 0o000);
  });
  await assert.rejects(stat(kept), { code: 'ENOENT' });
});
