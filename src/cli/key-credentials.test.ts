// Which credentials are tried, in which order, and how a new key file is
// wrapped, from flags and environment (key-credentials.ts). Nothing here
// starts gpg or asks for a passphrase.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { generateIdentity, identityToRecipient } from 'age-encryption';
import { rejectsWith } from '../repository/testing.js';
import { withTempDir } from '../source/testing.js';
import { keyUnwrappers, newKeyWrapper, type CredentialFlags } from './key-credentials.js';

const never = () => Promise.reject(new Error('must not be called'));

async function order(flags: CredentialFlags, options: { env?: NodeJS.ProcessEnv; source?: boolean } = {}): Promise<string[]> {
  const unwrappers = await keyUnwrappers({ flags, env: options.env ?? {}, hasPassphraseSource: options.source ?? false, passphrase: never });
  return unwrappers.map((u) => u.description);
}

describe('which credentials open key files', () => {
  test('explicit credentials first, a passphrase only with a source, gpg unasked only when nothing is given', async () => {
    await withTempDir(async (dir) => {
      const identity = join(dir, 'id.txt');
      await writeFile(identity, `${await generateIdentity()}\n`);
      assert.deepEqual(await order({}), ['gpg', 'the passphrase']);
      assert.deepEqual(await order({}, { source: true }), ['the passphrase']);
      assert.deepEqual(await order({ ageIdentity: [identity] }), [`age identity ${identity}`]);
      assert.deepEqual(await order({ ageIdentity: [identity] }, { source: true }), [`age identity ${identity}`, 'the passphrase']);
      assert.deepEqual(await order({}, { env: { COFFER_AGE_IDENTITY: identity } }), [`age identity ${identity}`]);
      assert.deepEqual(await order({ gpg: true }, { source: true }), ['gpg', 'the passphrase']);
      assert.deepEqual(await order({ gpgIdentity: 'secret.asc' }), ['OpenPGP key secret.asc'], 'the private key file is read only when needed');
      await rejectsWith(() => order({ ageIdentity: [join(dir, 'missing.txt')] }), 'USAGE', 'cannot read age identity');
    });
  });

  test('how a new key file is wrapped', async () => {
    const recipient = await identityToRecipient(await generateIdentity());
    assert.equal((await newKeyWrapper({ ageRecipient: [recipient] }, {}, never)).wrapping, 'age');
    assert.equal((await newKeyWrapper({ scryptN: '16384' }, {}, async () => 'new')).wrapping, 'scrypt');
    await rejectsWith(() => newKeyWrapper({ ageRecipient: [recipient], gpgRecipientFile: ['k.asc'] }, {}, never), 'USAGE', 'wrapped one way');
    await rejectsWith(() => newKeyWrapper({ ageRecipient: [recipient], scryptN: '16384' }, {}, never), 'USAGE', '--scrypt-n applies only');
    await rejectsWith(() => newKeyWrapper({ scryptN: '1000' }, {}, never), 'USAGE', 'power of two');
    await rejectsWith(() => newKeyWrapper({ gpgRecipientFile: ['/nonexistent/k.asc'] }, {}, never), 'USAGE', 'cannot read OpenPGP public key');
    await rejectsWith(
      () => newKeyWrapper({ gpgRecipient: ['x'] }, { COFFER_GPG_PROGRAM: 'coffer-test-no-such-gpg', PATH: process.env['PATH'] }, never),
      'USAGE', '--gpg-recipient-file',
    );
  });
});
