/**
 * The machine-readable interface scripts rely on: `--json` output of each
 * command (one JSON value per stdout line, nothing else on stdout), error
 * objects in JSON mode, and the exit codes documented in `--help`.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { file, makeTree, symlink, withTempDir } from '../source/testing.js';
import { COFFER_BIN, Coffer, describeRun, jsonLines, runCli } from './testing.js';

const HEX64 = /^[0-9a-f]{64}$/;
const RFC3339_NANOS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;

test('--help documents the exit codes', async () => {
  const result = await runCli([COFFER_BIN, '--help'], { PATH: process.env['PATH'] ?? '/usr/bin:/bin' });
  assert.equal(result.code, 0, describeRun(result));
  assert.match(result.stdout, /Exit codes/);
  assert.match(result.stdout, /^\s*12\s+wrong passphrase/m);
  for (const code of ['0', '1', '2', '3', '10', '11', '12', '130']) {
    assert.match(result.stdout, new RegExp(`^\\s*${code}\\s+\\S`, 'm'), `exit code ${code} is documented`);
  }
  const version = await runCli([COFFER_BIN, '--version'], { PATH: process.env['PATH'] ?? '/usr/bin:/bin' });
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+/);
});

test('every command speaks JSON with --json', { timeout: 60_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const source = join(base, 'source');
    await makeTree(source, {
      'a.txt': file('hello\n', { mode: 0o640, mtimeNs: 1_700_000_000_123_456_000n }),
      sub: { 'b.txt': 'world\n', link: symlink('../a.txt') },
    });

    // backup: JSON lines only, ending with the summary.
    const backup = await coffer.run(['backup', '--json', '--tag', 'first', source]);
    assert.equal(backup.code, 0, describeRun(backup));
    const lines = jsonLines(backup.stdout) as { type: string }[];
    assert.ok(lines.length >= 1);
    assert.ok(lines.every((l) => typeof l.type === 'string'), 'every line has a type');
    const summary = lines.at(-1) as Record<string, unknown>;
    assert.equal(summary['type'], 'summary');
    assert.match(String(summary['snapshot']), HEX64);
    assert.equal(summary['incomplete'], false);
    assert.equal(summary['filesNew'], 2, 'two regular files (the symlink is not counted)');
    assert.equal(summary['bytesRead'], 12);
    for (const key of ['filesChanged', 'filesUnchanged', 'dirs', 'bytesAdded', 'packsAdded', 'warnings', 'durationMs', 'recoveredPacks']) {
      assert.equal(typeof summary[key], 'number', `summary.${key} is a number`);
    }

    // snapshots: one JSON array.
    const snapshots = await coffer.ok(['snapshots', '--json']);
    const list = JSON.parse(snapshots.stdout) as Record<string, unknown>[];
    assert.ok(Array.isArray(list));
    assert.equal(list.length, 1);
    const [snap] = list as [Record<string, unknown>];
    assert.equal(snap['id'], summary['snapshot']);
    assert.match(String(snap['time']), RFC3339_NANOS);
    assert.deepEqual(snap['paths'], [source]);
    assert.deepEqual(snap['tags'], ['first']);
    assert.equal(snap['verified'], true);
    assert.equal(snap['incomplete'], false);
    assert.match(String(snap['tree']), HEX64);

    // ls: one node per line, parents included, no data read.
    const ls = await coffer.ok(['ls', '--json', 'latest']);
    const nodes = jsonLines(ls.stdout) as { type: string; path: string; nodeType: string; mode: number; size: number | null; target: string | null; mtime: string }[];
    assert.ok(nodes.every((n) => n.type === 'node'));
    const byPath = new Map(nodes.map((n) => [n.path, n]));
    assert.equal(byPath.get(source)?.nodeType, 'dir');
    const a = byPath.get(join(source, 'a.txt'));
    assert.equal(a?.nodeType, 'file');
    assert.equal(a?.mode, 0o640);
    assert.equal(a?.size, 6);
    assert.equal(a?.mtime, '2023-11-14T22:13:20.123456000Z');
    assert.equal(byPath.get(join(source, 'sub', 'link'))?.nodeType, 'symlink');
    assert.equal(byPath.get(join(source, 'sub', 'link'))?.target, '../a.txt');
    assert.equal(byPath.get(join(source, 'sub', 'b.txt'))?.size, 6);
    // ls by snapshot id and below a path.
    const below = jsonLines((await coffer.ok(['ls', '--json', String(summary['snapshot']), join(source, 'sub')])).stdout) as { path: string }[];
    assert.deepEqual(below.map((n) => n.path).sort(), [join(source, 'sub'), join(source, 'sub', 'b.txt'), join(source, 'sub', 'link')]);

    // check: one object, ok.
    const check = await coffer.ok(['check', '--json', '--read-data']);
    const checkLines = jsonLines(check.stdout) as Record<string, unknown>[];
    assert.equal(checkLines.length, 1, describeRun(check));
    assert.equal(checkLines[0]!['type'], 'check');
    assert.equal(checkLines[0]!['ok'], true);
    assert.deepEqual(checkLines[0]!['problems'], []);
    assert.equal(checkLines[0]!['snapshots'], 1);
    assert.ok(Number(checkLines[0]!['packsRead']) >= 2);

    // restore: a summary line.
    const target = join(base, 'restored');
    const restore = await coffer.ok(['restore', 'latest', '--json', '--target', target]);
    const restored = jsonLines(restore.stdout).at(-1) as Record<string, unknown>;
    assert.equal(restored['type'], 'summary');
    assert.equal(restored['snapshot'], summary['snapshot']);
    assert.equal(restored['bytes'], 12);
    assert.deepEqual(restored['failures'], []);
    assert.ok(Number(restored['files']) >= 3);

    // key list: an array with the current key.
    const keys = JSON.parse((await coffer.ok(['key', 'list', '--json'])).stdout) as { id: string; current: boolean }[];
    assert.equal(keys.length, 1);
    assert.match(keys[0]!.id, HEX64);
    assert.equal(keys[0]!.current, true);

    // cat config: the configuration as JSON, with the repository id.
    const config = JSON.parse((await coffer.ok(['cat', 'config'])).stdout) as Record<string, unknown>;
    assert.equal(config['repository'], coffer.repositoryId);
    const catSnapshot = JSON.parse((await coffer.ok(['cat', 'snapshot', String(summary['snapshot'])])).stdout) as Record<string, unknown>;
    assert.deepEqual(catSnapshot['paths'], [source]);
  });
});

test('errors in JSON mode are JSON objects with a code, and exit codes still apply', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const wrong = join(base, 'wrong');
    await writeFile(wrong, 'wrong passphrase');
    const result = await coffer.run(['snapshots', '--json'], { passwordFile: wrong });
    assert.equal(result.code, 12, describeRun(result));
    const [error] = jsonLines(result.stdout) as [{ type: string; code: string; message: string }];
    assert.equal(error.type, 'error');
    assert.equal(error.code, 'WRONG_PASSWORD');
    assert.match(error.message, /wrong passphrase/);

    const none = await coffer.run(['snapshots', '--json'], { repo: join(base, 'nothing-here') });
    assert.equal(none.code, 10, describeRun(none));
    assert.equal((jsonLines(none.stdout)[0] as { code: string }).code, 'NO_REPOSITORY');

    // An incomplete backup: warnings as JSON lines, then the summary; exit 3.
    const source = join(base, 'source');
    await makeTree(source, { 'x.txt': 'x\n' });
    const missing = join(base, 'missing');
    const partial = await coffer.run(['backup', '--json', source, missing]);
    assert.equal(partial.code, 3, describeRun(partial));
    const lines = jsonLines(partial.stdout) as { type: string; code?: string; path?: string }[];
    assert.ok(lines.some((l) => l.type === 'warning' && typeof l.code === 'string'), describeRun(partial));
    assert.equal(lines.at(-1)?.type, 'summary');
  });
});

test('key add, passwd and remove print only JSON lines with --json', { timeout: 60_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const second = join(base, 'second');
    await writeFile(second, 'second passphrase');
    const third = join(base, 'third');
    await writeFile(third, 'third passphrase');
    const cheap = ['--scrypt-n', '16384'];

    const added = await coffer.ok(['key', 'add', '--json', '--new-password-file', second, ...cheap]);
    const addedId = (jsonLines(added.stdout)[0] as { id: string }).id;
    const passwd = await coffer.ok(['key', 'passwd', '--json', '--new-password-file', third, ...cheap], { passwordFile: second });
    assert.doesNotThrow(() => jsonLines(passwd.stdout), `key passwd --json prints JSON\n${describeRun(passwd)}`);
    assert.ok(passwd.stdout.trim() !== '', `key passwd --json reports the new key\n${describeRun(passwd)}`);

    const keys = JSON.parse((await coffer.ok(['key', 'list', '--json'])).stdout) as { id: string; current: boolean }[];
    assert.equal(keys.length, 2);
    assert.ok(!keys.some((k) => k.id === addedId), 'passwd replaced the second key');
    const other = keys.find((k) => !k.current)!;
    const removed = await coffer.ok(['key', 'remove', '--json', other.id]);
    assert.doesNotThrow(() => jsonLines(removed.stdout), `key remove --json prints JSON\n${describeRun(removed)}`);
  });
});
