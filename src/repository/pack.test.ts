// Packs (docs/format.md "Packs"): the recorded vectors in
// testdata/pack-vectors.json must always decode to their blobs (a pack is
// sealed with a fresh ephemeral key and a random blob order, so its bytes are
// recorded once rather than re-encoded); their negative cases must fail with
// the recorded error kind; and properties of freshly built packs: blobs round
// trip, any bit flip is refused, packs respect packSize, blob order is random.
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { MemoryBackend } from '../backend/memory.js';
import { CompressPool, ZstdCodec } from '../codec/index.js';
import { blobIdOf, deriveDomainKeys, publicFromPrivate } from '../crypto/index.js';
import { CofferError } from '../errors.js';
import { BlobType, splitPack, type BlobEntry, type PackType } from '../format/index.js';
import { BlobIndex } from './blob-index.js';
import { BlobWriter } from './blob-writer.js';
import { generateKeyring } from './keyring.js';
import { buildPack } from './pack-builder.js';
import { OpenedPack, type PackReadKeys } from './pack-reader.js';
import { errorWith, flipBit, nameOf, packableBlob, packReadKeysOf } from './testing.js';

interface PackVector {
  readonly name: string;
  readonly type: PackType;
  readonly id: string;
  readonly hex: string;
  readonly entries: BlobEntry[];
  readonly blobs: { id: string; type: number; compression: number; plaintext: string }[];
}

interface NegativePack {
  readonly name: string;
  readonly base: string;
  readonly openAs: PackType;
  readonly hex: string;
  readonly stage: 'open' | 'blob';
  readonly code: string;
  readonly message: string;
  readonly failingBlobs?: string[];
}

interface PackVectors {
  readonly keys: { repositoryId: string; writerRoot: string; idKey: string; readPublicKey: string; readPrivateKey: string };
  readonly limits: { maxBlobSize: number; packSize: number };
  readonly packs: PackVector[];
  readonly negative: NegativePack[];
}

const vectors = JSON.parse(readFileSync(new URL('../../testdata/pack-vectors.json', import.meta.url), 'utf8')) as PackVectors;
const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const codec = new ZstdCodec();
const keys: PackReadKeys = {
  readPublicKey: hex(vectors.keys.readPublicKey),
  readPrivateKey: hex(vectors.keys.readPrivateKey),
  idKeys: [hex(vectors.keys.idKey)],
  ...vectors.limits,
};
const packNamed = (name: string): PackVector => {
  const pack = vectors.packs.find((p) => p.name === name);
  assert.ok(pack, `no pack vector ${name}`);
  return pack;
};

/** Opens a pack and every blob in it; throws the first failure. */
function openWhole(id: string, type: PackType, bytes: Buffer, readKeys: PackReadKeys): Map<string, Buffer> {
  const pack = OpenedPack.open(id, type, bytes, readKeys);
  return new Map(pack.entries.map((entry) => [entry.id, pack.openBlob(entry, codec)]));
}

/**
 * A decoder written from docs/format.md with node:crypto alone (no coffer
 * crypto or format code, zstd aside): the vectors are the format, not
 * whatever coffer's code happens to do.
 */
function decodeIndependently(bytes: Buffer, readPrivate: Buffer, readPublic: Buffer, idKey: Buffer): { id: string; plaintext: Buffer }[] {
  const b64u = (b: Buffer) => b.toString('base64url');
  const gcmOpen = (key: Buffer, counter: number, aad: Buffer, sealed: Buffer): Buffer => {
    const nonce = Buffer.alloc(12);
    nonce.writeBigUInt64LE(BigInt(counter), 0);
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]);
  };
  assert.equal(bytes.subarray(0, 5).toString('latin1'), 'cofr\x01');
  const type = bytes[5] === 0x02 ? 0 : bytes[5] === 0x03 ? 1 : assert.fail('not a pack');
  const prefix = bytes.subarray(0, 38);
  const ephemeral = bytes.subarray(6, 38);
  const shared = diffieHellman({
    privateKey: createPrivateKey({ key: { kty: 'OKP', crv: 'X25519', d: b64u(readPrivate), x: b64u(readPublic) }, format: 'jwk' }),
    publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: b64u(ephemeral) }, format: 'jwk' }),
  });
  const salt = Buffer.concat([ephemeral, readPublic]);
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', shared, salt, Buffer.from(info, 'ascii'), 32));
  const trailerLength = bytes.readUInt32LE(bytes.length - 4);
  const sealedTrailer = bytes.subarray(bytes.length - 4 - trailerLength, bytes.length - 4);
  const padded = gcmOpen(derive('coffer/v1/pack/trailer'), 0, prefix, sealedTrailer);
  const body = padded.subarray(4, 4 + padded.readUInt32LE(0));
  const count = body.readUInt32LE(0);
  assert.equal(body.length, 4 + 54 * count);
  const blobKey = derive('coffer/v1/pack/blob');
  const out: { id: string; plaintext: Buffer }[] = [];
  for (let i = 0; i < count; i++) {
    const e = body.subarray(4 + 54 * i, 4 + 54 * (i + 1));
    const id = e.subarray(0, 32);
    assert.equal(e[32], type);
    const [offset, sealedLength, storedLength, rawLength, counter] = [34, 38, 42, 46, 50].map((at) => e.readUInt32LE(at)) as
      [number, number, number, number, number];
    const aad = Buffer.concat([bytes.subarray(0, 6), Buffer.of(type), id]);
    const stored = gcmOpen(blobKey, counter, aad, bytes.subarray(offset, offset + sealedLength)).subarray(0, storedLength);
    const plaintext = e[33] === 1 ? codec.decompress(stored, rawLength) : stored;
    assert.deepEqual(createHmac('sha256', idKey).update(Buffer.of(type)).update(plaintext).digest(), id);
    out.push({ id: id.toString('hex'), plaintext });
  }
  return out;
}

describe('pack vectors', () => {
  test('the recorded keys follow from each other', () => {
    const domain = deriveDomainKeys(hex(vectors.keys.writerRoot), hex(vectors.keys.repositoryId));
    assert.equal(domain.idKey.toString('hex'), vectors.keys.idKey);
    assert.equal(publicFromPrivate('x25519', keys.readPrivateKey).toString('hex'), vectors.keys.readPublicKey);
  });

  test('the data pack holds one compressed, one raw and one tiny blob', () => {
    const { blobs } = packNamed('dataPack');
    assert.deepEqual(blobs.map((b) => b.compression), [1, 0, 0]);
    assert.ok(blobs[2]!.plaintext.length / 2 < 16);
  });

  for (const pack of vectors.packs) {
    test(`${pack.name} decodes to its recorded blobs`, () => {
      const bytes = hex(pack.hex);
      assert.equal(createHash('sha256').update(bytes).digest('hex'), pack.id);
      const opened = OpenedPack.open(pack.id, pack.type, bytes, keys);
      assert.deepEqual(opened.entries.map((e) => ({ ...e })), pack.entries);
      assert.deepEqual(opened.entries.map((e) => e.id).sort(), pack.blobs.map((b) => b.id).sort());
      for (const blob of pack.blobs) {
        const entry = opened.entry(blob.id);
        assert.ok(entry, `blob ${blob.id.slice(0, 8)} is in the trailer`);
        assert.equal(entry.type, blob.type);
        assert.equal(entry.compression, blob.compression);
        assert.equal(opened.openBlob(entry, codec).toString('hex'), blob.plaintext);
      }
    });

    test(`${pack.name} decodes with node:crypto alone, following docs/format.md`, () => {
      const decoded = decodeIndependently(hex(pack.hex), keys.readPrivateKey, keys.readPublicKey, keys.idKeys[0]!);
      const expected = new Map(pack.blobs.map((b) => [b.id, b.plaintext]));
      assert.equal(decoded.length, expected.size);
      for (const { id, plaintext } of decoded) assert.equal(plaintext.toString('hex'), expected.get(id));
    });
  }

  test('a pack opened with another read key fails its trailer', () => {
    const other = packReadKeysOf(generateKeyring('other'));
    const pack = packNamed('dataPack');
    assert.throws(() => OpenedPack.open(pack.id, 'data', hex(pack.hex), { ...other, idKeys: keys.idKeys }),
      errorWith('INTEGRITY', 'trailer: authentication failed'));
  });

  test('a blob whose id was made with another id key is refused', () => {
    const pack = packNamed('dataPack');
    const opened = OpenedPack.open(pack.id, 'data', hex(pack.hex), { ...keys, idKeys: [Buffer.alloc(32, 7)] });
    for (const entry of opened.entries) {
      assert.throws(() => opened.openBlob(entry, codec), errorWith('INTEGRITY', 'does not match the blob id'));
    }
  });

  test('unknown format version: refused by name, by the pack reader and by the header decoder', () => {
    const version2 = vectors.negative.find((c) => c.name === 'header: unknown format version 2');
    assert.ok(version2);
    const bytes = hex(version2.hex);
    assert.equal(bytes[4], 2);
    // Under the name of the original pack: the name no longer matches the SHA-256.
    assert.throws(() => OpenedPack.open(packNamed('dataPack').id, 'data', bytes, keys), errorWith('INTEGRITY', 'does not match its name'));
    // Under its own name: the version check itself refuses it.
    assert.throws(() => OpenedPack.open(nameOf(bytes), 'data', bytes, keys), errorWith('FORMAT', 'unknown format version 2'));
    assert.throws(() => splitPack(bytes, 'data'), errorWith('FORMAT', 'unknown format version 2'));
  });

  describe('negative cases', () => {
    for (const c of vectors.negative) {
      test(c.name, () => {
        const bytes = hex(c.hex);
        const base = packNamed(c.base);
        if (c.hex !== base.hex) {
          assert.throws(() => OpenedPack.open(base.id, c.openAs, bytes, keys), errorWith('INTEGRITY', 'does not match its name'));
        }
        const id = nameOf(bytes);
        if (c.stage === 'open') {
          assert.throws(() => OpenedPack.open(id, c.openAs, bytes, keys), errorWith(c.code, c.message));
          return;
        }
        const opened = OpenedPack.open(id, c.openAs, bytes, keys);
        const failing = new Set(c.failingBlobs);
        assert.ok(failing.size > 0);
        for (const entry of opened.entries) {
          if (failing.has(entry.id)) {
            assert.throws(() => opened.openBlob(entry, codec), errorWith(c.code, c.message));
          } else {
            const plaintext = base.blobs.find((b) => b.id === entry.id)?.plaintext;
            assert.equal(opened.openBlob(entry, codec).toString('hex'), plaintext);
          }
        }
      });
    }
  });
});

/** Deterministic pseudo-random bytes (AES-CTR keystream), so fast-check can shrink and replay. */
function streamBytes(seed: number, length: number): Buffer {
  const key = createHash('sha256').update(`pack.test ${seed}`).digest();
  return createCipheriv('aes-256-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(length));
}

/** A blob's plaintext: incompressible, or text that compresses. */
const plaintextArb = fc.oneof(
  fc.record({ seed: fc.nat(), length: fc.integer({ min: 0, max: 4096 }) }).map(({ seed, length }) => streamBytes(seed, length)),
  fc.record({ word: fc.string({ minLength: 1, maxLength: 8 }), times: fc.integer({ min: 1, max: 600 }) })
    .map(({ word, times }) => Buffer.from(word.repeat(times))),
);

describe('pack properties', () => {
  const keyring = generateKeyring('test');
  const idKey = keyring.domains[0]!.keys.idKey;
  const readKeys = packReadKeysOf(keyring);

  test('every blob of a built pack opens to its plaintext and verifies its id', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(plaintextArb, { minLength: 1, maxLength: 12, selector: (b) => b.toString('hex') }),
        fc.option(fc.nat(), { freq: 4 }),
        fc.constantFrom<PackType>('data', 'tree'),
        (plaintexts, bigSeed, packType) => {
          const all = bigSeed === null ? plaintexts : [...plaintexts, streamBytes(bigSeed, 1024 * 1024 + 123)];
          const type = packType === 'data' ? BlobType.data : BlobType.tree;
          const blobs = all.map((p) => packableBlob(codec, idKey, type, p));
          const built = buildPack(packType, blobs, keyring.readPublicKey);
          const opened = openWhole(built.id, packType, built.bytes, readKeys);
          assert.equal(opened.size, all.length);
          for (const [i, blob] of blobs.entries()) assert.deepEqual(opened.get(blob.id.toString('hex')), all[i]);
        },
      ),
      { numRuns: 40 },
    );
  });

  test('a pack of one 1 MiB blob and empty and tiny blobs round-trips', () => {
    const all = [streamBytes(1, 1024 * 1024), Buffer.alloc(0), Buffer.from('x'), Buffer.alloc(1024 * 1024, 'a')];
    const blobs = all.map((p) => packableBlob(codec, idKey, BlobType.data, p));
    assert.deepEqual(blobs.map((b) => b.compression), [0, 0, 0, 1]);
    const built = buildPack('data', blobs, keyring.readPublicKey);
    const opened = openWhole(built.id, 'data', built.bytes, readKeys);
    for (const [i, blob] of blobs.entries()) assert.deepEqual(opened.get(blob.id.toString('hex')), all[i]);
  });

  describe('any single bit flip in a sealed pack is refused', () => {
    const plaintexts = [streamBytes(2, 3000), Buffer.from('compressible '.repeat(200)), Buffer.from('ok'), Buffer.alloc(0), streamBytes(3, 700)];
    const built = buildPack('data', plaintexts.map((p) => packableBlob(codec, idKey, BlobType.data, p)), keyring.readPublicKey);
    const bits = built.bytes.length * 8;

    /** The error that opening the pack, under the name of its new bytes, and all its blobs raises. */
    const failureOf = (bit: number): CofferError => {
      const flipped = flipBit(built.bytes, bit);
      try {
        openWhole(nameOf(flipped), 'data', flipped, readKeys);
      } catch (error) {
        assert.ok(error instanceof CofferError, `bit ${bit}: ${String(error)}`);
        assert.ok(error.code === 'INTEGRITY' || error.code === 'FORMAT', `bit ${bit}: ${error.code} ${error.message}`);
        return error;
      }
      assert.fail(`bit ${bit} flipped: the pack and all its blobs still open`);
    };

    test('every bit of the header and the ephemeral key', () => {
      for (let bit = 0; bit < 38 * 8; bit++) failureOf(bit);
    });

    test('every bit of the last 4 bytes (the trailer length)', () => {
      for (let bit = bits - 32; bit < bits; bit++) failureOf(bit);
    });

    test('sampled bits anywhere', () => {
      fc.assert(fc.property(fc.integer({ min: 0, max: bits - 1 }), (bit) => {
        failureOf(bit);
      }), { numRuns: 400 });
    });

    test('under its old name, every flip is a name mismatch', () => {
      fc.assert(fc.property(fc.integer({ min: 0, max: bits - 1 }), (bit) => {
        assert.throws(() => OpenedPack.open(built.id, 'data', flipBit(built.bytes, bit), readKeys),
          errorWith('INTEGRITY', 'does not match its name'));
      }), { numRuns: 50 });
    });
  });

  describe('packs written by BlobWriter stay within packSize unless they hold one blob', () => {
    /** Writes the blobs through a BlobWriter; returns every stored data pack, opened and checked. */
    async function writePacks(packSize: number, plaintexts: readonly Buffer[]): Promise<{ length: number; blobs: number }[]> {
      const backend = new MemoryBackend();
      const index = new BlobIndex();
      const pool = new CompressPool({ threads: 0 });
      const writer = new BlobWriter({ backend, keyring, index, pool, packSize });
      for (const p of plaintexts) await writer.add(BlobType.data, blobIdOf(idKey, BlobType.data, p), p);
      await writer.finish();
      await pool.close();
      const packs: { length: number; blobs: number }[] = [];
      for await (const object of backend.list('data/')) {
        const bytes = await backend.load(object.name);
        const id = object.name.slice(object.name.lastIndexOf('/') + 1);
        // Not through OpenedPack.open, which enforces packSize itself: measure first, then open.
        const { entries } = OpenedPack.open(id, 'data', bytes, { ...readKeys, packSize: Number.MAX_SAFE_INTEGER });
        packs.push({ length: bytes.length, blobs: entries.length });
      }
      return packs;
    }

    test('random blob sizes and pack sizes', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 1024, max: 32 * 1024 }),
          fc.array(fc.record({ seed: fc.nat(), length: fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 6000 })) }),
            { minLength: 1, maxLength: 120 }),
          async (packSize, specs) => {
            const unique = new Map(specs.map(({ seed, length }) => [`${seed}:${length}`, streamBytes(seed, length)]));
            for (const pack of await writePacks(packSize, [...unique.values()])) {
              assert.ok(pack.length <= packSize || pack.blobs === 1, `pack of ${pack.length} bytes > ${packSize} with ${pack.blobs} blobs`);
            }
          },
        ),
        { numRuns: 100 },
      );
    });

    test('19 blobs that fill the pack to within the trailer estimate', async () => {
      // 19 incompressible blobs of 100 bytes: sealed 104 + 16 = 120 bytes each. The pack holding all 19 is
      // 38 + 19 * 120 + (PADME(4 + 4 + 19 * 54) + 16) + 4 = 38 + 2280 + 1104 + 4 = 3426 bytes.
      // With packSize 3406 they must not all share one pack.
      const plaintexts = Array.from({ length: 19 }, (_, i) => streamBytes(1000 + i, 100));
      const packs = await writePacks(3406, plaintexts);
      for (const pack of packs) {
        assert.ok(pack.length <= 3406 || pack.blobs === 1, `pack of ${pack.length} bytes > packSize 3406 with ${pack.blobs} blobs`);
      }
    });
  });

  test('blobs are written in random order, not input order', () => {
    // With 20 distinct blobs the input order comes out with probability 1/20! (about 4e-19) per pack.
    const plaintexts = Array.from({ length: 20 }, (_, i) => Buffer.from(`blob number ${i}`));
    const blobs = plaintexts.map((p) => packableBlob(codec, idKey, BlobType.data, p));
    const inputOrder = blobs.map((b) => b.id.toString('hex'));
    const orders = new Set<string>();
    for (let run = 0; run < 3; run++) {
      const built = buildPack('data', blobs, keyring.readPublicKey);
      const opened = OpenedPack.open(built.id, 'data', built.bytes, readKeys);
      const byPosition = [...opened.entries].sort((a, b) => a.offset - b.offset);
      assert.deepEqual(byPosition.map((e) => e.counter), [...Array(20).keys()], 'counter j is the position in the pack');
      const written = byPosition.map((e) => e.id);
      assert.notDeepEqual(written, inputOrder, 'sealed blobs in input order');
      assert.notDeepEqual(opened.entries.map((e) => e.id), inputOrder, 'trailer entries in input order');
      orders.add(written.join());
    }
    assert.equal(orders.size, 3, 'each pack gets its own order');
  });
});
