/**
 * restore(backup(tree)) = tree through the real CLI, for a tree built to
 * break things: odd names (spaces, newline, bytes that are not UTF-8, NFC and
 * NFD spellings of one word, 255 bytes), deep nesting, every kind of symlink,
 * hard links, empty files and directories, a sparse file, setuid, setgid and
 * sticky bits, a FIFO, owners (as root) and times to the microsecond.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chown, lchown, lstat, open, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { dir, fifo, file, hardlink, makeTree, readTree, symlink, withTempDir, type TreeSpec } from '../source/testing.js';
import { toUtimeSeconds } from '../source/index.js';
import { Coffer, describeRun, jsonLines, pseudoRandomBytes, restoredPath, toMicroseconds } from './testing.js';

const isRoot = process.geteuid?.() === 0;
const MiB = 1024 * 1024;
const SPARSE_SIZE = 50 * MiB;
const T = (seconds: number, micros: number): bigint => BigInt(seconds) * 1_000_000_000n + BigInt(micros) * 1000n;

/** 60 nested directories, with a file at the bottom. */
function deep(levels: number): TreeSpec {
  let spec: TreeSpec = { 'bottom.txt': 'you found the bottom\n' };
  for (let i = levels - 1; i >= 0; i--) spec = { [`level-${String(i).padStart(2, '0')}`]: spec };
  return spec;
}

function nastyTree(): TreeSpec {
  const longName = `${'é'.repeat(127)}x`; // 255 bytes of UTF-8
  assert.equal(Buffer.byteLength(longName), 255);
  return [
    ['with spaces  and  more .txt', 'spaces\n'],
    ['line\nbreak', 'a newline in the name\n'],
    ['tab\tescape\x1b[31m', 'control characters\n'],
    [Buffer.from([0x6c, 0x61, 0x74, 0x69, 0x6e, 0x31, 0xe9]), 'latin-1 name, not UTF-8\n'],
    [Buffer.from([0xff, 0xfe, 0x80, 0x2e, 0x62, 0x69, 0x6e]), pseudoRandomBytes('raw', 3000)],
    [Buffer.alloc(255, 0xe9), 'a 255-byte name that is not UTF-8\n'],
    ['Caf\u00e9', 'NFC spelling\n'],
    ['Cafe\u0301', 'NFD spelling, another file\n'],
    [longName, 'a 255-byte name\n'],
    ['{"name":"json"}', 'looks like JSON\n'],
    ['back\\slash', 'backslash\n'],
    ['-dash', ''],
    ['.hidden', 'dot file\n'],
    ['empty-file', ''],
    ['empty-dir', {}],
    ['private-empty-dir', dir({}, { mode: 0o700, mtimeNs: T(1_500_000_000, 654_321) })],
    ['deep', deep(60)],
    ['links', dir([
      ['dangling', symlink('no/such/target')],
      ['absolute', symlink('/etc/hostname', { mtimeNs: T(1_600_000_000, 1) })],
      ['relative', symlink('../with spaces  and  more .txt')],
      ['to-dir', symlink('../deep')],
      ['raw-target', symlink(Buffer.from([0x2e, 0x2e, 0x2f, 0xff]))],
    ])],
    // Two names in one directory, a pair across directories, and three names across two.
    ['hard', {
      'first': file('two names, one inode, one directory\n', { mode: 0o640, mtimeNs: T(1_700_000_000, 123_456) }),
      'second': hardlink('hard/first'),
      'across-a': 'two names in two directories\n',
      'tri-1': 'three names\n',
      'tri-2': hardlink('hard/tri-1'),
    }],
    ['other', { 'across-b': hardlink('hard/across-a'), 'tri-3': hardlink('hard/tri-1') }],
    ['modes', dir([
      ['sticky', dir({ 'inside': 'in a sticky dir\n' }, { mode: 0o1777 })],
      ['setgid-dir', dir({ 'inside': 'in a setgid dir\n' }, { mode: 0o2775 })],
      ['read-only-dir', dir({ 'inside': 'in a read-only dir\n' }, { mode: 0o555 })],
      ['private', file('0600\n', { mode: 0o600 })],
      ['everyone', file('0777\n', { mode: 0o777 })],
      ['setuid', file('#!/bin/sh\n', { mode: 0o4755 })],
      ['setgid', file('#!/bin/sh\n', { mode: 0o2755 })],
      ['nothing', file('mode 000\n', { mode: 0o000 })],
    ])],
    ['special', { 'fifo': fifo({ mode: 0o640, mtimeNs: T(1_650_000_000, 999_999) }) }],
    ['times', {
      'future': file('2100\n', { mtimeNs: T(4_102_444_800, 500_001) }),
      'old': file('1971\n', { mtimeNs: T(31_536_000, 7) }),
    }],
    ['medium.bin', pseudoRandomBytes('medium', 300 * 1024)],
  ];
}

/** A file of SPARSE_SIZE bytes: a hole, 64 KiB of data in the middle, a hole. */
async function makeSparseFile(path: string): Promise<void> {
  const handle = await open(path, 'w', 0o644);
  try {
    await handle.write(pseudoRandomBytes('sparse middle', 64 * 1024), 0, 64 * 1024, SPARSE_SIZE / 2);
    await handle.truncate(SPARSE_SIZE);
  } finally {
    await handle.close();
  }
  await utimes(path, toUtimeSeconds(T(1_690_000_000, 42)), toUtimeSeconds(T(1_690_000_000, 42)));
}

test('a nasty tree survives backup and restore', { timeout: 120_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base, { smallChunks: true });
    const source = join(base, 'source tree');
    await makeTree(source, nastyTree());
    const sparse = join(source, 'sparse.img');
    await makeSparseFile(sparse);
    if (isRoot) {
      // Device nodes (only root can make them) and a directory nobody else may enter.
      execFileSync('mknod', ['-m', '0620', join(source, 'special', 'chardev'), 'c', '1', '3']);
      execFileSync('mknod', ['-m', '0600', join(source, 'special', 'blockdev'), 'b', '7', '200']);
      await makeTree(join(source, 'special'), { 'locked-dir': dir({ 'inside.txt': 'behind mode 000\n' }, { mode: 0o000 }) });
      await chown(join(source, 'hard', 'across-a'), 1234, 4321);
      await lchown(join(source, 'links', 'dangling'), 2345, 5432);
      await chown(join(source, 'modes', 'setgid-dir'), 3456, 6543);
    }
    // Changing entries changes their directories' times: set those last.
    await utimes(join(source, 'special'), toUtimeSeconds(T(1_111_111_111, 111_111)), toUtimeSeconds(T(1_111_111_111, 111_111)));
    await utimes(join(source, 'links'), toUtimeSeconds(T(1_234_567_890, 123_457)), toUtimeSeconds(T(1_234_567_890, 123_457)));

    const backup = await coffer.run(['backup', '--json', source]);
    assert.equal(backup.code, 0, describeRun(backup));
    const summary = jsonLines(backup.stdout).at(-1) as { filesNew: number; incomplete: boolean; warnings: number };
    assert.equal(summary.incomplete, false);
    assert.equal(summary.warnings, 0, describeRun(backup));

    const target = join(base, 'restored');
    const restore = await coffer.run(['restore', 'latest', '--target', target]);
    assert.equal(restore.code, 0, describeRun(restore));
    assert.equal(restore.stderr.includes('warning'), false, `restore gave no warnings\n${describeRun(restore)}`);

    const restored = restoredPath(target, source);
    const expected = toMicroseconds(await readTree(source, { owner: isRoot }));
    const actual = toMicroseconds(await readTree(restored, { owner: isRoot }));
    // Compare entry by entry first, for a readable message, then as a whole.
    for (const path of Object.keys(expected)) {
      assert.deepEqual(actual[path], expected[path], `restored entry ${JSON.stringify(path)}`);
    }
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), 'no entry is missing or extra');
    assert.deepEqual(actual, expected);

    // The sparse file comes back sparse: the holes are not written.
    const sourceStat = await lstat(sparse);
    const restoredStat = await lstat(join(restored, 'sparse.img'));
    assert.equal(restoredStat.size, SPARSE_SIZE);
    if (sourceStat.blocks * 512 < SPARSE_SIZE / 4) {
      assert.ok(restoredStat.blocks * 512 < 4 * MiB,
        `restored sparse file takes ${restoredStat.blocks * 512} bytes on disk for ${SPARSE_SIZE} bytes of length`);
    }

    // ls prints one line per entry, names escaped: no raw newline or escape sequence reaches the terminal.
    const ls = await coffer.run(['ls', 'latest']);
    assert.equal(ls.code, 0, describeRun(ls));
    assert.ok(!ls.stdout.includes('\x1b'), 'no raw ESC in ls output');
    const lines = ls.stdout.trimEnd().split('\n');
    assert.ok(lines.every((line) => line.startsWith('/')), 'every line is a path');
    assert.equal(lines.length, Object.keys(expected).length + source.split('/').filter((c) => c !== '').length);
    assert.ok(lines.includes(join(source, 'line\\nbreak')), 'a newline in a name is shown as \\n');
    const long = await coffer.run(['ls', '--long', 'latest']);
    assert.equal(long.code, 0, describeRun(long));
    assert.ok(!long.stdout.includes('\x1b'), 'no raw ESC in ls --long output');
    assert.equal(long.stdout.trimEnd().split('\n').length, lines.length);

    // The whole repository verifies, every byte.
    const check = await coffer.run(['check', '--read-data']);
    assert.equal(check.code, 0, describeRun(check));
  });
});

test('two sources and a single file restore to their absolute paths', { timeout: 60_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const a = join(base, 'a');
    const b = join(base, 'b', 'nested');
    await makeTree(a, { 'one.txt': 'one\n', sub: { 'two.txt': 'two\n' } });
    await makeTree(b, { 'three.txt': file('three\n', { mode: 0o600 }) });
    const single = join(base, 'b', 'single.txt');
    await makeTree(join(base, 'b'), { 'single.txt': 'single\n' });

    await coffer.backup([a, b, single]);
    const target = join(base, 'restored');
    await coffer.ok(['restore', 'latest', '--target', target]);
    assert.deepEqual(toMicroseconds(await readTree(restoredPath(target, a))), toMicroseconds(await readTree(a)));
    assert.deepEqual(toMicroseconds(await readTree(restoredPath(target, b))), toMicroseconds(await readTree(b)));
    // Only what was named is in the snapshot: b/ holds nested and single.txt, nothing else.
    const restoredB = await readTree(restoredPath(target, join(base, 'b')));
    assert.deepEqual(Object.keys(restoredB).sort(), ['nested', 'nested/three.txt', 'single.txt']);
  });
});

test('excludes leave entries out of the snapshot; include and exclude pick what is restored', { timeout: 60_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const source = join(base, 'source');
    await makeTree(source, {
      'keep.txt': 'kept\n',
      'drop.tmp': 'excluded by base name\n',
      cache: { 'x.bin': 'excluded directory\n' },
      build: { 'main.o': 'excluded by the exclude file\n', 'main.c': 'int main;\n' },
      sub: { cache: 'a file called cache is kept (cache/ means directories)\n', deep: { 'other.tmp': 'excluded\n' } },
    });
    await coffer.backup([source], { args: ['--exclude', '*.tmp', '--exclude', 'cache/', '--exclude', 'build/*.o'] });

    const listed = (jsonLines((await coffer.ok(['ls', '--json', 'latest', source])).stdout) as { path: string }[])
      .map((n) => n.path.slice(source.length)).sort();
    assert.deepEqual(listed, ['', '/build', '/build/main.c', '/keep.txt', '/sub', '/sub/cache', '/sub/deep']);

    const only = join(base, 'only-c');
    await coffer.ok(['restore', 'latest', '--target', only, '--include', '*.c']);
    assert.deepEqual(Object.keys(await readTree(restoredPath(only, source))).sort(), ['build', 'build/main.c']);

    const without = join(base, 'without-build');
    await coffer.ok(['restore', 'latest', '--target', without, '--exclude', 'build']);
    assert.deepEqual(Object.keys(await readTree(restoredPath(without, source))).sort(),
      ['keep.txt', 'sub', 'sub/cache', 'sub/deep']);
  });
});

test('backup reads exclude patterns from --exclude-file', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const source = join(base, 'source');
    await makeTree(source, { 'keep.c': 'kept\n', 'main.o': 'excluded\n', logs: { 'today.log': 'excluded\n' } });
    const excludeFile = join(base, 'excludes');
    await writeFile(excludeFile, '# build output\n*.o\n\nlogs/\n');
    const result = await coffer.run(['backup', '--json', '--exclude-file', excludeFile, source]);
    assert.equal(result.code, 0, describeRun(result));
    const listed = (jsonLines((await coffer.ok(['ls', '--json', 'latest', source])).stdout) as { path: string }[])
      .map((n) => n.path.slice(source.length)).sort();
    assert.deepEqual(listed, ['', '/keep.c']);
  });
});

test('a directory on the way to a source that is reached through a symlink is restored as a directory with its real metadata', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    await makeTree(base, {
      real: dir({ docs: { 'a.txt': 'through a link\n' } }, { mode: 0o750, mtimeNs: T(1_600_000_000, 5) }),
      link: symlink('real'),
    });
    const source = join(base, 'link', 'docs');
    await coffer.backup([source]);

    const nodes = jsonLines((await coffer.ok(['ls', '--json', 'latest'])).stdout) as { path: string; nodeType: string; mode: number }[];
    const onTheWay = nodes.find((n) => n.path === join(base, 'link'));
    assert.equal(onTheWay?.nodeType, 'dir');
    assert.equal(onTheWay?.mode, 0o750, `the directory on the way has the mode of the directory the link leads to, not the link's 0777`);

    const target = join(base, 'restored');
    await coffer.ok(['restore', 'latest', '--target', target]);
    const restored = await lstat(restoredPath(target, join(base, 'link')));
    assert.ok(restored.isDirectory());
    assert.equal(restored.mode & 0o7777, 0o750, 'not a world-writable directory');
    assert.deepEqual(toMicroseconds(await readTree(restoredPath(target, source))), toMicroseconds(await readTree(source)));
  });
});
