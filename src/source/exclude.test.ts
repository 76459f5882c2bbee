import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { joinPath, toBytes } from './byte-path.js';
import { Excluder, parseExcludeFile, readExcludeFile } from './exclude.js';
import { listDirectory } from './list-directory.js';
import { readMetadata } from './metadata.js';
import { withTempDir } from './testing.js';

// [pattern, path, is a directory, excluded]
const table: Array<[string, string | Buffer, boolean, boolean]> = [
  ['*.tmp', '/a/b/x.tmp', false, true],
  ['*.tmp', '/x.tmp', false, true],
  ['*.tmp', '/a/b/x.tmpl', false, false],
  ['*.tmp', '/a/x.tmp/y', false, false],
  ['*.tmp', '/a/.tmp', false, true],
  ['*.tmp', '/a/x\ny.tmp', false, true],
  ['*.tmp', Buffer.concat([Buffer.from('/a/'), Buffer.from([0xff, 0x0a]), Buffer.from('.tmp')]), false, true],
  ['node_modules', '/p/node_modules', true, true],
  ['node_modules', '/p/q/r/node_modules', true, true],
  ['node_modules', '/p/node_modules_x', true, false],
  ['node_modules', '/node_modules/p', false, false],
  ['.git', '/repo/.git', true, true],
  ['?', '/a/b', false, true],
  ['?', '/a/bc', false, false],
  ['{a,b}.txt', '/x/b.txt', false, true],
  ['{a,b}.txt', '/x/c.txt', false, false],
  ['[0-9]*.log', '/var/2024.log', false, true],
  ['[0-9]*.log', '/var/x2024.log', false, false],
  ['/home/*/.cache', '/home/u/.cache', true, true],
  ['/home/*/.cache', '/home/u/x/.cache', true, false],
  ['/home/*/.cache', '/srv/home/u/.cache', true, false],
  ['/home/*/.cache', '/home/u/.cache2', true, false],
  ['**/build/*.o', '/src/build/a.o', false, true],
  ['**/build/*.o', '/build/a.o', false, true],
  ['**/build/*.o', '/src/build/sub/a.o', false, false],
  ['/var/log/**', '/var/log/x/y.log', false, true],
  ['/var/log/**', '/var/logs/x', false, false],
  ['build/*.o', '/src/app/build/main.o', false, true],
  ['build/*.o', '/src/app/build2/main.o', false, false],
  ['cache/', '/x/cache', true, true],
  ['cache/', '/x/cache', false, false],
  ['/srv/data/', '/srv/data', true, true],
  ['/srv/data/', '/srv/data', false, false],
  ['/', '/', true, true],
];

test('exclude patterns: base name without a slash, absolute path with one', () => {
  for (const [pattern, path, isDirectory, expected] of table) {
    const excluder = new Excluder([pattern]);
    assert.equal(
      excluder.excludes(toBytes(path), isDirectory),
      expected,
      `${JSON.stringify(pattern)} on ${JSON.stringify(toBytes(path).toString())} (${isDirectory ? 'dir' : 'file'})`,
    );
  }
});

test('an entry is excluded when any pattern matches', () => {
  const excluder = new Excluder(['*.o', '/tmp/**']);
  assert.equal(excluder.excludes(Buffer.from('/a/b.o'), false), true);
  assert.equal(excluder.excludes(Buffer.from('/tmp/x'), false), true);
  assert.equal(excluder.excludes(Buffer.from('/a/b.c'), false), false);
  assert.equal(new Excluder([]).empty, true);
  assert.equal(new Excluder([]).excludes(Buffer.from('/x'), false), false);
});

test('negated and empty patterns are refused', () => {
  assert.throws(() => new Excluder(['!keep']), UsageError);
  assert.throws(() => new Excluder(['']), UsageError);
});

test('exclude files skip blank lines and comments', async () => {
  assert.deepEqual(parseExcludeFile('# caches\n*.tmp\n\n   \r\n/home/*/.cache\r\n#x\nnode_modules'), [
    '*.tmp',
    '/home/*/.cache',
    'node_modules',
  ]);
  await withTempDir(async (dir) => {
    await writeFile(`${dir}/excludes`, '# comment\n*.o\n\nbuild/\n');
    assert.deepEqual(await readExcludeFile(`${dir}/excludes`), ['*.o', 'build/']);
    await assert.rejects(readExcludeFile(`${dir}/missing`), { code: 'ENOENT' });
  });
});

test('a walk does not descend into an excluded directory', async () => {
  await withTempDir(async (dir) => {
    await mkdir(`${dir}/src/node_modules/pkg`, { recursive: true });
    await writeFile(`${dir}/src/node_modules/pkg/index.js`, '');
    await writeFile(`${dir}/src/main.ts`, '');
    await writeFile(`${dir}/src/main.tmp`, '');
    const excluder = new Excluder(['node_modules', '*.tmp']);
    const seen: string[] = [];
    const walk = async (path: Buffer): Promise<void> => {
      for (const name of await listDirectory(path)) {
        const child = joinPath(path, name);
        const meta = await readMetadata(child);
        if (excluder.excludes(child, meta.type === 'dir')) continue;
        seen.push(child.subarray(dir.length).toString());
        if (meta.type === 'dir') await walk(child);
      }
    };
    await walk(toBytes(dir));
    assert.deepEqual(seen, ['/src', '/src/main.ts']);
  });
});
