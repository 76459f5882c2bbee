/**
 * A config file with profiles instead of flags and environment (src/cli/profile.ts):
 * repository, passphrase file, cache directory, excludes, host and tags come
 * from the profile; flags replace what they name.
 */
import assert from 'node:assert/strict';
import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTree, withTempDir } from '../source/testing.js';
import { COFFER_BIN, Coffer, describeRun, hasStackTrace, jsonLines, runCli, type RunResult } from './testing.js';

test('a profile supplies repository, passphrase, cache, excludes, host and tags', { timeout: 60_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const source = join(base, 'source');
    await makeTree(source, { 'keep.txt': 'kept\n', 'scratch.tmp': 'excluded by the profile\n', 'debug.log': 'log\n' });
    const configDir = join(base, 'config');
    await makeTree(configDir, { 'pass.txt': coffer.password });
    const config = join(configDir, 'coffer.toml');
    await writeFile(config, [
      'default_profile = "home"',
      '',
      '[profiles.home]',
      `repository = ${JSON.stringify(coffer.repo)}`,
      'password_file = "pass.txt"',
      'cache_dir = "cache"',
      'exclude = ["*.tmp"]',
      'host = "profile-host"',
      'tags = ["from-profile"]',
      '',
      '[profiles.other]',
      `repository = ${JSON.stringify(join(base, 'elsewhere'))}`,
      '',
    ].join('\n'));
    // Nothing from the environment: no COFFER_REPOSITORY, no COFFER_PASSWORD_FILE.
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: join(base, 'home'), XDG_CONFIG_HOME: join(base, 'xdg') };
    const run = (args: readonly string[]): Promise<RunResult> => runCli([COFFER_BIN, '--config', config, ...args], env);

    const backup = await run(['backup', '--json', source]);
    assert.equal(backup.code, 0, describeRun(backup));
    await access(join(configDir, 'cache', coffer.repositoryId)); // cache_dir is relative to the config file

    const snapshots = await run(['snapshots', '--json']);
    assert.equal(snapshots.code, 0, describeRun(snapshots));
    const [snapshot] = JSON.parse(snapshots.stdout) as [{ id: string; hostname: string; tags: string[] }];
    assert.equal(snapshot.hostname, 'profile-host');
    assert.deepEqual(snapshot.tags, ['from-profile']);
    const listed = (jsonLines((await run(['ls', '--json', 'latest', source])).stdout) as { path: string }[]).map((n) => n.path);
    assert.deepEqual(listed.sort(), [source, join(source, 'debug.log'), join(source, 'keep.txt')]);

    // Flags replace the profile's values.
    const flagged = await run(['backup', '--json', '--exclude', '*.log', '--host', 'flag-host', '--tag', 'from-flag', source]);
    assert.equal(flagged.code, 0, describeRun(flagged));
    const id = (jsonLines(flagged.stdout).at(-1) as { snapshot: string }).snapshot;
    const second = (JSON.parse((await run(['snapshots', '--json'])).stdout) as { id: string; hostname: string; tags: string[] }[])
      .find((s) => s.id === id);
    assert.equal(second?.hostname, 'flag-host');
    assert.deepEqual(second?.tags, ['from-flag']);
    const listedAgain = (jsonLines((await run(['ls', '--json', id, source])).stdout) as { path: string }[]).map((n) => n.path);
    assert.deepEqual(listedAgain.sort(), [source, join(source, 'keep.txt'), join(source, 'scratch.tmp')]);

    // --profile picks another one; an unknown profile is a usage error.
    const other = await run(['--profile', 'other', 'snapshots']);
    assert.notEqual(other.code, 0, describeRun(other));
    const unknown = await run(['--profile', 'nosuch', 'snapshots']);
    assert.equal(unknown.code, 2, describeRun(unknown));
    assert.match(unknown.stderr, /nosuch/);
    assert.ok(!hasStackTrace(unknown.stderr), describeRun(unknown));
  });
});

test('a config file with an unknown key is refused (exit 2), naming the key', async () => {
  await withTempDir(async (base) => {
    const config = join(base, 'coffer.toml');
    await writeFile(config, '[profiles.home]\nrepository = "/nowhere"\nexlude = ["*.tmp"]\n');
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: base };
    const result = await runCli([COFFER_BIN, '--config', config, '--profile', 'home', 'snapshots'], env);
    assert.equal(result.code, 2, describeRun(result));
    assert.match(result.stderr, /exlude/);
    assert.ok(!hasStackTrace(result.stderr), describeRun(result));
    const broken = join(base, 'broken.toml');
    await writeFile(broken, '[profiles.home\nrepository = \n');
    const parse = await runCli([COFFER_BIN, '--config', broken, 'snapshots'], env);
    assert.equal(parse.code, 2, describeRun(parse));
    assert.ok(parse.stderr.includes(broken), `the message names the file\n${describeRun(parse)}`);
    assert.ok(!hasStackTrace(parse.stderr), describeRun(parse));
  });
});
