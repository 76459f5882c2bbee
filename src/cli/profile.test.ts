import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { readPassword } from './password.js';
import { defaultConfigPath, requireRepository, resolveSettings, type ReadText, type SettingsFlags } from './profile.js';

const HOME = '/home/ann';
const DEFAULT_CONFIG = '/home/ann/.config/coffer/config.toml';

/** A readFile over an in-memory map that fails like fs for missing files. */
function files(map: Record<string, string>): ReadText {
  return async (path) => {
    const text = map[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    return text;
  };
}

const CONFIG = `
default_profile = "home"

[profiles.home]
repository = "/mnt/backup/home"
password_file = "~/.coffer-pass"
exclude = ["*.tmp", "node_modules"]
tags = ["daily"]
host = "laptop"

[profiles.work]
repository = "s3:backups/work"
password_command = "pass show coffer/work"
cache_dir = "cache"
exclude_file = "/etc/coffer/excludes"
key_file = "keys/work.key"
`;

function resolve(flags: SettingsFlags, env: NodeJS.ProcessEnv = {}, map: Record<string, string> = { [DEFAULT_CONFIG]: CONFIG }) {
  return resolveSettings({ flags, env: { HOME, ...env }, readFile: files(map) });
}

async function usageError(promise: Promise<unknown>): Promise<UsageError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof UsageError, `expected UsageError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a UsageError');
}

test('without a config file, flags and environment alone decide', async () => {
  const none = await resolve({}, {}, {});
  assert.equal(none.repository, undefined);
  assert.equal(none.configFile, undefined);
  assert.equal(none.profile, undefined);
  assert.deepEqual(none.exclude, []);
  assert.deepEqual(none.password, {});
  assert.equal((await resolve({}, { COFFER_REPOSITORY: '/env/repo' }, {})).repository, '/env/repo');
  assert.equal((await resolve({ repo: '/flag' }, { COFFER_REPOSITORY: '/env/repo' }, {})).repository, '/flag');
});

test('the default config path follows XDG_CONFIG_HOME, ignoring a relative one', () => {
  assert.equal(defaultConfigPath({ XDG_CONFIG_HOME: '/xdg' }, HOME), '/xdg/coffer/config.toml');
  assert.equal(defaultConfigPath({ XDG_CONFIG_HOME: 'relative' }, HOME), DEFAULT_CONFIG);
  assert.equal(defaultConfigPath({}, HOME), DEFAULT_CONFIG);
});

test('default_profile picks a profile; paths expand ~ and resolve against the config folder', async () => {
  const settings = await resolve({});
  assert.equal(settings.configFile, DEFAULT_CONFIG);
  assert.equal(settings.profile, 'home');
  assert.equal(settings.repository, '/mnt/backup/home');
  assert.deepEqual(settings.exclude, ['*.tmp', 'node_modules']);
  assert.deepEqual(settings.tags, ['daily']);
  assert.equal(settings.host, 'laptop');
  assert.deepEqual(settings.password, { profile: { name: 'home', passwordFile: '/home/ann/.coffer-pass' } });
  const work = await resolve({ profile: 'work' });
  assert.equal(work.cacheDir, '/home/ann/.config/coffer/cache');
  assert.equal(work.keyFile, '/home/ann/.config/coffer/keys/work.key');
  assert.deepEqual(work.excludeFile, ['/etc/coffer/excludes']);
  assert.deepEqual(work.password, { profile: { name: 'work', passwordCommand: 'pass show coffer/work' } });
});

test('profile selection: --profile over COFFER_PROFILE over default_profile', async () => {
  assert.equal((await resolve({}, { COFFER_PROFILE: 'work' })).repository, 's3:backups/work');
  assert.equal((await resolve({ profile: 'home' }, { COFFER_PROFILE: 'work' })).repository, '/mnt/backup/home');
  assert.equal((await resolve({}, { COFFER_PROFILE: '' })).profile, 'home');
});

test('flags beat environment beats profile', async () => {
  assert.equal((await resolve({}, { COFFER_REPOSITORY: '/env' })).repository, '/env');
  assert.equal((await resolve({ repo: '/flag' }, { COFFER_REPOSITORY: '/env' })).repository, '/flag');
  const flagged = await resolve({ exclude: ['*.iso'], tags: ['manual'], host: 'other', passwordFile: '/p' });
  assert.deepEqual(flagged.exclude, ['*.iso']);
  assert.deepEqual(flagged.tags, ['manual']);
  assert.equal(flagged.host, 'other');
  assert.equal(flagged.password.passwordFile, '/p');
  assert.equal(flagged.password.profile?.passwordFile, '/home/ann/.coffer-pass', 'kept as the lowest tier');
  assert.deepEqual((await resolve({ exclude: [], tags: [] })).exclude, ['*.tmp', 'node_modules'], 'an empty flag list is not given');
});

test('--config and COFFER_CONFIG replace the default location', async () => {
  const map = { '/etc/coffer.toml': '[profiles.a]\nrepository = "/a"\n', [DEFAULT_CONFIG]: CONFIG };
  const fromEnv = await resolve({ profile: 'a' }, { COFFER_CONFIG: '/etc/coffer.toml' }, map);
  assert.equal(fromEnv.repository, '/a');
  assert.equal(fromEnv.configFile, '/etc/coffer.toml');
  const fromFlag = await resolve({ config: DEFAULT_CONFIG }, { COFFER_CONFIG: '/etc/coffer.toml' }, map);
  assert.equal(fromFlag.profile, 'home');
});

test('an explicit config file that is missing is a usage error; the default may be absent', async () => {
  const error = await usageError(resolve({ config: '/nope.toml' }, {}, {}));
  assert.match(error.message, /cannot read config file \/nope\.toml/);
  await usageError(resolve({}, { COFFER_CONFIG: '/nope.toml' }, {}));
});

test('a selected profile without a config file is a usage error', async () => {
  const error = await usageError(resolve({ profile: 'home' }, {}, {}));
  assert.match(error.message, /profile "home" selected, but there is no config file at \/home\/ann\/\.config\/coffer\/config\.toml/);
});

test('an unknown profile is a usage error listing the known ones', async () => {
  const error = await usageError(resolve({ profile: 'hom' }));
  assert.equal(error.message, `unknown profile "hom" in ${DEFAULT_CONFIG}; known profiles: home, work`);
  const dangling = await usageError(resolve({}, {}, { [DEFAULT_CONFIG]: 'default_profile = "x"\n' }));
  assert.match(dangling.message, /unknown profile "x".*defines no profiles/);
});

test('unknown keys are usage errors naming them', async () => {
  const typo = await usageError(resolve({}, {}, { [DEFAULT_CONFIG]: '[profiles.home]\nrepository = "/r"\nexlude = ["*.tmp"]\n' }));
  assert.match(typo.message, /unknown key "profiles\.home\.exlude"/);
  assert.ok(typo.message.includes(DEFAULT_CONFIG));
  // Checked in every profile, not only the selected one.
  const other = await usageError(resolve({}, {}, { [DEFAULT_CONFIG]: '[profiles.a]\n[profiles.b]\npasword_file = "x"\n' }));
  assert.match(other.message, /"profiles\.b\.pasword_file"/);
  const top = await usageError(resolve({}, {}, { [DEFAULT_CONFIG]: 'repository = "/r"\n' }));
  assert.match(top.message, /unknown key "repository"/);
});

test('values of the wrong type are usage errors', async () => {
  const cases: [string, RegExp][] = [
    ['[profiles.a]\nexclude = "*.tmp"\n', /profiles\.a\.exclude must be an array of strings/],
    ['[profiles.a]\ntags = [1, 2]\n', /profiles\.a\.tags must be an array of strings/],
    ['[profiles.a]\nrepository = 5\n', /profiles\.a\.repository must be a string/],
    ['default_profile = ["a"]\n', /default_profile must be a string/],
    ['profiles = 3\n', /profiles must be a table/],
    ['[profiles]\na = "x"\n', /profiles\.a must be a table/],
    ['[profiles.a]\npassword_file = "/f"\npassword_command = "c"\n', /sets both password_file and password_command/],
  ];
  for (const [text, pattern] of cases) {
    const error = await usageError(resolve({}, {}, { [DEFAULT_CONFIG]: text }));
    assert.match(error.message, pattern, text);
  }
});

test('a TOML syntax error names the file and the line', async () => {
  const text = '[profiles.home]\nrepository = "/r"\nexclude = ["a", \n';
  const error = await usageError(resolve({}, {}, { [DEFAULT_CONFIG]: text }));
  assert.ok(error.message.startsWith(`config file ${DEFAULT_CONFIG}: line `), error.message);
  const broken = await usageError(resolve({}, {}, { [DEFAULT_CONFIG]: 'a = 1\nb = = 2\n' }));
  assert.match(broken.message, /: line 2, column \d+: /);
  assert.ok(!broken.message.includes('\n'), 'one line');
});

test('requireRepository explains how to give one', async () => {
  const none = await resolve({}, {}, {});
  assert.throws(() => requireRepository(none), (error: unknown) => error instanceof UsageError && /--repo/.test(error.message));
  assert.equal(requireRepository(await resolve({ repo: '/r' })), '/r');
});

test('a profile password_file reaches readPassword, below the environment', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'coffer-profile-'));
  try {
    const config = join(dir, 'config.toml');
    await writeFile(config, '[profiles.p]\nrepository = "/r"\npassword_file = "pass.txt"\n');
    await writeFile(join(dir, 'pass.txt'), 'from-profile\n');
    const readText: ReadText = (path) => readFile(path, 'utf8');
    const settings = await resolveSettings({ flags: { config, profile: 'p' }, env: {}, readFile: readText });
    const io = { stdin: { on: () => {}, off: () => {}, resume: () => {}, pause: () => {} }, stderr: { write: () => true } };
    assert.equal(await readPassword({ ...settings.password, env: {}, ...io }), 'from-profile');
    assert.equal(await readPassword({ ...settings.password, env: { COFFER_PASSWORD: 'env' }, ...io }), 'env');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
