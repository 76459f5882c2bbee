/**
 * Failures a user meets, through the CLI: each gives its documented exit
 * code and one clear message on stderr, never a stack trace, and leaves
 * the user's files alone. Also the key commands (add, list, remove, passwd).
 */
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, readlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTree, readTree, symlink, withTempDir } from '../source/testing.js';
import {
  CHEAP_SCRYPT, Coffer, backupSummary, describeRun, hasStackTrace, jsonLines, objectNames, restoredPath, toMicroseconds,
  type RunResult,
} from './testing.js';

const isRoot = process.geteuid?.() === 0;

function assertClean(result: RunResult): void {
  assert.ok(!hasStackTrace(result.stderr) && !hasStackTrace(result.stdout), `no stack trace\n${describeRun(result)}`);
  assert.ok(result.stderr.trim() !== '', `a message on stderr\n${describeRun(result)}`);
}

test('a wrong passphrase exits 12 with a clear message', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const wrong = join(base, 'wrong');
    await writeFile(wrong, 'not the passphrase');
    for (const args of [['snapshots'], ['check'], ['backup', base], ['restore', 'latest', '--target', join(base, 't')], ['key', 'list']]) {
      const result = await coffer.run(args, { passwordFile: wrong });
      assert.equal(result.code, 12, describeRun(result));
      assert.match(result.stderr, /wrong passphrase/, describeRun(result));
      assertClean(result);
      assert.ok(!result.stderr.includes('not the passphrase'), 'the passphrase is not echoed');
    }
  });
});

test('every passphrase source works, and a missing or failing one is a usage error', { timeout: 60_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const withNewline = join(base, 'with-newline');
    await writeFile(withNewline, `${coffer.password}\n`);
    const empty = join(base, 'empty');
    await writeFile(empty, '');
    const quoted = `'${coffer.password.replace(/'/g, `'\\''`)}'`;
    const noFile = { passwordFile: '' };

    const works: [string, Promise<RunResult>][] = [
      ['a file ending in a newline', coffer.run(['snapshots'], { passwordFile: withNewline })],
      ['--password-file', coffer.run(['--password-file', coffer.passwordFile, 'snapshots'], noFile)],
      ['--password-command', coffer.run(['--password-command', `printf %s ${quoted}`, 'snapshots'], noFile)],
      ['COFFER_PASSWORD_COMMAND', coffer.run(['snapshots'], { ...noFile, env: { COFFER_PASSWORD_COMMAND: `cat ${coffer.passwordFile}` } })],
      ['COFFER_PASSWORD', coffer.run(['snapshots'], { ...noFile, env: { COFFER_PASSWORD: coffer.password } })],
    ];
    for (const [what, running] of works) {
      const result = await running;
      assert.equal(result.code, 0, `${what}\n${describeRun(result)}`);
    }

    const missing = join(base, 'no-such-file');
    const fails: [string, string | RegExp, Promise<RunResult>][] = [
      ['a missing file', missing, coffer.run(['snapshots'], { passwordFile: missing })],
      ['an empty file', empty, coffer.run(['snapshots'], { passwordFile: empty })],
      ['a failing command', /exited with code 3/, coffer.run(['--password-command', 'echo nope >&2; exit 3', 'snapshots'], noFile)],
      ['no source and no terminal', /passphrase/, coffer.run(['snapshots'], noFile)],
    ];
    for (const [what, expected, running] of fails) {
      const result = await running;
      assert.equal(result.code, 2, `${what}\n${describeRun(result)}`);
      if (typeof expected === 'string') assert.ok(result.stderr.includes(expected), `${what}: names ${expected}\n${describeRun(result)}`);
      else assert.match(result.stderr, expected, `${what}\n${describeRun(result)}`);
      assertClean(result);
    }
  });
});

test('a damaged key file gives a clear error naming it', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const [key] = await objectNames(coffer.repo, 'keys');
    assert.ok(key);
    const id = key.slice('keys/'.length);
    const file = join(coffer.repo, key);
    const original = await readFile(file);

    for (const damage of ['truncated', 'garbage'] as const) {
      if (damage === 'truncated') await truncate(file, Math.floor(original.length / 2));
      else await writeFile(file, 'this is not a key file at all\n');
      const result = await coffer.run(['snapshots']);
      assert.notEqual(result.code, 0, describeRun(result));
      assert.notEqual(result.code, 12, `a damaged key file is not a wrong passphrase\n${describeRun(result)}`);
      assert.ok(result.stderr.includes(id.slice(0, 8)), `the message names key ${id.slice(0, 8)}\n${describeRun(result)}`);
      assert.match(result.stderr, /key/, describeRun(result));
      assertClean(result);
      await writeFile(file, original);
    }
    await coffer.ok(['snapshots']);
  });
});

test('a damaged extra key file does not lock out the good one', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const garbage = Buffer.from('{"format":"coffer-key/v1","broken":true}');
    const { createHash } = await import('node:crypto');
    const name = createHash('sha256').update(garbage).digest('hex');
    await writeFile(join(coffer.repo, 'keys', name), garbage);
    const result = await coffer.ok(['snapshots', '--json']);
    assert.deepEqual(JSON.parse(result.stdout), []);
    // key list shows it as damaged rather than failing.
    const keys = JSON.parse((await coffer.ok(['key', 'list', '--json'])).stdout) as { id: string; problem: string | null }[];
    assert.equal(keys.length, 2);
    assert.ok(keys.find((k) => k.id === name)?.problem, 'the damaged key is reported as damaged');
  });
});

test('no repository at the location exits 10', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const empty = join(base, 'empty');
    await mkdir(empty);
    for (const repo of [empty, join(base, 'does-not-exist')]) {
      for (const args of [['snapshots'], ['backup', base], ['check']]) {
        const result = await coffer.run(args, { repo });
        assert.equal(result.code, 10, describeRun(result));
        assert.ok(result.stderr.includes(repo), `the message names the location\n${describeRun(result)}`);
        assertClean(result);
      }
    }
    // A key file but no config (an interrupted init) is no repository either.
    const half = join(base, 'half');
    await mkdir(join(half, 'keys'), { recursive: true });
    const [key] = await objectNames(coffer.repo, 'keys');
    await writeFile(join(half, key!), await readFile(join(coffer.repo, key!)));
    const result = await coffer.run(['snapshots'], { repo: half });
    assert.equal(result.code, 10, describeRun(result));
    assertClean(result);
  });
});

test('init refuses a location that holds a repository', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const result = await coffer.run(['init', ...CHEAP_SCRYPT]);
    assert.notEqual(result.code, 0, describeRun(result));
    assertClean(result);
    await coffer.ok(['snapshots']);
  });
});

test('bad flags, arguments and unknown commands exit 2', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const cases: string[][] = [
      ['frobnicate'],
      ['backup', '--no-such-flag', base],
      ['backup'],
      ['restore', 'latest'],
      ['restore'],
      ['ls'],
      ['check', '--read-data-subset', 'lots'],
      ['key', 'frobnicate'],
      ['cat', 'snapshot', 'abc'],
      ['cat', 'nonsense'],
      ['init', '--pack-size', 'huge'],
      ['--repo', 'ftp://example.com/repo', 'snapshots'],
    ];
    for (const args of cases) {
      const result = await coffer.run(args);
      assert.equal(result.code, 2, describeRun(result));
      assertClean(result);
    }
  });
});

test('init with invalid parameters is a usage error (exit 2) and leaves no repository', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const repo = join(base, 'new-repo');
    const invalid: string[][] = [
      ['--chunk-min', '100K'],
      ['--chunk-min', '1M', '--chunk-avg', '512K'],
      ['--pack-size', '512K'],
      ['--scrypt-n', '1000'],
      ['--scrypt-n', '1024'],
    ];
    const results: RunResult[] = [];
    for (const flags of invalid) results.push(await coffer.run(['init', ...flags], { repo }));
    // Nothing was left behind: a valid init at the same place works.
    await coffer.ok(['init', ...CHEAP_SCRYPT], { repo });
    for (const result of results) {
      assert.equal(result.code, 2, `a usage error\n${describeRun(result)}`);
      assertClean(result);
    }
  });
});

test('an unreadable source still writes a snapshot, marked incomplete, and exits 3', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const source = join(base, 'source');
    await makeTree(source, { 'fine.txt': 'readable\n', locked: { 'secret.txt': 'unreadable\n' } });
    const missing = join(base, 'vanished');
    const paths = [source, missing];
    if (!isRoot) await chmod(join(source, 'locked', 'secret.txt'), 0o000);

    const result = await coffer.run(['backup', '--json', ...paths]);
    assert.equal(result.code, 3, describeRun(result));
    const summary = backupSummary(result);
    assert.equal(summary.incomplete, true, describeRun(result));
    assert.ok(summary.warnings >= 1);
    const warnings = jsonLines(result.stdout).filter((l) => (l as { type: string }).type === 'warning') as { path?: string; message: string }[];
    assert.ok(warnings.some((w) => w.message.includes(missing)), `a warning names ${missing}\n${describeRun(result)}`);
    assert.ok(!hasStackTrace(result.stderr), describeRun(result));

    const snapshots = JSON.parse((await coffer.ok(['snapshots', '--json'])).stdout) as { id: string; incomplete: boolean }[];
    assert.equal(snapshots.length, 1);
    assert.equal(snapshots[0]!.id, summary.snapshot);
    assert.equal(snapshots[0]!.incomplete, true);
    // What could be read is in it.
    const target = join(base, 'restored');
    await coffer.ok(['restore', 'latest', '--target', target]);
    assert.equal(await readFile(restoredPath(target, join(source, 'fine.txt')), 'utf8'), 'readable\n');

    // Text output says so too.
    const text = await coffer.run(['backup', ...paths]);
    assert.equal(text.code, 3, describeRun(text));
    assert.ok(text.stderr.includes(missing), describeRun(text));
    assert.match(text.stdout, /incomplete/, describeRun(text));
  });
});

test('restore does not overwrite an existing file unless asked to', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const source = join(base, 'source');
    await makeTree(source, { 'a.txt': 'from the snapshot\n', sub: { 'b.txt': 'also from the snapshot\n' } });
    await coffer.backup([source]);

    const target = join(base, 'target');
    const existing = restoredPath(target, join(source, 'a.txt'));
    await makeTree(restoredPath(target, source), { 'a.txt': 'precious local edits\n' });
    const refused = await coffer.run(['restore', 'latest', '--target', target]);
    assert.notEqual(refused.code, 0, describeRun(refused));
    // Named by its path in the target or in the snapshot (the latter is a suffix of the former).
    assert.ok(refused.stderr.includes(join(source, 'a.txt')), `the message names ${existing}\n${describeRun(refused)}`);
    assertClean(refused);
    assert.equal(await readFile(existing, 'utf8'), 'precious local edits\n', 'the existing file is unchanged');

    const replaced = await coffer.run(['restore', 'latest', '--target', target, '--overwrite']);
    assert.equal(replaced.code, 0, describeRun(replaced));
    assert.equal(await readFile(existing, 'utf8'), 'from the snapshot\n');
    assert.deepEqual(toMicroseconds(await readTree(restoredPath(target, source))), toMicroseconds(await readTree(source)));
  });
});

test('restore does not replace an existing entry where a symlink goes unless asked to', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const source = join(base, 'source');
    await makeTree(source, { 'a.txt': 'text\n', link: symlink('a.txt') });
    await coffer.backup([source]);

    const target = join(base, 'target');
    const existing = restoredPath(target, join(source, 'link'));
    await makeTree(restoredPath(target, source), { link: 'a local file where the snapshot has a symlink\n' });
    const refused = await coffer.run(['restore', 'latest', '--target', target]);
    assert.notEqual(refused.code, 0, describeRun(refused));
    assert.ok(refused.stderr.includes(join(source, 'link')), `the message names ${existing}\n${describeRun(refused)}`);
    assertClean(refused);
    assert.equal(await readFile(existing, 'utf8'), 'a local file where the snapshot has a symlink\n');

    const replaced = await coffer.run(['restore', 'latest', '--target', target, '--overwrite']);
    assert.equal(replaced.code, 0, describeRun(replaced));
    assert.equal(await readlink(existing), 'a.txt');
  });
});

test('restore never follows a symlink it finds in the target', async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const source = join(base, 'source');
    await makeTree(source, { 'a.txt': 'inside\n', sub: { 'b.txt': 'deeper\n' } });
    await coffer.backup([source]);

    // The target's first directory on the way to the source is a symlink to somewhere else.
    const outside = join(base, 'outside');
    await mkdir(outside);
    const target = join(base, 'target');
    const first = source.split('/').filter((c) => c !== '')[0]!;
    await makeTree(target, { [first]: symlink(outside) });

    const refused = await coffer.run(['restore', 'latest', '--target', target]);
    assert.notEqual(refused.code, 0, describeRun(refused));
    assertClean(refused);
    assert.deepEqual(await readTree(outside), {}, 'nothing is written through the symlink');

    const replaced = await coffer.run(['restore', 'latest', '--target', target, '--overwrite']);
    assert.equal(replaced.code, 0, describeRun(replaced));
    assert.deepEqual(await readTree(outside), {}, 'nothing is written through the symlink');
    assert.deepEqual(toMicroseconds(await readTree(restoredPath(target, source))), toMicroseconds(await readTree(source)));
  });
});

test('key add, list, remove and passwd', { timeout: 60_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const source = join(base, 'source');
    await makeTree(source, { 'a.txt': 'keys\n' });
    await coffer.backup([source]);
    const second = join(base, 'second-passphrase');
    await writeFile(second, 'the second passphrase');

    const added = await coffer.ok(['key', 'add', '--json', '--name', 'second', '--new-password-file', second, ...CHEAP_SCRYPT]);
    const addedId = (jsonLines(added.stdout)[0] as { id: string }).id;
    assert.match(addedId, /^[0-9a-f]{64}$/);

    type Key = { id: string; current: boolean; name: string | null; kdf: { N: number } | null; problem: string | null };
    const keys = JSON.parse((await coffer.ok(['key', 'list', '--json'])).stdout) as Key[];
    assert.equal(keys.length, 2);
    assert.equal(keys.filter((k) => k.current).length, 1);
    const original = keys.find((k) => k.current)!;
    const other = keys.find((k) => !k.current)!;
    assert.equal(other.id, addedId);
    assert.equal(other.name, 'second');
    assert.equal(other.kdf?.N, 16384);

    // The new passphrase opens the repository, with the same snapshots.
    const snapshots = (args: { passwordFile?: string } = {}) => coffer.run(['snapshots', '--json'], args);
    const viaSecond = await snapshots({ passwordFile: second });
    assert.equal(viaSecond.code, 0, describeRun(viaSecond));
    assert.equal((JSON.parse(viaSecond.stdout) as unknown[]).length, 1);
    const listedBySecond = JSON.parse((await coffer.ok(['key', 'list', '--json'], { passwordFile: second })).stdout) as Key[];
    assert.equal(listedBySecond.find((k) => k.current)?.id, addedId);

    // --key-id tries only that key file.
    const onlySecond = await coffer.run(['snapshots', '--key-id', addedId.slice(0, 10)]);
    assert.equal(onlySecond.code, 12, `the first passphrase does not open the second key\n${describeRun(onlySecond)}`);
    assert.equal((await coffer.run(['snapshots', '--key-id', addedId.slice(0, 10)], { passwordFile: second })).code, 0);
    assert.equal((await coffer.run(['snapshots', '--key-id', original.id.slice(0, 10)])).code, 0);
    const noSuchKey = await coffer.run(['snapshots', '--key-id', 'ffffffffffff']);
    assert.notEqual(noSuchKey.code, 0, describeRun(noSuchKey));
    assertClean(noSuchKey);

    // The key in use cannot be removed; the other one can.
    const self = await coffer.run(['key', 'remove', addedId.slice(0, 12)], { passwordFile: second });
    assert.notEqual(self.code, 0, describeRun(self));
    assertClean(self);
    await coffer.ok(['key', 'remove', original.id.slice(0, 12)], { passwordFile: second });
    const gone = await snapshots();
    assert.equal(gone.code, 12, `the removed key's passphrase no longer opens the repository\n${describeRun(gone)}`);
    assert.equal((await snapshots({ passwordFile: second })).code, 0);

    // passwd: the old passphrase stops working, the new one works.
    const third = join(base, 'third-passphrase');
    await writeFile(third, 'the third passphrase');
    await coffer.ok(['key', 'passwd', '--new-password-file', third, ...CHEAP_SCRYPT], { passwordFile: second });
    const old = await snapshots({ passwordFile: second });
    assert.equal(old.code, 12, describeRun(old));
    assert.match(old.stderr, /wrong passphrase/);
    const now = await snapshots({ passwordFile: third });
    assert.equal(now.code, 0, describeRun(now));
    assert.equal((JSON.parse(now.stdout) as unknown[]).length, 1);
    const remaining = JSON.parse((await coffer.ok(['key', 'list', '--json'], { passwordFile: third })).stdout) as Key[];
    assert.equal(remaining.length, 1);
    assert.equal(remaining[0]!.name, 'second', 'passwd keeps the key name');

    // And the data is still readable with it.
    const target = join(base, 'restored');
    await coffer.ok(['restore', 'latest', '--target', target], { passwordFile: third });
    assert.equal(await readFile(restoredPath(target, join(source, 'a.txt')), 'utf8'), 'keys\n');
  });
});
