// Key files wrapped to age and OpenPGP recipients, through the libraries
// (the real `age` and `gpg` programs are exercised in src/e2e/keywrap.test.ts
// and src/cli/gpg-program.test.ts): round trip, a wrong identity is "not
// this key file" (never a damaged one), a damaged message is a KeyFileError
// naming the key, and unlock tries credentials in order, asking for the
// passphrase only when a passphrase key file is tried.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateIdentity } from 'age-encryption';
import * as openpgp from 'openpgp';
import { MemoryBackend } from '../backend/memory.js';
import { parseAgeIdentities, readOpenPgpIdentity, readOpenPgpRecipients, sha256 } from '../crypto/index.js';
import { decodeAnyKeyFile, encodeAnyKeyFile, type WrappedKeyFile } from '../format/index.js';
import { openRepository } from './init.js';
import { addKeyFileWith, openKeyFileWith, sealKeyFileWith, secretsOf, unlock } from './key-files.js';
import {
  ageUnwrapper, ageWrapper, openpgpIdentityUnwrapper, openpgpKeyWrapper, passphraseUnwrapper, passphraseWrapper,
} from './key-wrapping.js';
import { generateKeyring } from './keyring.js';
import { keyName } from './layout.js';
import { CHEAP_KDF, errorWith, rejectsWith, TEST_NOW, testRepository } from './testing.js';

const keyring = generateKeyring('test');
const options = { name: 'test', host: 'host', now: TEST_NOW };
const noPassphrase = () => Promise.reject(new Error('the passphrase must not be asked for'));

async function ageIdentity(name: string) {
  const text = `# ${name}\n${await generateIdentity()}\n`;
  const identities = await parseAgeIdentities(text, `${name}.txt`);
  return { identities, recipient: identities.recipients[0]!, unwrapper: ageUnwrapper(identities, `${name}.txt`) };
}

async function openpgpKey(name: string, passphrase?: string) {
  const { privateKey, publicKey } = await openpgp.generateKey({
    type: 'curve25519', userIDs: [{ name, email: `${name}@coffer.invalid` }], format: 'armored', passphrase,
  });
  const recipients = await readOpenPgpRecipients(Buffer.from(publicKey), `${name}.pub.asc`);
  return { privateKey, recipients, fingerprint: recipients.fingerprints[0]! };
}

/** A copy of a wrapped key file with one base64 character changed in the last full line of its message (the encrypted payload). */
function damagedMessage(bytes: Buffer): Buffer {
  const file = decodeAnyKeyFile(bytes) as WrappedKeyFile;
  const lines = file.message.split('\n');
  const width = Math.max(...lines.map((l) => (l.startsWith('-----') ? 0 : l.length)));
  const i = lines.findLastIndex((l) => l.length === width);
  const line = lines[i]!;
  lines[i] = line.slice(0, 20) + (line[20] === 'A' ? 'B' : 'A') + line.slice(21);
  return encodeAnyKeyFile({ ...file, message: lines.join('\n') });
}

const alice = await ageIdentity('alice');
const bob = await ageIdentity('bob');
const carol = await openpgpKey('carol');

describe('age key files', () => {
  test('sealed to a recipient, opened by its identity: the same secrets', async () => {
    const sealed = await sealKeyFileWith(keyring, await ageWrapper([alice.recipient]), options);
    const file = decodeAnyKeyFile(sealed.bytes) as WrappedKeyFile;
    assert.equal(file.wrapping, 'age');
    assert.deepEqual(file.recipients, [alice.recipient]);
    assert.match(file.message, /^-----BEGIN AGE ENCRYPTED FILE-----/);
    const opened = await openKeyFileWith(sealed.bytes, [alice.unwrapper], 'key');
    assert.ok(opened);
    assert.deepEqual(secretsOf(opened), secretsOf(keyring));
  });

  test('several recipients: each identity opens it; another identity does not (null, not an error)', async () => {
    const sealed = await sealKeyFileWith(keyring, await ageWrapper([alice.recipient, bob.recipient, alice.recipient]), options);
    assert.equal((decodeAnyKeyFile(sealed.bytes) as WrappedKeyFile).recipients.length, 2, 'duplicates dropped');
    assert.ok(await openKeyFileWith(sealed.bytes, [bob.unwrapper], 'key'));
    const eve = await ageIdentity('eve');
    assert.equal(await openKeyFileWith(sealed.bytes, [eve.unwrapper], 'key'), null);
    assert.equal(await openKeyFileWith(sealed.bytes, [passphraseUnwrapper(noPassphrase)], 'key'), null, 'a passphrase is not tried on it');
  });

  test('a damaged age file is a KeyFileError naming the key', async () => {
    const sealed = await sealKeyFileWith(keyring, await ageWrapper([alice.recipient]), options);
    await assert.rejects(() => openKeyFileWith(damagedMessage(sealed.bytes), [alice.unwrapper], 'key 1234abcd'), errorWith('KEY_FILE', 'key 1234abcd'));
    const file = decodeAnyKeyFile(sealed.bytes) as WrappedKeyFile;
    const noArmor = encodeAnyKeyFile({ ...file, message: file.message.replace(/\n[A-Za-z0-9+/=]+\n-----END/, '\n!!!!\n-----END') });
    await assert.rejects(() => openKeyFileWith(noArmor, [alice.unwrapper], 'key 1234abcd'), errorWith('KEY_FILE', 'armor'));
  });

  test('bad recipients and identities are usage errors', async () => {
    await rejectsWith(() => ageWrapper(['age1notarecipient']), 'USAGE', 'not an age recipient');
    await rejectsWith(() => ageWrapper([]), 'USAGE', 'no age recipient');
    await rejectsWith(() => parseAgeIdentities('# nothing here\n', 'empty.txt'), 'USAGE', 'no age identity');
    await rejectsWith(() => parseAgeIdentities('AGE-SECRET-KEY-1NOTAKEY\n', 'bad.txt'), 'USAGE', 'line 1 is not an age identity');
    await rejectsWith(() => parseAgeIdentities('AGE-PLUGIN-YUBIKEY-1QQQ\n', 'yk.txt'), 'USAGE', 'plugin');
  });
});

describe('OpenPGP key files through OpenPGP.js', () => {
  test('sealed to a public key, opened by its private key', async () => {
    const sealed = await sealKeyFileWith(keyring, openpgpKeyWrapper(carol.recipients), options);
    const file = decodeAnyKeyFile(sealed.bytes) as WrappedKeyFile;
    assert.deepEqual(file.recipients, [carol.fingerprint]);
    assert.match(file.message, /^-----BEGIN PGP MESSAGE-----/);
    const identity = await readOpenPgpIdentity(Buffer.from(carol.privateKey), 'carol.asc', noPassphrase);
    const opened = await openKeyFileWith(sealed.bytes, [openpgpIdentityUnwrapper(identity, 'carol.asc')], 'key');
    assert.ok(opened);
    assert.deepEqual(secretsOf(opened), secretsOf(keyring));
  });

  test('another key gives null; a damaged message is a KeyFileError; a protected private key asks for its passphrase', async () => {
    const sealed = await sealKeyFileWith(keyring, openpgpKeyWrapper(carol.recipients), options);
    const dave = await openpgpKey('dave', 'dave passphrase');
    await rejectsWith(() => readOpenPgpIdentity(Buffer.from(dave.privateKey), 'dave.asc', async () => 'wrong'), 'WRONG_PASSWORD', 'dave.asc');
    const daveIdentity = await readOpenPgpIdentity(Buffer.from(dave.privateKey), 'dave.asc', async () => 'dave passphrase');
    assert.equal(await openKeyFileWith(sealed.bytes, [openpgpIdentityUnwrapper(daveIdentity, 'dave.asc')], 'key'), null);
    const carolIdentity = await readOpenPgpIdentity(Buffer.from(carol.privateKey), 'carol.asc', noPassphrase);
    await assert.rejects(
      () => openKeyFileWith(damagedMessage(sealed.bytes), [openpgpIdentityUnwrapper(carolIdentity, 'carol.asc')], 'key 1234abcd'),
      errorWith('KEY_FILE', 'key 1234abcd'),
    );
  });

  test('a message encrypted to a passphrase instead of a key is refused before anything decrypts it', async () => {
    const message = await openpgp.encrypt({
      message: await openpgp.createMessage({ binary: Buffer.from('{}') }), passwords: ['guess me'], format: 'armored',
    });
    const file: WrappedKeyFile = { format: 'coffer-key/v1', name: 'n', created: TEST_NOW, host: 'h', wrapping: 'openpgp', recipients: [carol.fingerprint], message };
    const identity = await readOpenPgpIdentity(Buffer.from(carol.privateKey), 'carol.asc', noPassphrase);
    await assert.rejects(
      () => openKeyFileWith(encodeAnyKeyFile(file), [openpgpIdentityUnwrapper(identity, 'carol.asc')], 'key 1234abcd'),
      errorWith('KEY_FILE', 'not an OpenPGP message encrypted to a public key'),
    );
  });
});

describe('unlock with several kinds of key files', () => {
  test('each credential opens its own key file; the passphrase is asked only when a passphrase key file is tried', async () => {
    const { backend, repository, passphrase } = await testRepository();
    const ageId = await addKeyFileWith(backend, repository.keyring, await ageWrapper([alice.recipient]), options);
    let asked = 0;
    const counting = passphraseUnwrapper(async () => {
      asked += 1;
      return passphrase;
    });
    // age first: it opens, and the passphrase is never read.
    const viaAge = await openRepository(backend, [alice.unwrapper, counting]);
    assert.equal(viaAge.keyId, ageId);
    assert.equal(asked, 0);
    // an identity that opens nothing: the passphrase key file still opens, after asking once.
    const viaPassphrase = await openRepository(backend, [bob.unwrapper, counting]);
    assert.notEqual(viaPassphrase.keyId, ageId);
    assert.equal(asked, 1);
  });

  test('a wrong identity: WrongPasswordError naming the key file, its recipient, and what else would open the repository', async () => {
    const { backend, repository } = await testRepository();
    const ageId = await addKeyFileWith(backend, repository.keyring, await ageWrapper([alice.recipient]), options);
    await assert.rejects(() => unlock(backend, [bob.unwrapper]), (error: unknown) => {
      errorWith('WRONG_PASSWORD')(error);
      const message = (error as Error).message;
      assert.ok(message.includes(`key ${ageId.slice(0, 8)} is wrapped for ${alice.recipient}`), message);
      assert.ok(message.includes('age identity bob.txt'), message);
      assert.ok(message.includes('1 key file needs a passphrase'), message);
      return true;
    });
  });

  test('only a damaged age key file: KeyFileError, not a wrong identity', async () => {
    const sealed = await sealKeyFileWith(keyring, await ageWrapper([alice.recipient]), options);
    const bytes = damagedMessage(sealed.bytes);
    const backend = new MemoryBackend();
    const id = sha256(bytes).toString('hex');
    await backend.save(keyName(id), bytes);
    await rejectsWith(() => unlock(backend, [alice.unwrapper]), 'KEY_FILE', `key ${id.slice(0, 8)}`);
  });

  test('passphrase key files are written by the passphrase wrapper exactly as before', async () => {
    const sealed = await sealKeyFileWith(keyring, passphraseWrapper('p', CHEAP_KDF), options);
    const json = JSON.parse(sealed.bytes.toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(json), ['format', 'name', 'created', 'host', 'kdf', 'nonce', 'ciphertext']);
    assert.ok(await openKeyFileWith(sealed.bytes, [passphraseUnwrapper('p')], 'key'));
  });
});
