// Key files (docs/format.md "Key files"): the secrets sealed under a
// passphrase. A wrong passphrase is not an error of the file; a damaged or
// hostile file is a KeyFileError with a message, never a crash or an
// unbounded scrypt; and the trust roots a key file pins must match `config`.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MemoryBackend } from '../backend/memory.js';
import { deriveWrappingKey, randomBytes, seal, sha256 } from '../crypto/index.js';
import { encodeKeyFile, KEY_FILE_FORMAT } from '../format/index.js';
import { openRepository } from './init.js';
import { addKeyFile, openKeyFile, sealKeyFile, secretsOf, unlock } from './key-files.js';
import { generateKeyring, type Keyring } from './keyring.js';
import { keyName } from './layout.js';
import { Repository } from './repository.js';
import { CHEAP_KDF, errorWith, rejectsWith, TEST_NOW, testRepository } from './testing.js';

const keyring = generateKeyring('test');
const options = { name: 'test', host: 'host', kdf: CHEAP_KDF, now: TEST_NOW };
const sealed = await sealKeyFile(keyring, 'right passphrase', options);

/** The key file's JSON with `change` applied, re-encoded as bytes (bypassing the encoder's validation). */
function edited(change: (json: Record<string, unknown> & { kdf: Record<string, unknown> }) => void): Buffer {
  const json = JSON.parse(sealed.bytes.toString('utf8')) as Record<string, unknown> & { kdf: Record<string, unknown> };
  change(json);
  return Buffer.from(JSON.stringify(json));
}

const damaged: { name: string; bytes: Buffer; message: string }[] = [
  { name: 'garbage', bytes: Buffer.from('\x00\xffnot json at all{'), message: 'damaged or unsupported key file' },
  { name: 'empty', bytes: Buffer.alloc(0), message: 'damaged or unsupported key file' },
  { name: 'truncated JSON', bytes: sealed.bytes.subarray(0, sealed.bytes.length >> 1), message: 'damaged or unsupported key file' },
  { name: 'JSON of another shape', bytes: Buffer.from('[1, 2, 3]'), message: 'damaged or unsupported key file' },
  { name: 'unknown key file format', bytes: edited((j) => { j['format'] = 'coffer-key/v2'; }), message: 'unknown format' },
  {
    name: 'ciphertext truncated below its tag',
    bytes: edited((j) => { j['ciphertext'] = Buffer.from(j['ciphertext'] as string, 'base64').subarray(0, 10).toString('base64'); }),
    message: 'ciphertext',
  },
  { name: 'ciphertext missing', bytes: edited((j) => { delete j['ciphertext']; }), message: 'ciphertext' },
  { name: 'nonce of 11 bytes', bytes: edited((j) => { j['nonce'] = randomBytes(11).toString('base64'); }), message: 'nonce' },
  { name: 'kdf N = 2^30', bytes: edited((j) => { j.kdf['N'] = 2 ** 30; }), message: 'kdf.N must be between' },
  { name: 'kdf N = 2^60', bytes: edited((j) => { j.kdf['N'] = 2 ** 60; }), message: 'kdf.N' },
  { name: 'kdf N not a power of two', bytes: edited((j) => { j.kdf['N'] = 3 * 2 ** 14; }), message: 'kdf.N must be a power of two' },
  { name: 'kdf N below the reader minimum', bytes: edited((j) => { j.kdf['N'] = 2 ** 9; }), message: 'kdf.N must be between' },
  { name: 'kdf N negative', bytes: edited((j) => { j.kdf['N'] = -16384; }), message: 'kdf.N' },
  { name: 'kdf N a string', bytes: edited((j) => { j.kdf['N'] = '16384'; }), message: 'kdf.N' },
  { name: 'kdf r = 33', bytes: edited((j) => { j.kdf['r'] = 33; }), message: 'kdf.r' },
  { name: 'kdf N * r * p too large', bytes: edited((j) => { j.kdf['N'] = 2 ** 22; j.kdf['r'] = 16; }), message: 'kdf.N * r * p' },
  { name: 'kdf algorithm argon2', bytes: edited((j) => { j.kdf['algorithm'] = 'argon2id'; }), message: 'algorithm' },
  { name: 'salt of 8 bytes', bytes: edited((j) => { j.kdf['salt'] = randomBytes(8).toString('base64'); }), message: 'salt' },
];

/** A backend holding exactly these key files, each named by its SHA-256 (or by `name` when given). */
async function backendWith(files: { bytes: Buffer; name?: string }[]): Promise<MemoryBackend> {
  const backend = new MemoryBackend();
  for (const file of files) await backend.save(keyName(file.name ?? sha256(file.bytes).toString('hex')), file.bytes);
  return backend;
}

const sameSecrets = (a: Keyring, b: Keyring) => assert.deepEqual(secretsOf(a), secretsOf(b));

describe('key files', () => {
  test('open(seal(keyring)) gives the keyring back', async () => {
    const opened = await openKeyFile(sealed.bytes, 'right passphrase', 'key');
    assert.ok(opened);
    sameSecrets(opened, keyring);
    assert.deepEqual(opened.domains.map((d) => d.keys), keyring.domains.map((d) => d.keys));
    assert.equal(sealed.id, sha256(sealed.bytes).toString('hex'));
    const json = JSON.parse(sealed.bytes.toString('utf8')) as { format: string; kdf: { N: number } };
    assert.equal(json.format, KEY_FILE_FORMAT);
    assert.equal(json.kdf.N, CHEAP_KDF.N);
  });

  test('a write-only keyring round-trips without its private keys', async () => {
    const writeOnly: Keyring = { ...keyring, role: 'write-only', readPrivateKey: null, ownerPrivateKey: null };
    const file = await sealKeyFile(writeOnly, 'w', options);
    const opened = await openKeyFile(file.bytes, 'w', 'key');
    assert.ok(opened);
    assert.equal(opened.readPrivateKey, null);
    assert.equal(opened.ownerPrivateKey, null);
    sameSecrets(opened, writeOnly);
  });

  test('each seal uses a fresh salt and nonce', async () => {
    const again = await sealKeyFile(keyring, 'right passphrase', options);
    assert.notEqual(again.id, sealed.id);
  });

  test('the passphrase is NFC-normalized', async () => {
    const file = await sealKeyFile(keyring, 'cr\u00e8me', options);
    const opened = await openKeyFile(file.bytes, 'cre\u0300me', 'key');
    assert.ok(opened);
    sameSecrets(opened, keyring);
  });

  test('a wrong passphrase gives null; unlock reports WrongPasswordError', async () => {
    assert.equal(await openKeyFile(sealed.bytes, 'wrong passphrase', 'key'), null);
    assert.equal(await openKeyFile(sealed.bytes, '', 'key'), null);
    const backend = await backendWith([{ bytes: sealed.bytes }]);
    await rejectsWith(() => unlock(backend, 'wrong passphrase'), 'WRONG_PASSWORD', 'wrong passphrase');
    const { keyId, keyring: unlocked } = await unlock(backend, 'right passphrase');
    assert.equal(keyId, sealed.id);
    sameSecrets(unlocked, keyring);
  });

  test('unlock tries every key file', async () => {
    const second = await sealKeyFile(keyring, 'second', options);
    const backend = await backendWith([{ bytes: sealed.bytes }, { bytes: second.bytes }]);
    assert.equal((await unlock(backend, 'second')).keyId, second.id);
    assert.equal((await unlock(backend, 'right passphrase')).keyId, sealed.id);
    await rejectsWith(() => unlock(backend, 'second', { keyId: sealed.id.slice(0, 8) }), 'WRONG_PASSWORD');
    await rejectsWith(() => unlock(new MemoryBackend(), 'x'), 'NO_REPOSITORY');
  });

  test('a ciphertext cut but still longer than its tag is indistinguishable from a wrong passphrase', async () => {
    // AES-GCM cannot tell a cut ciphertext from a wrong key: both fail the tag. The passphrase is the usual cause.
    const cut = edited((j) => { j['ciphertext'] = Buffer.from(j['ciphertext'] as string, 'base64').subarray(0, 40).toString('base64'); });
    assert.equal(await openKeyFile(cut, 'right passphrase', 'key'), null);
  });

  describe('damaged key files: KeyFileError with a message, never a crash', () => {
    for (const c of damaged) {
      test(c.name, async () => {
        await assert.rejects(() => openKeyFile(c.bytes, 'right passphrase', 'key 1234abcd'), errorWith('KEY_FILE', c.message));
        await assert.rejects(() => openKeyFile(c.bytes, 'right passphrase', 'key 1234abcd'), errorWith('KEY_FILE', 'key 1234abcd'));
        // unlock: when every key file is damaged, KeyFileError (not "wrong passphrase").
        const backend = await backendWith([{ bytes: c.bytes }]);
        await rejectsWith(() => unlock(backend, 'right passphrase'), 'KEY_FILE', c.message);
      });
    }
  });

  test('unlock: every key file damaged is a KeyFileError naming each; one sound file lets the passphrase decide', async () => {
    const garbage = damaged.find((c) => c.name === 'garbage');
    const hugeN = damaged.find((c) => c.name === 'kdf N = 2^30');
    assert.ok(garbage && hugeN);
    const allDamaged = await backendWith([{ bytes: garbage.bytes }, { bytes: hugeN.bytes }]);
    await assert.rejects(() => unlock(allDamaged, 'right passphrase'), (error: unknown) => {
      errorWith('KEY_FILE')(error);
      const message = (error as Error).message;
      assert.match(message, /damaged or unsupported key file/);
      assert.match(message, /kdf\.N must be between/);
      return true;
    });
    const mixed = await backendWith([{ bytes: garbage.bytes }, { bytes: sealed.bytes }]);
    assert.equal((await unlock(mixed, 'right passphrase')).keyId, sealed.id);
    await rejectsWith(() => unlock(mixed, 'wrong'), 'WRONG_PASSWORD', 'damaged or unsupported key file');
  });

  test('unlock: a key file whose content does not match its name is damaged', async () => {
    const backend = await backendWith([{ bytes: sealed.bytes, name: 'ab'.repeat(32) }]);
    await rejectsWith(() => unlock(backend, 'right passphrase'), 'KEY_FILE', 'does not match its name');
  });

  test('secrets that decrypt but do not decode: KeyFileError', async () => {
    const salt = randomBytes(32);
    const nonce = randomBytes(12);
    const wrappingKey = await deriveWrappingKey('p', salt, CHEAP_KDF);
    const bytes = encodeKeyFile({
      format: KEY_FILE_FORMAT, name: 'bad', created: TEST_NOW, host: 'h', kdf: { algorithm: 'scrypt', ...CHEAP_KDF, salt }, nonce,
      ciphertext: seal(wrappingKey, nonce, Buffer.from('coffer/v1/key'), Buffer.from('{"role":"root"}')),
    });
    await assert.rejects(() => openKeyFile(bytes, 'p', 'key'), errorWith('KEY_FILE', 'key file secrets are damaged'));
  });
});

describe('key files pin the repository', () => {
  test('a key file for another repository id: loadConfig refuses the config', async () => {
    const { repository, backend } = await testRepository();
    const forged: Keyring = { ...repository.keyring, repositoryId: randomBytes(32) };
    await addKeyFile(backend, forged, 'forged', { name: 'forged', kdf: CHEAP_KDF, now: TEST_NOW });
    await rejectsWith(() => openRepository(backend, 'forged'), 'INTEGRITY', 'does not match the repository pinned');
    const { keyring: unlocked } = await unlock(backend, 'forged');
    await rejectsWith(() => Repository.loadConfig(backend, unlocked), 'INTEGRITY', 'does not match the repository pinned');
  });

  test('a key file pinning another read key: refused', async () => {
    const { repository, backend } = await testRepository();
    const other = generateKeyring('other');
    const forged: Keyring = { ...repository.keyring, readPublicKey: other.readPublicKey, readPrivateKey: other.readPrivateKey };
    await rejectsWith(() => Repository.loadConfig(backend, forged), 'INTEGRITY', 'does not match the repository pinned');
  });

  test('a key file pinning another owner key: the config signature is refused', async () => {
    const { repository, backend } = await testRepository();
    const forged: Keyring = { ...repository.keyring, ownerPublicKey: generateKeyring('other').ownerPublicKey };
    await rejectsWith(() => Repository.loadConfig(backend, forged), 'INTEGRITY', 'not signed by the owner key pinned');
  });

  test('the key file of a repository opens it', async () => {
    const { backend, repository, passphrase, keyId } = await testRepository();
    const opened = await openRepository(backend, passphrase);
    assert.equal(opened.keyId, keyId);
    assert.deepEqual(opened.repository.config, repository.config);
  });
});
