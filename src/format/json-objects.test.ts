import assert from 'node:assert/strict';
import { Buffer } from 'node:buffer';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { FormatError } from '../errors.js';
import {
  decodeConfigJson, decodeKeyFile, decodeKeySecrets, decodeSignerSetJson, decodeSnapshotJson, encodeConfigJson,
  encodeKeyFile, encodeKeySecrets, encodeSignerSetJson, encodeSnapshotJson, SCRYPT_READER_MIN_N,
  validateScryptParams, type KeySecrets, type RepositoryConfig, type Snapshot,
} from './index.js';
import { config, keyFile, keySecrets, signerSet, snapshot } from './testing.js';

/** Fields a structure may omit (a snapshot's "original" exists only in copies). */
const OPTIONAL: Readonly<Record<string, readonly string[]>> = { snapshot: ['original'] };

const structures = [
  { name: 'snapshot', arbitrary: snapshot, encode: encodeSnapshotJson, decode: decodeSnapshotJson },
  { name: 'config', arbitrary: config, encode: encodeConfigJson, decode: decodeConfigJson },
  { name: 'signer set', arbitrary: signerSet, encode: encodeSignerSetJson, decode: decodeSignerSetJson },
  { name: 'key file', arbitrary: keyFile, encode: encodeKeyFile, decode: decodeKeyFile },
  { name: 'key secrets', arbitrary: keySecrets, encode: encodeKeySecrets, decode: decodeKeySecrets },
] as const;

function onlyFormatErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof FormatError)) throw error;
  }
}

for (const s of structures) {
  const encode = s.encode as (value: unknown) => Buffer;
  const decode = s.decode as (bytes: Uint8Array) => unknown;
  describe(s.name, () => {
    test('decode(encode(x)) = x, and encoding is canonical', () => {
      fc.assert(fc.property(s.arbitrary as fc.Arbitrary<unknown>, (value) => {
        const bytes = encode(value);
        const decoded = decode(bytes);
        assert.deepEqual(decoded, value);
        assert.deepEqual(encode(decoded), bytes);
      }), { numRuns: 200 });
    });

    test('decoding random bytes, random json or mutated encodings throws only FormatError', () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), (bytes) => onlyFormatErrors(() => decode(bytes))));
      fc.assert(fc.property(fc.jsonValue(), (value) => onlyFormatErrors(() => decode(Buffer.from(JSON.stringify(value) ?? '')))));
      fc.assert(fc.property(s.arbitrary as fc.Arbitrary<unknown>, fc.nat(), fc.integer({ min: 1, max: 255 }), (value, at, xor) => {
        const bytes = encode(value);
        const i = at % bytes.length;
        bytes[i] = (bytes[i] as number) ^ xor;
        onlyFormatErrors(() => decode(bytes));
      }));
    });

    test('every field is required, and no other field is allowed', () => {
      fc.assert(fc.property(s.arbitrary as fc.Arbitrary<unknown>, (value) => {
        const json = JSON.parse(encode(value).toString()) as Record<string, unknown>;
        for (const key of Object.keys(json).filter((k) => !OPTIONAL[s.name]?.includes(k))) {
          const { [key]: _, ...without } = json;
          assert.throws(() => decode(Buffer.from(JSON.stringify(without))), /is missing|exactly one|must be absent/, key);
        }
        assert.throws(() => decode(Buffer.from(JSON.stringify({ ...json, extra: 1 }))), /unknown field "extra"/);
      }), { numRuns: 20 });
    });
  });
}

describe('snapshot checks', () => {
  const base = fc.sample(snapshot, { numRuns: 1, seed: 1 })[0] as Snapshot;
  test('signer must be a 32-byte key and previous must follow sequence', () => {
    assert.throws(() => encodeSnapshotJson({ ...base, signer: Buffer.alloc(31) }), /signer must be 64 lowercase hex/);
    assert.throws(() => encodeSnapshotJson({ ...base, sequence: 1, previous: 'ab'.repeat(32) as never }), /previous must be null/);
    assert.throws(() => encodeSnapshotJson({ ...base, sequence: 0, previous: null }), /sequence must be between 1/);
    assert.throws(() => encodeSnapshotJson({ ...base, paths: [''] }), /paths\[0\] must not be empty/);
  });
});

describe('config checks', () => {
  const base: RepositoryConfig = {
    format: 1, repository: '11'.repeat(32) as never, created: 0n, features: [], readPublicKey: Buffer.alloc(32),
    ownerPublicKey: Buffer.alloc(32), packSize: 16 << 20, maxBlobSize: 8 << 20, compression: 'zstd',
    domains: [{ id: 'default', chunker: { algorithm: 'fastcdc-v1', min: 512 << 10, avg: 1 << 20, max: 8 << 20 } }],
  };
  const chunker = base.domains[0]!.chunker;
  test('accepts the spec\'s example and refuses bad chunker, size and domain parameters', () => {
    assert.deepEqual(decodeConfigJson(encodeConfigJson(base)), base);
    const bad: [string, Partial<RepositoryConfig>][] = [
      ['min < avg < max', { domains: [{ id: 'default', chunker: { ...chunker, min: 1 << 20 } }] }],
      ['min < avg < max', { domains: [{ id: 'default', chunker: { ...chunker, max: 1 << 20 } }] }],
      ['chunker.min must be a power of two', { domains: [{ id: 'default', chunker: { ...chunker, min: 3 } }] }],
      ['chunker.avg must be between 4 and 2^30', { domains: [{ id: 'default', chunker: { ...chunker, min: 1, avg: 2 } }] }],
      ['packSize must be between', { packSize: (256 << 20) + 1 }],
      ['exceeds maxBlobSize', { maxBlobSize: (8 << 20) - 1 }],
      ['listed twice', { domains: [base.domains[0]!, base.domains[0]!] }],
      ['domains must not be empty', { domains: [] }],
      ['requires feature', { features: ['x'] }],
      ['compression must be "zstd"', { compression: 'lz4' as never }],
      ['unknown format 2', { format: 2 as never }],
    ];
    for (const [message, change] of bad) {
      assert.throws(() => encodeConfigJson({ ...base, ...change }), (e: unknown) => e instanceof FormatError && e.message.includes(message), message);
    }
  });
});

describe('key files', () => {
  test('validateScryptParams enforces the spec\'s bounds', () => {
    validateScryptParams({ N: 2 ** 17, r: 8, p: 1 });
    validateScryptParams({ N: 2 ** 22, r: 8, p: 1 });
    validateScryptParams({ N: 2 ** 10, r: 1, p: 1 }, { minN: SCRYPT_READER_MIN_N });
    const bad: [string, { N: number; r: number; p: number }][] = [
      ['key file: kdf.N must be a power of two', { N: 3 * 2 ** 14, r: 8, p: 1 }],
      ['key file: kdf.N must be between 16384 and 4194304', { N: 2 ** 13, r: 8, p: 1 }],
      ['key file: kdf.N must be between 16384 and 4194304', { N: 2 ** 23, r: 1, p: 1 }],
      ['key file: kdf.r must be an integer between 1 and 32', { N: 2 ** 14, r: 33, p: 1 }],
      ['key file: kdf.r must be an integer between 1 and 32', { N: 2 ** 14, r: 0, p: 1 }],
      ['key file: kdf.p must be an integer between 1 and 16', { N: 2 ** 14, r: 1, p: 17 }],
      ['key file: kdf.N * r * p must be at most 2^25', { N: 2 ** 22, r: 8, p: 2 }],
    ];
    for (const [message, params] of bad) assert.throws(() => validateScryptParams(params), { name: 'FormatError', message });
  });

  test('private keys are present exactly in a full key; a write-only key holds one domain', () => {
    const full = fc.sample(keySecrets.filter((s) => s.role === 'full'), { numRuns: 1, seed: 2 })[0] as KeySecrets;
    const json = JSON.parse(encodeKeySecrets(full).toString()) as Record<string, unknown>;
    const domain = { id: 'default', writerRoot: '00'.repeat(32) };
    const writeOnly: Record<string, unknown> = { ...json, role: 'write-only', domains: [domain] };
    assert.throws(() => decodeKeySecrets(Buffer.from(JSON.stringify(writeOnly))), /readPrivateKey must be absent in a write-only key/);
    const { readPrivateKey: _r, ownerPrivateKey: _o, ...stripped } = writeOnly;
    assert.equal(decodeKeySecrets(Buffer.from(JSON.stringify({ ...stripped, domains: [domain] }))).readPrivateKey, null);
    assert.throws(
      () => decodeKeySecrets(Buffer.from(JSON.stringify({ ...stripped, domains: [domain, { ...domain, id: 'other' }] }))),
      /exactly one domain/,
    );
    assert.throws(() => decodeKeySecrets(Buffer.from(JSON.stringify({ ...json, domains: [domain, domain] }))), /listed twice/);
  });

  test('base64 fields must be canonical', () => {
    const file = fc.sample(keyFile, { numRuns: 1, seed: 3 })[0]!;
    const json = JSON.parse(encodeKeyFile(file).toString()) as Record<string, string>;
    assert.deepEqual(decodeKeyFile(Buffer.from(JSON.stringify({ ...json, nonce: 'AAAAAAAAAAAAAAAB' }))).nonce, Buffer.from('00000000000000000000000001', 'hex').subarray(1));
    for (const nonce of ['AAAAAAAAAAAAAAB=', 'AAAAAAAAAAAAAAA', 'AAAA AAAAAAAAAAAA', '-AAAAAAAAAAAAAAA', 'AAAAAAAAAAAAAAAA\n', 'AAAAAAAAAAAAAAAAAAAA']) {
      assert.throws(() => decodeKeyFile(Buffer.from(JSON.stringify({ ...json, nonce }))), /nonce must/, nonce);
    }
  });
});
