/**
 * Keys held in age, OpenPGP and on paper, through the real CLI and the real
 * `age`, `age-keygen` and `gpg` programs: a key file coffer wraps opens with
 * `age -d` / `gpg -d` and gives the secrets of docs/format.md; one the
 * programs wrap opens with coffer; a wrong identity or a damaged key file is
 * a clear error naming the key; `key export` survives being dropped, checked
 * and imported back.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { LocalBackend } from '../backend/local.js';
import { sha256 } from '../crypto/index.js';
import { encodeKeySecrets } from '../format/index.js';
import { openRepository, secretsOf } from '../repository/index.js';
import { makeTree, readTree, withTempDir } from '../source/testing.js';
import { ageDecryptWithProgram, ageEncryptWithProgram, ageKeygen, keyFileMessage, withGnupgHome } from './key-tools.js';
import {
  CHEAP_SCRYPT, COFFER_BIN, Coffer, describeRun, hasStackTrace, jsonLines, objectNames, restoredPath, runCli,
  toMicroseconds, type RunResult,
} from './testing.js';

type Key = { id: string; current: boolean; wrapping: string; recipients: string[] | null };

/** The secrets JSON every key file of the repository wraps, as bytes (docs/format.md "Key files"). */
async function secretsJson(coffer: Coffer): Promise<Buffer> {
  const backend = new LocalBackend(coffer.repo);
  const { repository } = await openRepository(backend, coffer.password);
  await backend.close();
  return encodeKeySecrets(secretsOf(repository.keyring));
}

async function keys(coffer: Coffer, args: readonly string[], env: Record<string, string> = {}): Promise<Key[]> {
  return JSON.parse((await coffer.ok([...args, 'key', 'list', '--json'], { passwordFile: '', env })).stdout) as Key[];
}

function assertClean(result: RunResult): void {
  assert.ok(!hasStackTrace(result.stderr), `no stack trace\n${describeRun(result)}`);
}

/** Stores `json` as a key file named by its SHA-256, as any writer would. */
async function plantKeyFile(repo: string, json: unknown): Promise<string> {
  const bytes = Buffer.from(JSON.stringify(json));
  const id = sha256(bytes).toString('hex');
  await writeFile(join(repo, 'keys', id), bytes);
  return id;
}

test('age: coffer wraps, the age program opens; the age program wraps, coffer opens; wrong or damaged is named', { timeout: 120_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const source = join(base, 'source');
    await makeTree(source, { 'a.txt': 'held by age\n', d: { 'b.bin': Buffer.alloc(3000, 7) } });
    await coffer.backup([source]);
    const alice = await ageKeygen(base, 'alice');
    const bob = await ageKeygen(base, 'bob');

    const added = await coffer.ok(['key', 'add', '--json', '--name', 'alice', '--age-recipient', alice.recipient]);
    const aliceKey = (jsonLines(added.stdout)[0] as { id: string }).id;
    const secrets = await secretsJson(coffer);
    const message = await keyFileMessage(coffer.repo, aliceKey);
    assert.deepEqual(await ageDecryptWithProgram(alice.identityFile, message), secrets, 'age -d gives the secrets JSON');

    // coffer opens it with the identity alone: no passphrase source at all.
    const viaAge = await keys(coffer, ['--age-identity', alice.identityFile]);
    assert.equal(viaAge.find((k) => k.current)?.id, aliceKey);
    assert.deepEqual(viaAge.find((k) => k.current)?.recipients, [alice.recipient]);
    const target = join(base, 'restored');
    await coffer.ok(['--age-identity', alice.identityFile, 'restore', 'latest', '--target', target], { passwordFile: '' });
    assert.deepEqual(toMicroseconds(await readTree(restoredPath(target, source))), toMicroseconds(await readTree(source)));
    const viaEnv = await coffer.run(['snapshots'], { passwordFile: '', env: { COFFER_AGE_IDENTITY: alice.identityFile } });
    assert.equal(viaEnv.code, 0, describeRun(viaEnv));

    // The age program wraps the same secrets for bob; coffer opens that key file.
    const bobKey = await plantKeyFile(coffer.repo, {
      format: 'coffer-key/v1', name: 'bob', created: '2026-11-22T10:24:38.123456789Z', host: 'elsewhere',
      wrapping: 'age', recipients: [bob.recipient], message: await ageEncryptWithProgram(bob.recipient, secrets),
    });
    assert.equal((await keys(coffer, ['--age-identity', bob.identityFile])).find((k) => k.current)?.id, bobKey);

    // A wrong identity: exit 12, naming the key files it tried and their recipients.
    const eve = await ageKeygen(base, 'eve');
    const wrong = await coffer.run(['--age-identity', eve.identityFile, 'snapshots'], { passwordFile: '' });
    assert.equal(wrong.code, 12, describeRun(wrong));
    for (const id of [aliceKey, bobKey]) assert.ok(wrong.stderr.includes(`key ${id.slice(0, 8)} is wrapped for`), describeRun(wrong));
    assert.ok(wrong.stderr.includes('eve.age-identity'), describeRun(wrong));
    assertClean(wrong);

    // A damaged payload (stored under its new hash, as storage would): named as damaged, never opened.
    const lines = message.split('\n');
    const i = lines.length - 4;
    lines[i] = lines[i]!.slice(0, 10) + (lines[i]![10] === 'A' ? 'B' : 'A') + lines[i]!.slice(11);
    const json = JSON.parse(await readFile(join(coffer.repo, 'keys', aliceKey), 'utf8')) as Record<string, unknown>;
    await rename(join(coffer.repo, 'keys', aliceKey), join(base, 'alice-key-aside'));
    const damagedKey = await plantKeyFile(coffer.repo, { ...json, message: lines.join('\n') });
    const damaged = await coffer.run(['--age-identity', alice.identityFile, 'snapshots'], { passwordFile: '' });
    assert.notEqual(damaged.code, 0, describeRun(damaged));
    assert.match(damaged.stderr, new RegExp(`key ${damagedKey.slice(0, 8)}: the age (file|armor) is damaged`), describeRun(damaged));
    assertClean(damaged);
  });
});

test('OpenPGP: gpg and OpenPGP.js wrap, gpg and OpenPGP.js open, both ways', { timeout: 180_000 }, async () => {
  await withGnupgHome('ann@coffer.invalid', async (gnupg) => {
    await withTempDir(async (base) => {
      const coffer = await Coffer.init(base);
      const source = join(base, 'source');
      await makeTree(source, { 'a.txt': 'held by gpg\n' });
      await coffer.backup([source]);
      const secrets = await secretsJson(coffer);
      const withGpg = { GNUPGHOME: gnupg.home };
      // PATH without gpg (node is started by absolute path): the OpenPGP.js code paths.
      const noGpgPath = join(base, 'empty-bin');
      await mkdir(noGpgPath);
      const withoutGpg = { GNUPGHOME: gnupg.home, PATH: noGpgPath };

      // Wrapped by gpg (key named by e-mail), opened by the real gpg and by OpenPGP.js.
      const byGpg = (jsonLines((await coffer.ok(['key', 'add', '--json', '--gpg-recipient', gnupg.email], { env: withGpg })).stdout)[0] as { id: string }).id;
      assert.deepEqual((await gnupg.gpg(['--decrypt'], await keyFileMessage(coffer.repo, byGpg))).stdout, secrets, 'gpg -d gives the secrets JSON');
      const viaLibrary = await keys(coffer, ['--gpg-identity', gnupg.secretKeyFile, '--key-id', byGpg], withoutGpg);
      assert.equal(viaLibrary.find((k) => k.current)?.id, byGpg);

      // Wrapped by OpenPGP.js (gpg absent), opened by the real gpg and by coffer through gpg.
      const noGpg = await coffer.run(['key', 'add', '--gpg-recipient', gnupg.email], { env: withoutGpg });
      assert.equal(noGpg.code, 2, describeRun(noGpg));
      assert.match(noGpg.stderr, /--gpg-recipient-file/, 'says what works without gpg');
      const byLibrary = (jsonLines((await coffer.ok(['key', 'add', '--json', '--gpg-recipient-file', gnupg.publicKeyFile], { env: withoutGpg })).stdout)[0] as { id: string }).id;
      assert.deepEqual((await gnupg.gpg(['--decrypt'], await keyFileMessage(coffer.repo, byLibrary))).stdout, secrets);
      const viaGpg = await keys(coffer, ['--key-id', byLibrary], withGpg);
      assert.equal(viaGpg.find((k) => k.current)?.id, byLibrary, 'with no passphrase source, coffer tries gpg');
      assert.deepEqual(viaGpg.find((k) => k.current)?.recipients, [gnupg.fingerprint]);

      // --gpg with a passphrase source set: gpg is tried first.
      const forced = JSON.parse((await coffer.ok(['--gpg', 'key', 'list', '--json'], { env: withGpg })).stdout) as Key[];
      assert.equal(forced.find((k) => k.current)?.wrapping, 'openpgp');
      const target = join(base, 'restored');
      await coffer.ok(['restore', 'latest', '--target', target], { passwordFile: '', env: withGpg });
      assert.deepEqual(toMicroseconds(await readTree(restoredPath(target, source))), toMicroseconds(await readTree(source)));
    });
  });
});

test('init --age-recipient: a repository with no passphrase at all', { timeout: 60_000 }, async () => {
  await withTempDir(async (base) => {
    const alice = await ageKeygen(base, 'alice');
    const repo = join(base, 'repo');
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: base, XDG_CACHE_HOME: join(base, 'cache'), COFFER_REPOSITORY: repo };
    const cli = (args: readonly string[]) => runCli([COFFER_BIN, ...args], env);
    const init = await cli(['init', '--json', '--age-recipient', alice.recipient, ...['--pack-size', '1M']]);
    assert.equal(init.code, 0, describeRun(init));
    const withScrypt = await cli(['init', '--age-recipient', alice.recipient, ...CHEAP_SCRYPT]);
    assert.equal(withScrypt.code, 2, describeRun(withScrypt));
    assert.match(withScrypt.stderr, /--scrypt-n applies only to a passphrase key file/);
    const source = join(base, 'source');
    await makeTree(source, { 'x.txt': 'x\n' });
    const backup = await cli(['--age-identity', alice.identityFile, 'backup', source]);
    assert.equal(backup.code, 0, describeRun(backup));
    const listed = await cli(['--age-identity', alice.identityFile, 'key', 'list', '--json']);
    assert.deepEqual((JSON.parse(listed.stdout) as Key[]).map((k) => k.wrapping), ['age']);
    const none = await cli(['snapshots']);
    assert.equal(none.code, 12, describeRun(none));
    assert.match(none.stderr, /--age-identity/, 'the error says how to open it');
  });
});

test('key export: checked before the key in use is dropped, then imported with a new passphrase', { timeout: 180_000 }, async () => {
  await withTempDir(async (base) => {
    const coffer = await Coffer.init(base);
    const source = join(base, 'source');
    await makeTree(source, { 'a.txt': 'on paper\n' });
    await coffer.backup([source]);
    const [current] = await objectNames(coffer.repo, 'keys');
    const keyId = current!.slice('keys/'.length);

    const exported = join(base, 'key.txt');
    await coffer.ok(['key', 'export', '--output', exported]);
    assert.equal((await stat(exported)).mode & 0o777, 0o600);
    assert.match(await readFile(exported, 'utf8'), new RegExp(`^coffer key export v1\nrepository ${coffer.repositoryId}\n`));
    const json = jsonLines((await coffer.ok(['key', 'export', '--json'])).stdout)[0] as { text: string; protected: boolean };
    assert.equal(json.protected, false);
    assert.equal(json.text.split('\n')[1], `repository ${coffer.repositoryId}`);

    // The key in use is not dropped without an export, nor against a wrong or mistyped one.
    const refused = await coffer.run(['key', 'remove', keyId]);
    assert.equal(refused.code, 2, describeRun(refused));
    assert.match(refused.stderr, /--export-file/);
    await mkdir(join(base, 'other'));
    const other = await Coffer.init(join(base, 'other'));
    const foreign = join(base, 'foreign.txt');
    await other.ok(['key', 'export', '--output', foreign]);
    const wrongExport = await coffer.run(['key', 'remove', keyId, '--export-file', foreign]);
    assert.equal(wrongExport.code, 2, describeRun(wrongExport));
    assert.match(wrongExport.stderr, /not an export of the key in use; nothing was removed/);
    const typo = join(base, 'typo.txt');
    const lines = (await readFile(exported, 'utf8')).split('\n');
    const at = lines.findIndex((l) => l.startsWith('04 '));
    lines[at] = lines[at]!.replace(/^(04 {2}\S{2})(\S)/, (_, head: string, c: string) => `${head}${c === 'Z' ? 'Y' : 'Z'}`);
    await writeFile(typo, lines.join('\n'));
    const mistyped = await coffer.run(['key', 'remove', keyId, '--export-file', typo]);
    assert.notEqual(mistyped.code, 0, describeRun(mistyped));
    // (One typo in 2^10 or so has two possible single-symbol fixes; then both are named.)
    assert.match(mistyped.stderr, /line 4 does not match its checksum: (symbol 3 \(group 1, position 3\) should probably be|one symbol is wrong, but several)/);
    assert.deepEqual(await objectNames(coffer.repo, 'keys'), [current], 'nothing was removed');

    // With the export: the last key file goes; the repository says how to get back in.
    await coffer.ok(['key', 'remove', keyId, '--export-file', exported]);
    assert.deepEqual(await objectNames(coffer.repo, 'keys'), []);
    const locked = await coffer.run(['snapshots']);
    assert.equal(locked.code, 10, describeRun(locked));
    assert.match(locked.stderr, /holds no key files: make one from a key export with "coffer key import FILE"/);

    // Import: a new key file with a new passphrase, restoring everything.
    const newPassword = join(base, 'new-passphrase');
    await writeFile(newPassword, 'a passphrase after the paper');
    const imported = await coffer.ok(['key', 'import', exported, '--json', '--new-password-file', newPassword, ...CHEAP_SCRYPT], { passwordFile: '' });
    assert.equal((jsonLines(imported.stdout)[0] as { type: string }).type, 'key-imported');
    const target = join(base, 'restored');
    await coffer.ok(['restore', 'latest', '--target', target], { passwordFile: newPassword });
    assert.deepEqual(toMicroseconds(await readTree(restoredPath(target, source))), toMicroseconds(await readTree(source)));

    // A protected export: its passphrase (from the usual sources) opens it; a wrong one is exit 12.
    const exportPassword = join(base, 'export-passphrase');
    await writeFile(exportPassword, 'the paper passphrase');
    const sealed = join(base, 'sealed.txt');
    await coffer.ok(['key', 'export', '--protect', '--new-password-file', exportPassword, ...CHEAP_SCRYPT, '--output', sealed], { passwordFile: newPassword });
    assert.match(await readFile(sealed, 'utf8'), /\nprotection passphrase \(scrypt N=16384 r=8 p=1\)\n/);
    const wrongPassphrase = await coffer.run(['key', 'import', sealed, '--new-password-file', newPassword, ...CHEAP_SCRYPT], { passwordFile: newPassword });
    assert.equal(wrongPassphrase.code, 12, describeRun(wrongPassphrase));
    const elsewhere = join(base, 'outside.key');
    await coffer.ok(['key', 'import', sealed, '--output', elsewhere, '--new-password-file', newPassword, ...CHEAP_SCRYPT], { passwordFile: exportPassword });
    assert.equal((await stat(elsewhere)).mode & 0o777, 0o600);
    assert.equal((await objectNames(coffer.repo, 'keys')).length, 1, '--output writes outside the repository only');
    // An export of another repository does not import here.
    const mismatch = await coffer.run(['key', 'import', foreign, '--new-password-file', newPassword, ...CHEAP_SCRYPT], { passwordFile: '' });
    assert.equal(mismatch.code, 2, describeRun(mismatch));
    assert.match(mismatch.stderr, /does not open the repository/);
  });
});
