// Key files wrapped by age or OpenPGP, the key export payload, and the
// Base32 they are printed in (docs/format.md "Key files wrapped by age or
// OpenPGP", "Key export"): round trips, and every malformed input is a
// FormatError naming the problem.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../errors.js';
import {
  decodeAnyKeyFile, decodeBase32, decodeExportSecrets, decodeKeyExportPayload, encodeAnyKeyFile, encodeBase32,
  encodeExportSecrets, encodeKeyExportPayload, encodeKeyFile, keyFileWrapping, type WrappedKeyFile,
} from './index.js';

const AGE_MESSAGE = '-----BEGIN AGE ENCRYPTED FILE-----\nYWdlLWVuY3J5cHRpb24ub3JnL3YxCg==\n-----END AGE ENCRYPTED FILE-----\n';
const PGP_MESSAGE = '-----BEGIN PGP MESSAGE-----\n\nwV4DjgBPSNAtSEISAQdA\n=abcd\n-----END PGP MESSAGE-----\n';
const ageFile: WrappedKeyFile = {
  format: 'coffer-key/v1', name: 'laptop', created: 1_700_000_000_123_456_789n, host: 'laptop.example',
  wrapping: 'age', recipients: ['age1g3cmkylfhj2sj3lup0mzujv0fx7ywuwuxku8pmh2hwj9utx5qufs4v28cf'], message: AGE_MESSAGE,
};
const pgpFile: WrappedKeyFile = {
  ...ageFile, wrapping: 'openpgp', recipients: ['7876F79F231B7AF46161A1D38B4838F459DC2527'], message: PGP_MESSAGE,
};

function edited(file: WrappedKeyFile, change: (json: Record<string, unknown>) => void): Buffer {
  const json = JSON.parse(encodeAnyKeyFile(file).toString('utf8')) as Record<string, unknown>;
  change(json);
  return Buffer.from(JSON.stringify(json));
}

describe('wrapped key files', () => {
  test('round trip, and a passphrase key file still decodes as one', () => {
    for (const file of [ageFile, pgpFile]) {
      const decoded = decodeAnyKeyFile(encodeAnyKeyFile(file));
      assert.deepEqual(decoded, file);
      assert.equal(keyFileWrapping(decoded), file.wrapping);
    }
    const scrypt = encodeKeyFile({
      format: 'coffer-key/v1', name: 'n', created: 1n, host: 'h',
      kdf: { algorithm: 'scrypt', N: 16384, r: 8, p: 1, salt: Buffer.alloc(32, 1) }, nonce: Buffer.alloc(12, 2), ciphertext: Buffer.alloc(40, 3),
    });
    assert.equal(keyFileWrapping(decodeAnyKeyFile(scrypt)), 'scrypt');
  });

  const bad: [string, Buffer, string][] = [
    ['unknown wrapping', edited(ageFile, (j) => { j['wrapping'] = 'ssh'; }), 'wrapping must be'],
    ['no recipients', edited(ageFile, (j) => { j['recipients'] = []; }), 'recipients must list'],
    ['33 recipients', edited(ageFile, (j) => { j['recipients'] = Array(33).fill(ageFile.recipients[0]); }), 'recipients must list'],
    ['an OpenPGP fingerprint in an age key file', edited(ageFile, (j) => { j['recipients'] = pgpFile.recipients; }), 'recipients[0] must be an age recipient'],
    ['a short fingerprint', edited(pgpFile, (j) => { j['recipients'] = ['8B4838F459DC2527']; }), 'must be an OpenPGP fingerprint'],
    ['an OpenPGP message in an age key file', edited(ageFile, (j) => { j['message'] = PGP_MESSAGE; }), 'must be an armored age file'],
    ['a binary message', edited(pgpFile, (j) => { j['message'] = 'hF4DjgBPSNAtSEISAQdA'; }), 'must be an armored OpenPGP message'],
    ['a message of 70,000 characters', edited(ageFile, (j) => { j['message'] = AGE_MESSAGE.replace('YWdl', 'A'.repeat(70_000)); }), 'longer than'],
    ['kdf fields mixed in', edited(ageFile, (j) => { j['kdf'] = { algorithm: 'scrypt' }; }), 'unknown field "kdf"'],
    ['no message', edited(ageFile, (j) => { delete j['message']; }), 'message is missing'],
    ['another format', edited(ageFile, (j) => { j['format'] = 'coffer-key/v2'; }), 'unknown format'],
  ];
  for (const [name, bytes, message] of bad) {
    test(`refused: ${name}`, () => {
      assert.throws(() => decodeAnyKeyFile(bytes), (e: unknown) => e instanceof FormatError && e.message.includes(message));
    });
  }
});

describe('Crockford Base32', () => {
  test('decode(encode(x)) = x, and case and look-alikes are forgiven', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const text = encodeBase32(bytes);
      assert.match(text, /^[0-9A-HJKMNP-TV-Z]*$/);
      assert.deepEqual(decodeBase32(text), Buffer.from(bytes));
      assert.deepEqual(decodeBase32(text.toLowerCase().replace(/0/g, 'o').replace(/1/g, 'l')), Buffer.from(bytes));
    }), { numRuns: 300 });
  });

  test('a known vector, and invalid text is refused', () => {
    assert.equal(encodeBase32(Buffer.from('coffer')), 'CDQPCSK5E8');
    assert.throws(() => decodeBase32('CDQPCSK5EU'), FormatError, 'U is not a symbol');
    assert.throws(() => decodeBase32('CDQPCSK5E9'), FormatError, 'non-zero padding bits');
    assert.throws(() => decodeBase32('CDQ'), FormatError, 'a length no byte string has');
  });
});

describe('key export payload', () => {
  const secrets = {
    readPrivateKey: Buffer.alloc(32, 1), ownerPrivateKey: Buffer.alloc(32, 2),
    signer: { name: 'ann@laptop', privateKey: Buffer.alloc(32, 3) },
    domains: [{ id: 'default', writerRoot: Buffer.alloc(32, 4) }, { id: 'servers', writerRoot: Buffer.alloc(32, 5) }],
  };
  const repository = Buffer.alloc(32, 9);
  const fingerprint = Buffer.alloc(16, 8);

  test('secrets and both protections round trip', () => {
    assert.deepEqual(decodeExportSecrets(encodeExportSecrets(secrets)), secrets);
    const plain = { repository, fingerprint, protection: { kind: 'none' as const, secrets: encodeExportSecrets(secrets) } };
    assert.deepEqual(decodeKeyExportPayload(encodeKeyExportPayload(plain)), plain);
    const sealed = {
      repository, fingerprint,
      protection: { kind: 'scrypt' as const, kdf: { N: 16384, r: 8, p: 1 }, salt: Buffer.alloc(16, 6), nonce: Buffer.alloc(12, 7), sealed: Buffer.alloc(200, 1) },
    };
    assert.deepEqual(decodeKeyExportPayload(encodeKeyExportPayload(sealed)), sealed);
  });

  test('damaged payloads are refused', () => {
    const good = encodeExportSecrets(secrets);
    assert.throws(() => decodeExportSecrets(good.subarray(0, good.length - 1)), FormatError);
    assert.throws(() => decodeExportSecrets(Buffer.concat([good, Buffer.alloc(1)])), /trailing byte/);
    const twice = encodeExportSecrets({ ...secrets, domains: [secrets.domains[0]!, secrets.domains[0]!] });
    assert.throws(() => decodeExportSecrets(twice), /repeated/);
    const payload = encodeKeyExportPayload({ repository, fingerprint, protection: { kind: 'none', secrets: good } });
    assert.throws(() => decodeKeyExportPayload(Buffer.concat([Buffer.from([2]), payload.subarray(1)])), /unknown version 2/);
    assert.throws(() => decodeKeyExportPayload(Buffer.concat([Buffer.from([1, 7]), payload.subarray(2)])), /unknown protection 7/);
    const huge = Buffer.from(payload);
    huge[1] = 1;
    huge[50] = 30; // log2 N = 30: above the bound, refused before any scrypt
    assert.throws(() => decodeKeyExportPayload(huge), /kdf.N must be between/);
  });
});
