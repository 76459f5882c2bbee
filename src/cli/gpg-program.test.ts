// The gpg program against OpenPGP.js, both ways, with a throwaway GnuPG home
// (never the user's ~/.gnupg; its agent is stopped at the end): a key file
// wrapped by gpg opens with OpenPGP.js and one wrapped by OpenPGP.js opens
// with gpg; a key file for another key is "not this one"; a damaged or
// passphrase-encrypted message is refused with the key named.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as openpgp from 'openpgp';
import { readFile } from 'node:fs/promises';
import { readOpenPgpIdentity, readOpenPgpRecipients } from '../crypto/index.js';
import { decodeAnyKeyFile, encodeAnyKeyFile, encodeKeySecrets, type WrappedKeyFile } from '../format/index.js';
import {
  openKeyFileWith, openpgpIdentityUnwrapper, openpgpKeyWrapper, sealKeyFileWith, secretsOf,
} from '../repository/index.js';
import { generateKeyring } from '../repository/keyring.js';
import { errorWith, rejectsWith } from '../repository/testing.js';
import { withGnupgHome } from '../e2e/key-tools.js';
import { decryptResult, GpgProgram } from './gpg-program.js';

const keyring = generateKeyring('test');
const options = { name: 'gpg test', host: 'host', now: 1n };
const noPassphrase = () => Promise.reject(new Error('no passphrase expected'));

function withMessage(bytes: Buffer, change: (message: string) => string): Buffer {
  const file = decodeAnyKeyFile(bytes) as WrappedKeyFile;
  return encodeAnyKeyFile({ ...file, message: change(file.message) });
}

/** One base64 character changed in the last full line of the armored message: inside the encrypted data. */
function damage(message: string): string {
  const lines = message.split('\n');
  const width = Math.max(...lines.map((l) => (l.startsWith('-----') ? 0 : l.length)));
  const i = lines.findLastIndex((l) => l.length === width);
  lines[i] = lines[i]!.slice(0, 30) + (lines[i]![30] === 'A' ? 'B' : 'A') + lines[i]!.slice(31);
  return lines.join('\n');
}

describe('gpg and OpenPGP.js interoperate', () => {
  test('both directions, another key, damage, and a passphrase-encrypted message', { timeout: 120_000 }, async () => {
    await withGnupgHome('ann@coffer.invalid', async (gnupg) => {
      const gpg = new GpgProgram('gpg', gnupg.env);
      assert.equal(await gpg.available(), true, 'gpg is installed (scripts/system-deps.sh test)');
      const identity = await readOpenPgpIdentity(await readFile(gnupg.secretKeyFile), 'secret.asc', noPassphrase);
      const viaLibrary = openpgpIdentityUnwrapper(identity, 'secret.asc');

      // gpg wraps (by e-mail address), OpenPGP.js and gpg open.
      assert.equal(await gpg.fingerprintOf('ann@coffer.invalid'), gnupg.fingerprint);
      const byGpg = await sealKeyFileWith(keyring, await gpg.wrapper(['ann@coffer.invalid']), options);
      assert.deepEqual((decodeAnyKeyFile(byGpg.bytes) as WrappedKeyFile).recipients, [gnupg.fingerprint]);
      assert.deepEqual(secretsOf((await openKeyFileWith(byGpg.bytes, [viaLibrary], 'key'))!), secretsOf(keyring));
      assert.deepEqual(secretsOf((await openKeyFileWith(byGpg.bytes, [gpg.unwrapper()], 'key'))!), secretsOf(keyring));

      // OpenPGP.js wraps (to the exported public key), gpg opens.
      const recipients = await readOpenPgpRecipients(await readFile(gnupg.publicKeyFile), 'public.asc');
      assert.deepEqual(recipients.fingerprints, [gnupg.fingerprint]);
      const byLibrary = await sealKeyFileWith(keyring, openpgpKeyWrapper(recipients), options);
      assert.deepEqual(secretsOf((await openKeyFileWith(byLibrary.bytes, [gpg.unwrapper()], 'key'))!), secretsOf(keyring));
      const plain = await gnupg.gpg(['--decrypt'], (decodeAnyKeyFile(byLibrary.bytes) as WrappedKeyFile).message);
      assert.deepEqual(plain.stdout, encodeKeySecrets(secretsOf(keyring)), 'gpg --decrypt gives the secrets JSON of docs/format.md');

      // A key file for a key gpg does not hold: not this one (null), not an error.
      const stranger = await openpgp.generateKey({ type: 'curve25519', userIDs: [{ email: 'x@coffer.invalid' }], format: 'armored' });
      const forStranger = await sealKeyFileWith(keyring, openpgpKeyWrapper(await readOpenPgpRecipients(Buffer.from(stranger.publicKey), 'x.asc')), options);
      assert.equal(await openKeyFileWith(forStranger.bytes, [gpg.unwrapper()], 'key'), null);

      // Damage inside the encrypted data: gpg reports a bad MDC (after printing plaintext, which is discarded).
      await assert.rejects(() => openKeyFileWith(withMessage(byLibrary.bytes, damage), [gpg.unwrapper()], 'key 1234abcd'), errorWith('KEY_FILE', 'key 1234abcd'));
      await assert.rejects(() => openKeyFileWith(withMessage(byGpg.bytes, damage), [viaLibrary], 'key 1234abcd'), errorWith('KEY_FILE', 'damaged'));

      // A message encrypted to a passphrase never reaches gpg (which would prompt for one).
      const symmetric = await openpgp.encrypt({ message: await openpgp.createMessage({ binary: Buffer.from('{}') }), passwords: ['x'], format: 'armored' });
      await assert.rejects(
        () => openKeyFileWith(withMessage(byGpg.bytes, () => symmetric), [gpg.unwrapper()], 'key 1234abcd'),
        errorWith('KEY_FILE', 'not an OpenPGP message encrypted to a public key'),
      );

      // Recipients gpg cannot use.
      await rejectsWith(() => gpg.fingerprintOf('nobody@coffer.invalid'), 'USAGE', 'gpg has no public key');
    });
  });

  test('without the gpg program: an optional unwrapper opens nothing, an explicit one says gpg is missing', async () => {
    const missing = new GpgProgram('coffer-test-no-such-gpg', { PATH: process.env['PATH'] });
    assert.equal(await missing.available(), false);
    const file = { format: 'coffer-key/v1' as const, name: 'n', created: 1n, host: 'h', wrapping: 'openpgp' as const, recipients: ['A'.repeat(40)], message: '' };
    assert.equal(await missing.unwrapper({ optional: true }).unwrap(file, 'key'), null);
    await rejectsWith(() => missing.unwrapper().unwrap(file, 'key'), 'USAGE', 'not installed');
    await rejectsWith(() => missing.wrapper(['x']), 'USAGE', 'not installed');
  });
});

describe('reading gpg --decrypt status', () => {
  const run = (status: string[], exitCode = 2) => ({ exitCode, stdout: Buffer.from('{}'), stderr: 'gpg: something\n', status });
  test('success needs DECRYPTION_OKAY and GOODMDC, without BADMDC', () => {
    assert.deepEqual(decryptResult(run(['ENC_TO AA 18 0', 'DECRYPTION_OKAY', 'GOODMDC', 'END_DECRYPTION'], 0), 'k'), Buffer.from('{}'));
    assert.throws(() => decryptResult(run(['DECRYPTION_OKAY', 'BADMDC', 'DECRYPTION_FAILED']), 'k'), errorWith('INTEGRITY', 'integrity check failed'));
    assert.throws(() => decryptResult(run(['DECRYPTION_OKAY'], 0), 'k'), errorWith('INTEGRITY'));
  });
  test('no secret key for any recipient is "not this key file"; a cancelled pinentry or a bad PIN is not damage', () => {
    assert.equal(decryptResult(run(['ENC_TO AA 18 0', 'ENC_TO BB 18 0', 'NO_SECKEY AA', 'NO_SECKEY BB', 'DECRYPTION_FAILED']), 'k'), null);
    assert.throws(() => decryptResult(run(['ENC_TO AA 18 0', 'ERROR pkdecrypt_failed 83886179', 'DECRYPTION_FAILED']), 'k'), errorWith('ABORTED', 'cancelled'));
    assert.throws(() => decryptResult(run(['ENC_TO AA 18 0', 'ERROR pkdecrypt_failed 100663383', 'DECRYPTION_FAILED']), 'k'), errorWith('WRONG_PASSWORD', 'PIN'));
    assert.throws(() => decryptResult(run(['ENC_TO AA 18 0', 'ERROR pkdecrypt_failed 16777226', 'DECRYPTION_FAILED']), 'k'), errorWith('INTEGRITY'));
    assert.throws(() => decryptResult(run(['ENC_TO AA 18 0', 'ERROR pkdecrypt_failed 100663408', 'DECRYPTION_FAILED']), 'k'), errorWith('GPG', 'something'));
  });
});
