import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { AbortedError } from '../errors.js';
import { joinPath, toBytes } from './byte-path.js';
import { listDirectory } from './list-directory.js';
import { crossesFilesystem, readLinkTarget, readMetadata, type EntryType } from './metadata.js';
import { sourceWarning } from './source-warning.js';
import { fifo, makeTree, withTempDir } from './testing.js';

const invalid = Buffer.from([0x62, 0xff, 0xfe, 0x0a]); // "b", two invalid bytes, newline
const newline = Buffer.from('line\nbreak');

/** Every path below root with its type, in walk order (sorted names, parents first). */
async function walk(root: Buffer): Promise<Array<[Buffer, EntryType]>> {
  const out: Array<[Buffer, EntryType]> = [];
  for (const name of await listDirectory(root)) {
    const path = joinPath(root, name);
    const meta = await readMetadata(path);
    out.push([path, meta.type]);
    if (meta.type === 'dir') out.push(...(await walk(path)));
  }
  return out;
}

test('list and walk a tree with non-UTF-8 and newline names', async () => {
  await withTempDir(async (dir) => {
    const root = toBytes(dir);
    await mkdir(joinPath(root, invalid));
    await writeFile(joinPath(joinPath(root, invalid), newline), 'x');
    await writeFile(joinPath(root, newline), 'y');
    await writeFile(joinPath(root, Buffer.from('a')), 'z');
    await symlink(invalid, joinPath(root, Buffer.from('link')));

    const names = await listDirectory(root);
    assert.deepEqual(names, [Buffer.from('a'), invalid, newline, Buffer.from('link')].sort(Buffer.compare));
    assert.ok(names.some((name) => name.equals(invalid)), 'invalid UTF-8 name kept byte for byte');

    const walked = await walk(root);
    const relative = walked.map(([path, type]) => [path.subarray(root.length + 1), type]);
    assert.deepEqual(relative, [
      [Buffer.from('a'), 'file'],
      [invalid, 'dir'],
      [Buffer.concat([invalid, Buffer.from('/'), newline]), 'file'],
      [newline, 'file'],
      [Buffer.from('link'), 'symlink'],
    ]);
    assert.deepEqual(await readLinkTarget(joinPath(root, Buffer.from('link'))), invalid);
  });
});

test('names are sorted bytewise, not by locale', async () => {
  await withTempDir(async (dir) => {
    const names = ['b', 'B', 'a', '\u00e9', 'Z', '_', '10', '9'];
    for (const name of names) await writeFile(`${dir}/${name}`, '');
    const listed = (await listDirectory(toBytes(dir))).map((name) => name.toString());
    assert.deepEqual(listed, ['10', '9', 'B', 'Z', '_', 'a', 'b', '\u00e9']);
  });
});

test('readMetadata reports types, modes, sizes and times', async () => {
  await withTempDir(async (dir) => {
    await makeTree(dir, { f: 'hello', d: {}, p: fifo({ mode: 0o640 }) });
    const root = toBytes(dir);
    const f = await readMetadata(joinPath(root, Buffer.from('f')));
    assert.equal(f.type, 'file');
    assert.equal(f.size, 5);
    assert.equal(f.mode, 0o644);
    assert.equal(f.links, 1);
    assert.equal(typeof f.mtimeNs, 'bigint');
    assert.ok(f.inode > 0n);
    assert.equal((await readMetadata(joinPath(root, Buffer.from('d')))).type, 'dir');
    const p = await readMetadata(joinPath(root, Buffer.from('p')));
    assert.equal(p.type, 'fifo');
    assert.equal(p.mode, 0o640);
    assert.equal(crossesFilesystem(f, p), false);
    assert.equal(crossesFilesystem(f, { ...p, device: p.device + 1n }), true);
    const dev = await readMetadata(Buffer.from('/dev/null'));
    assert.equal(dev.type, 'chardev');
    assert.notEqual(dev.rdev, 0);
  });
});

test('errors of vanished and unreadable entries map to warnings', async () => {
  await withTempDir(async (dir) => {
    const gone = joinPath(toBytes(dir), invalid);
    const error = await readMetadata(gone).catch((e: unknown) => e);
    const warning = sourceWarning(error, gone);
    assert.equal(warning?.code, 'SOURCE_VANISHED');
    assert.ok(warning?.path?.endsWith('b\\xff\\xfe\\n'));
    assert.ok(!warning?.message.includes('\n'), 'message stays on one line');
    assert.equal(sourceWarning(Object.assign(new Error('x'), { code: 'EACCES' }), gone)?.code, 'SOURCE_UNREADABLE');
    assert.equal(sourceWarning(Object.assign(new Error('x'), { code: 'EMFILE' }), gone), undefined);
    assert.equal(sourceWarning(new Error('plain'), gone), undefined);
  });
});

test('an aborted signal stops listing', async () => {
  await assert.rejects(listDirectory(Buffer.from('/'), AbortSignal.abort()), AbortedError);
  await assert.rejects(readMetadata(Buffer.from('/'), AbortSignal.abort()), AbortedError);
});
