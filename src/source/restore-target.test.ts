import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { FormatError, NotFoundError, UsageError, type Warning } from '../errors.js';
import { toBytes } from './byte-path.js';
import { RestoreExistsError, RestoreTarget, validateName } from './restore-target.js';
import { withTempDir } from './testing.js';

const isRoot = process.geteuid?.() === 0;
const n = (text: string): Buffer => Buffer.from(text);
const raw = Buffer.from([0x66, 0xff, 0x0a]); // "f", an invalid byte, a newline

function blocksOf(...parts: Array<[number, Buffer]>): Array<{ offset: number; data: Buffer }> {
  return parts.map(([offset, data]) => ({ offset, data }));
}

test('validateName refuses names that could leave the target', () => {
  for (const bad of ['', '.', '..', 'a/b', '/', '../x', 'a\0b']) {
    assert.throws(() => validateName(n(bad)), FormatError, JSON.stringify(bad));
  }
  assert.throws(() => validateName(n('a\0b')), /invalid file name "a\\x00b"/);
  for (const good of ['...', '.hidden', '..x', 'a b', 'line\nbreak', '\\']) validateName(n(good));
  validateName(raw);
});

test('operations with a bad name create nothing', async () => {
  await withTempDir(async (dir) => {
    const target = await RestoreTarget.open(`${dir}/t`);
    const data = { overwrite: true, size: 1, blocks: blocksOf([0, n('x')]) };
    await assert.rejects(target.writeFile([n('..'), n('escaped')], data), FormatError);
    await assert.rejects(target.writeFile([n('a/b')], data), FormatError);
    await assert.rejects(target.makeDirectory([n('x\0')]), FormatError);
    await assert.rejects(target.makeSymlink([n('.')], n('/etc')), FormatError);
    await assert.rejects(stat(`${dir}/escaped`), { code: 'ENOENT' });
    await assert.rejects(stat(`${dir}/t/a`), { code: 'ENOENT' });
  });
});

test('open creates the root and refuses a file', async () => {
  await withTempDir(async (dir) => {
    await RestoreTarget.open(`${dir}/a/b/c`);
    assert.ok((await stat(`${dir}/a/b/c`)).isDirectory());
    await writeFile(`${dir}/file`, '');
    await assert.rejects(RestoreTarget.open(`${dir}/file`), UsageError);
  });
});

test('a symlink in the way is neither followed nor silently replaced', async () => {
  await withTempDir(async (dir) => {
    await mkdir(`${dir}/outside`);
    await writeFile(`${dir}/outside/secret`, 'keep');
    const target = await RestoreTarget.open(`${dir}/t`);
    await symlink(`${dir}/outside/secret`, `${dir}/t/f`);
    const write = (overwrite: boolean) =>
      target.writeFile([n('f')], { overwrite, size: 8, blocks: blocksOf([0, n('restored')]) });

    await assert.rejects(write(false), (error: unknown) => {
      assert.ok(error instanceof RestoreExistsError);
      assert.equal(error.code, 'RESTORE_EXISTS');
      assert.equal(error.path, `${dir}/t/f`);
      return true;
    });
    assert.equal(await readFile(`${dir}/outside/secret`, 'utf8'), 'keep');
    assert.ok((await lstat(`${dir}/t/f`)).isSymbolicLink());

    await write(true);
    assert.ok((await lstat(`${dir}/t/f`)).isFile(), 'the symlink was replaced by a regular file');
    assert.equal(await readFile(`${dir}/t/f`, 'utf8'), 'restored');
    assert.equal(await readFile(`${dir}/outside/secret`, 'utf8'), 'keep');
  });
});

test('a symlink where a directory should be is refused, also as a parent', async () => {
  await withTempDir(async (dir) => {
    await mkdir(`${dir}/outside`);
    const target = await RestoreTarget.open(`${dir}/t`);
    await symlink(`${dir}/outside`, `${dir}/t/d`);
    await assert.rejects(target.makeDirectory([n('d')]), RestoreExistsError);
    const file = { overwrite: true, size: 1, blocks: blocksOf([0, n('x')]) };
    await assert.rejects(target.writeFile([n('d'), n('x')], file), RestoreExistsError);
    await assert.rejects(target.makeSymlink([n('d'), n('l')], n('/')), RestoreExistsError);
    await assert.rejects(stat(`${dir}/outside/x`), { code: 'ENOENT' });
    await assert.rejects(target.writeFile([n('missing'), n('x')], file), NotFoundError);
  });
});

test('directories: existing ones are accepted, files in the way only with overwrite', async () => {
  await withTempDir(async (dir) => {
    const target = await RestoreTarget.open(dir);
    await target.makeDirectory([raw]);
    await target.makeDirectory([raw]);
    await target.makeDirectory([raw, n('sub')]);
    assert.ok((await stat(Buffer.concat([toBytes(dir), n('/'), raw, n('/sub')]))).isDirectory());
    await writeFile(`${dir}/plain`, '');
    await assert.rejects(target.makeDirectory([n('plain')]), RestoreExistsError);
    await target.makeDirectory([n('plain')], { overwrite: true });
    assert.ok((await lstat(`${dir}/plain`)).isDirectory());
    // overwrite never removes a directory
    await assert.rejects(target.makeSymlink([n('plain')], n('x'), { overwrite: true }), RestoreExistsError);
    await assert.rejects(target.writeFile([n('plain')], { overwrite: true, size: 0, blocks: [] }), RestoreExistsError);
  });
});

test('sparse files: zero blocks become holes, also at the end', async () => {
  await withTempDir(async (dir) => {
    const target = await RestoreTarget.open(dir);
    const block = 1024 * 1024;
    const size = 64 * block;
    const zero = Buffer.alloc(block);
    const data = Buffer.alloc(block, 0x5a);
    async function* blocks(): AsyncGenerator<{ offset: number; data: Buffer }> {
      for (let i = 0; i < 64; i += 1) yield { offset: i * block, data: i === 10 ? data : zero };
    }
    const stats = await target.writeFile([n('sparse')], { overwrite: false, size, blocks: blocks() });
    assert.equal(stats.bytesWritten, block);
    assert.equal(stats.holeBytes, 63 * block);
    const info = await stat(`${dir}/sparse`);
    assert.equal(info.size, size);
    assert.ok(info.blocks * 512 < 8 * block, `allocated ${info.blocks * 512} bytes for a ${size} byte file`);
    const content = await readFile(`${dir}/sparse`);
    assert.ok(content.subarray(10 * block, 11 * block).equals(data));
    assert.ok(content.subarray(0, 10 * block).equals(Buffer.alloc(10 * block)));
    assert.ok(content.subarray(11 * block).equals(Buffer.alloc(53 * block)));
  });
});

test('blocks may arrive out of order; a block beyond the size is refused', async () => {
  await withTempDir(async (dir) => {
    const target = await RestoreTarget.open(dir);
    const file = await target.createFile([n('f')], { size: 6 });
    await Promise.all([file.write(3, n('def')), file.write(0, n('abc'))]);
    await assert.rejects(file.write(4, n('xyz')), FormatError);
    await file.finish();
    assert.equal(await readFile(`${dir}/f`, 'utf8'), 'abcdef');
    assert.equal((await stat(`${dir}/f`)).mode & 0o777, 0o600, 'private until metadata is applied');
  });
});

test('mode and mtime round-trip to the microsecond', async () => {
  await withTempDir(async (dir) => {
    const target = await RestoreTarget.open(dir);
    await target.makeDirectory([n('d')]);
    await target.writeFile([n('d'), n('f')], { overwrite: false, size: 1, blocks: blocksOf([0, n('x')]) });
    await target.makeSymlink([n('d'), n('l')], raw);
    const uid = process.geteuid?.() ?? 0;
    const gid = process.getegid?.() ?? 0;
    const times = [1_700_000_000_123_456_789n, 999_999_999n, 1_234_567_890_000_001_000n, 2_000_000_000_999_999_999n];
    for (let i = 0; i < 200; i += 1) times.push(BigInt(Math.floor(Math.random() * 2e9)) * 1_000_000_000n + BigInt(Math.floor(Math.random() * 1e9)));
    for (const mtimeNs of times) {
      await target.applyMetadata([n('d'), n('f')], { type: 'file', mode: 0o4751, uid, gid, mtimeNs, atimeNs: mtimeNs + 5000n });
      const info = await stat(`${dir}/d/f`, { bigint: true });
      assert.equal(info.mtimeNs / 1000n, mtimeNs / 1000n, `mtime ${mtimeNs}`);
      assert.equal(info.atimeNs / 1000n, (mtimeNs + 5000n) / 1000n, `atime ${mtimeNs}`);
      assert.equal(Number(info.mode & 0o7777n), 0o4751);
    }
    const mtimeNs = 1_600_000_000_654_321_000n;
    await target.applyMetadata([n('d'), n('l')], { type: 'symlink', mode: 0o777, uid, gid, mtimeNs });
    assert.equal((await lstat(`${dir}/d/l`, { bigint: true })).mtimeNs, mtimeNs);
    await target.applyMetadata([n('d')], { type: 'dir', mode: 0o750, uid, gid, mtimeNs });
    const dirInfo = await lstat(`${dir}/d`, { bigint: true });
    assert.equal(dirInfo.mtimeNs, mtimeNs);
    assert.equal(Number(dirInfo.mode & 0o7777n), 0o750);
  });
});

test('applyMetadata refuses an entry of another type and does not follow symlinks', async () => {
  await withTempDir(async (dir) => {
    await writeFile(`${dir}/outside`, '');
    const before = await stat(`${dir}/outside`);
    const target = await RestoreTarget.open(`${dir}/t`);
    await target.makeSymlink([n('l')], toBytes(`${dir}/outside`));
    const meta = { type: 'file' as const, mode: 0o777, uid: 0, gid: 0, mtimeNs: 0n };
    await assert.rejects(target.applyMetadata([n('l')], meta), { code: 'RESTORE_CHANGED' });
    const after = await stat(`${dir}/outside`);
    assert.equal(after.mode, before.mode);
    assert.equal(after.mtimeMs, before.mtimeMs);
  });
});

test('ownership: set as root, one warning otherwise', async () => {
  await withTempDir(async (dir) => {
    const warnings: Warning[] = [];
    const target = await RestoreTarget.open(dir, { onWarning: (w) => warnings.push(w) });
    assert.equal(target.ownership, isRoot);
    for (const name of ['a', 'b']) {
      await target.writeFile([n(name)], { overwrite: false, size: 0, blocks: [] });
      await target.applyMetadata([n(name)], { type: 'file', mode: 0o644, uid: 12345, gid: 23456, mtimeNs: 0n });
    }
    const info = await stat(`${dir}/a`);
    if (isRoot) {
      assert.deepEqual([info.uid, info.gid], [12345, 23456]);
      assert.deepEqual(warnings, []);
    } else {
      assert.deepEqual(warnings.map((w) => w.code), ['RESTORE_OWNERSHIP']);
    }
  });
});

test('symlinks and hard links', async () => {
  await withTempDir(async (dir) => {
    const target = await RestoreTarget.open(dir);
    await target.makeSymlink([n('l')], raw);
    assert.deepEqual(await readlink(`${dir}/l`, { encoding: 'buffer' }), raw);
    await assert.rejects(target.makeSymlink([n('l')], n('other')), RestoreExistsError);
    await target.makeSymlink([n('l')], n('other'), { overwrite: true });
    assert.equal(await readlink(`${dir}/l`), 'other');

    await target.writeFile([raw], { overwrite: false, size: 2, blocks: blocksOf([0, n('hi')]) });
    await target.makeHardLink([n('h')], [raw]);
    const [a, b] = await Promise.all([stat(Buffer.concat([toBytes(dir), n('/'), raw])), stat(`${dir}/h`)]);
    assert.equal(a.ino, b.ino);
    assert.equal(b.nlink, 2);
    await assert.rejects(target.makeHardLink([n('h')], [raw]), RestoreExistsError);
    await target.makeHardLink([n('l')], [raw], { overwrite: true });
    assert.ok((await lstat(`${dir}/l`)).isFile());
  });
});

test('FIFOs are restored, whatever bytes their names hold', async () => {
  await withTempDir(async (dir) => {
    const warnings: Warning[] = [];
    const target = await RestoreTarget.open(dir, { onWarning: (w) => warnings.push(w) });
    await target.makeDirectory([raw]);
    assert.equal(await target.makeSpecial([raw, raw], 'fifo', 0o640, 0), true);
    assert.equal(await target.makeSpecial([n('p')], 'fifo', 0o600, 0), true);
    const path = Buffer.concat([toBytes(dir), n('/'), raw, n('/'), raw]);
    const info = await lstat(path);
    assert.ok(info.isFIFO());
    assert.equal(info.mode & 0o777, 0o640);
    await target.applyMetadata([raw, raw], { type: 'fifo', mode: 0o604, uid: info.uid, gid: info.gid, mtimeNs: 1_000_000_000n });
    assert.equal((await lstat(path)).mode & 0o777, 0o604);
    await assert.rejects(target.makeSpecial([n('p')], 'fifo', 0o600, 0), RestoreExistsError);
    assert.equal(await target.makeSpecial([n('p')], 'fifo', 0o600, 0, { overwrite: true }), true);
    assert.deepEqual(warnings, []);
    // no temporary names are left behind
    assert.deepEqual(await readdir(dir, { encoding: 'buffer' }).then((names) => names.sort(Buffer.compare)), [raw, n('p')]);
  });
});

test('sockets are skipped; device nodes need root', async () => {
  await withTempDir(async (dir) => {
    const warnings: Warning[] = [];
    const target = await RestoreTarget.open(dir, { onWarning: (w) => warnings.push(w) });
    assert.equal(await target.makeSpecial([n('s')], 'socket', 0o600, 0), false);
    assert.deepEqual(warnings.map((w) => w.code), ['RESTORE_SPECIAL_SKIPPED']);
    warnings.length = 0;
    const devNull = await stat('/dev/null');
    const created = await target.makeSpecial([n('null')], 'chardev', 0o666, devNull.rdev);
    if (isRoot && created) {
      const info = await lstat(`${dir}/null`);
      assert.ok(info.isCharacterDevice());
      assert.equal(info.rdev, devNull.rdev);
    } else {
      // Without root, or as root without CAP_MKNOD (some containers): a warning, nothing created.
      assert.equal(created, false);
      assert.deepEqual(warnings.map((w) => w.code), ['RESTORE_SPECIAL_SKIPPED']);
      await assert.rejects(lstat(`${dir}/null`), { code: 'ENOENT' });
    }
  });
});
