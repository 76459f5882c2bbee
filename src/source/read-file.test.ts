import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, chmod, mkdir, rename, symlink, truncate, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { AbortedError, type Warning } from '../errors.js';
import { joinPath, toBytes } from './byte-path.js';
import { readMetadata } from './metadata.js';
import { isOpenProblem, openSourceFile, type SourceFile } from './read-file.js';
import { fifo, makeTree, withTempDir } from './testing.js';

const isRoot = process.geteuid?.() === 0;

async function openOk(path: Buffer, onWarning?: (w: Warning) => void): Promise<SourceFile> {
  const result = await openSourceFile(path, await readMetadata(path), { onWarning });
  if (isOpenProblem(result)) assert.fail(`unexpected problem ${result.problem.code}`);
  return result;
}

test('reads a file in blocks of exactly the block size', async () => {
  await withTempDir(async (dir) => {
    const path = toBytes(`${dir}/f`);
    await writeFile(path, 'abcdefghij');
    const file = await openOk(path);
    try {
      const blocks: Buffer[] = [];
      for await (const block of file.blocks({ blockSize: 4 })) blocks.push(block);
      // Checked after the loop: no block was overwritten by a later read.
      assert.deepEqual(blocks.map((block) => block.toString()), ['abcd', 'efgh', 'ij']);
      const done = await file.finish();
      assert.equal(done.changed, false);
      assert.equal(done.bytesRead, 10);
      assert.equal(done.metadata.size, 10);
      assert.equal(file.changedBeforeOpen, false);
    } finally {
      await file.close();
      await file.close(); // idempotent
    }
  });
});

test('large files come back intact with the default block size', async () => {
  await withTempDir(async (dir) => {
    const path = toBytes(`${dir}/big`);
    const content = randomBytes(8 * 1024 * 1024 * 2 + 12345);
    await writeFile(path, content);
    const file = await openOk(path);
    try {
      const blocks: Buffer[] = [];
      for await (const block of file.blocks()) blocks.push(block);
      assert.deepEqual(blocks.map((block) => block.length), [8 * 1024 * 1024, 8 * 1024 * 1024, 12345]);
      assert.ok(Buffer.concat(blocks).equals(content));
      assert.equal((await file.finish()).changed, false);
    } finally {
      await file.close();
    }
  });
});

test('an empty file yields no blocks', async () => {
  await withTempDir(async (dir) => {
    const path = toBytes(`${dir}/empty`);
    await writeFile(path, '');
    const file = await openOk(path);
    try {
      const blocks: Buffer[] = [];
      for await (const block of file.blocks()) blocks.push(block);
      assert.deepEqual(blocks, []);
      assert.equal((await file.finish()).changed, false);
    } finally {
      await file.close();
    }
  });
});

test('a file removed between lstat and open is a warning, not an exception', async () => {
  await withTempDir(async (dir) => {
    const path = joinPath(toBytes(dir), Buffer.from([0x66, 0xff, 0x0a]));
    await writeFile(path, 'x');
    const meta = await readMetadata(path);
    await unlink(path);
    const result = await openSourceFile(path, meta);
    assert.ok(isOpenProblem(result));
    assert.equal(result.problem.code, 'SOURCE_VANISHED');
    assert.equal(result.problem.path, `${dir}/f\\xff\\n`);
  });
});

test('a file appended to while it is read is flagged as changed', async () => {
  await withTempDir(async (dir) => {
    const path = toBytes(`${dir}/log`);
    await writeFile(path, 'abcdefghij');
    const file = await openOk(path);
    try {
      const blocks: Buffer[] = [];
      for await (const block of file.blocks({ blockSize: 4 })) {
        if (blocks.length === 0) await appendFile(path, 'XYZ');
        blocks.push(block);
      }
      assert.equal(Buffer.concat(blocks).toString(), 'abcdefghijXYZ', 'reads to the end of file as it is now');
      const done = await file.finish();
      assert.equal(done.changed, true);
      assert.equal(done.metadata.size, 13);
    } finally {
      await file.close();
    }
  });
});

test('a file truncated while it is read is flagged as changed', async () => {
  await withTempDir(async (dir) => {
    const path = toBytes(`${dir}/shrinking`);
    await writeFile(path, 'abcdefghij');
    const file = await openOk(path);
    try {
      const blocks: Buffer[] = [];
      for await (const block of file.blocks({ blockSize: 4 })) {
        if (blocks.length === 0) await truncate(path, 6);
        blocks.push(block);
      }
      assert.equal(Buffer.concat(blocks).toString(), 'abcdef');
      assert.equal((await file.finish()).changed, true);
    } finally {
      await file.close();
    }
  });
});

test('a file that changed between lstat and open is read with its new metadata and a warning', async () => {
  await withTempDir(async (dir) => {
    const path = toBytes(`${dir}/f`);
    await writeFile(path, 'old');
    const seen = await readMetadata(path);
    await writeFile(`${dir}/replacement`, 'new content');
    await rename(`${dir}/replacement`, path);
    const warnings: Warning[] = [];
    const result = await openSourceFile(path, seen, { onWarning: (w) => warnings.push(w) });
    assert.ok(!isOpenProblem(result));
    try {
      assert.deepEqual(warnings.map((w) => w.code), ['SOURCE_CHANGED']);
      assert.equal(result.changedBeforeOpen, true);
      assert.equal(result.metadata.size, 11);
      assert.notEqual(result.metadata.inode, seen.inode);
      const blocks: Buffer[] = [];
      for await (const block of result.blocks()) blocks.push(block);
      assert.equal(Buffer.concat(blocks).toString(), 'new content');
      assert.equal((await result.finish()).changed, false);
    } finally {
      await result.close();
    }
  });
});

test('an unreadable file is a warning (root reads it anyway)', async () => {
  await withTempDir(async (dir) => {
    const path = toBytes(`${dir}/secret`);
    await writeFile(path, 'secret');
    await chmod(path, 0o000);
    const result = await openSourceFile(path, await readMetadata(path));
    if (isRoot) {
      assert.ok(!isOpenProblem(result), 'root ignores permission bits');
      await result.close();
    } else {
      assert.ok(isOpenProblem(result));
      assert.equal(result.problem.code, 'SOURCE_UNREADABLE');
    }
  });
});

test('a file replaced by a symlink, a FIFO or a directory is not read', async () => {
  await withTempDir(async (dir) => {
    await writeFile(`${dir}/target`, 'outside');
    for (const replace of ['symlink', 'fifo', 'dir'] as const) {
      const path = toBytes(`${dir}/${replace}`);
      await writeFile(path, 'x');
      const meta = await readMetadata(path);
      await unlink(path);
      if (replace === 'symlink') await symlink(`${dir}/target`, path);
      if (replace === 'fifo') await makeTree(dir, { [replace]: fifo() });
      if (replace === 'dir') await mkdir(path);
      // A FIFO would block a plain open forever; the test would time out.
      const result = await openSourceFile(path, meta);
      assert.ok(isOpenProblem(result), replace);
      assert.equal(result.problem.code, 'SOURCE_CHANGED', replace);
    }
  });
});

test('an aborted signal stops opening and reading', async () => {
  await withTempDir(async (dir) => {
    const path = toBytes(`${dir}/f`);
    await writeFile(path, 'abcdefgh');
    const meta = await readMetadata(path);
    await assert.rejects(openSourceFile(path, meta, { signal: AbortSignal.abort() }), AbortedError);
    const file = await openOk(path);
    try {
      const controller = new AbortController();
      const read = async (): Promise<void> => {
        for await (const _block of file.blocks({ blockSize: 2, signal: controller.signal })) controller.abort();
      };
      await assert.rejects(read(), AbortedError);
    } finally {
      await file.close();
    }
  });
});
