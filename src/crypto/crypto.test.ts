import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IntegrityError } from '../errors.js';
import {
  blobIdOf, counterNonce, deriveWrappingKey, generateRawKeyPair, hkdf, open, openingKeys, publicFromPrivate,
  seal, sealingKeys, signBody, verifyBody,
} from './index.js';

test('hkdf matches RFC 5869 test case 3 (empty salt and info)', () => {
  const okm = hkdf(Buffer.alloc(22, 0x0b), Buffer.alloc(0), '', 42);
  assert.equal(okm.toString('hex'),
    '8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8');
});

test('seal then open round-trips, and every single bit flip is an integrity error', () => {
  const key = Buffer.alloc(32, 7);
  const aad = Buffer.from('aad');
  const sealed = seal(key, counterNonce(3), aad, [Buffer.from('hello '), Buffer.from('world')]);
  assert.equal(open(key, counterNonce(3), aad, sealed, 'x').toString(), 'hello world');
  for (let bit = 0; bit < sealed.length * 8; bit++) {
    const bad = Buffer.from(sealed);
    bad[bit >> 3]! ^= 1 << (bit & 7);
    assert.throws(() => open(key, counterNonce(3), aad, bad, 'x'), IntegrityError);
  }
  assert.throws(() => open(key, counterNonce(4), aad, sealed, 'x'), IntegrityError, 'wrong nonce');
  assert.throws(() => open(key, counterNonce(3), Buffer.from('other'), sealed, 'x'), IntegrityError, 'wrong aad');
});

test('ECIES: the read private key recovers the writer keys; another key does not', () => {
  const read = generateRawKeyPair('x25519');
  const other = generateRawKeyPair('x25519');
  const { ephemeralPublic, keys } = sealingKeys(read.publicKey, ['a', 'b']);
  assert.notDeepEqual(keys[0], keys[1]);
  assert.deepEqual(openingKeys(read.privateKey, read.publicKey, ephemeralPublic, ['a', 'b']), keys);
  assert.notDeepEqual(openingKeys(other.privateKey, read.publicKey, ephemeralPublic, ['a', 'b']), keys);
  assert.deepEqual(publicFromPrivate('x25519', read.privateKey), read.publicKey);
});

test('ECIES refuses a low-order public key (all-zero shared secret)', () => {
  assert.throws(() => sealingKeys(Buffer.alloc(32), ['a']));
});

test('Ed25519 signatures bind label and body', () => {
  const pair = generateRawKeyPair('ed25519');
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (body) => {
    const sig = signBody(pair.privateKey, 'coffer/v1/sig/test', body);
    assert.ok(verifyBody(pair.publicKey, 'coffer/v1/sig/test', body, sig));
    assert.ok(!verifyBody(pair.publicKey, 'coffer/v1/sig/other', body, sig));
    const flipped = Buffer.from(sig);
    flipped[0]! ^= 1;
    assert.ok(!verifyBody(pair.publicKey, 'coffer/v1/sig/test', body, flipped));
  }), { numRuns: 50 });
});

test('blob ids depend on key, type and content', () => {
  const a = blobIdOf(Buffer.alloc(32, 1), 0, Buffer.from('x'));
  assert.notDeepEqual(a, blobIdOf(Buffer.alloc(32, 2), 0, Buffer.from('x')));
  assert.notDeepEqual(a, blobIdOf(Buffer.alloc(32, 1), 1, Buffer.from('x')));
  assert.notDeepEqual(a, blobIdOf(Buffer.alloc(32, 1), 0, Buffer.from('y')));
  assert.deepEqual(a, blobIdOf(Buffer.alloc(32, 1), 0, Buffer.from('x')));
});

test('scrypt wrapping key is deterministic per salt and passphrase, NFC-normalised', async () => {
  const params = { N: 1024, r: 8, p: 1 };
  const salt = Buffer.alloc(32, 1);
  const k1 = await deriveWrappingKey('caf\u00e9', salt, params);
  assert.deepEqual(k1, await deriveWrappingKey('cafe\u0301', salt, params));
  assert.notDeepEqual(k1, await deriveWrappingKey('cafe', salt, params));
  assert.notDeepEqual(k1, await deriveWrappingKey('caf\u00e9', Buffer.alloc(32, 2), params));
});
