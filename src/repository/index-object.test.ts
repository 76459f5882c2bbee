// Index objects (docs/format.md "Index objects"): the recorded vectors in
// testdata/index-vectors.json must always open to their payloads (the salt is
// random per object, so the bytes are recorded once), their negative cases
// fail with the recorded error kind; freshly sealed ones round-trip, are
// refused under another domain's key or after any bit flip, and an index
// signed by a key outside the signer set opens but is ignored by the repository.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { deriveDomainKeys } from '../crypto/index.js';
import { CofferError } from '../errors.js';
import { ObjectType, splitSealedObject, type BlobId, type IndexPayload, type PackId } from '../format/index.js';
import { indexPayload } from '../format/testing.js';
import { openIndex, sealIndex } from './index-object.js';
import { generateKeyring, makeDomain } from './keyring.js';
import { indexName } from './layout.js';
import { Repository } from './repository.js';
import { errorWith, flipBit, nameOf, randomDomain, testRepository } from './testing.js';

interface IndexVectors {
  readonly keys: {
    repositoryId: string; writerRoot: string; indexKey: string;
    signerPublicKey: string; signerPrivateKey: string; otherSignerPublicKey: string; otherSignerPrivateKey: string;
  };
  readonly objects: { name: string; id: string; hex: string; signerPublicKey: string; payload: IndexPayload }[];
  readonly negative: { name: string; hex: string; code: string; message: string }[];
}

const vectors = JSON.parse(readFileSync(new URL('../../testdata/index-vectors.json', import.meta.url), 'utf8')) as IndexVectors;
const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const domain = makeDomain('default', hex(vectors.keys.writerRoot), hex(vectors.keys.repositoryId));

/** A payload as JSON would hold it (plain objects), for deepEqual against decoded ones. */
const plain = (payload: IndexPayload): unknown => JSON.parse(JSON.stringify(payload));

describe('index vectors', () => {
  test('the recorded index key derives from the writer root and repository id', () => {
    const keys = deriveDomainKeys(hex(vectors.keys.writerRoot), hex(vectors.keys.repositoryId));
    assert.equal(keys.indexKey.toString('hex'), vectors.keys.indexKey);
  });

  for (const object of vectors.objects) {
    test(`${object.name}: opens to its recorded payload and signer`, () => {
      const bytes = hex(object.hex);
      assert.equal(nameOf(bytes), object.id);
      const opened = openIndex(object.id, bytes, [randomDomain('other'), domain]);
      assert.deepEqual(plain(opened.payload), object.payload);
      assert.equal(opened.signerPublicKey.toString('hex'), object.signerPublicKey);
      assert.equal(opened.domain.id, 'default');
    });
  }

  test('a recorded index under another domain key fails', () => {
    const [object] = vectors.objects;
    assert.ok(object);
    assert.throws(() => openIndex(object.id, hex(object.hex), [randomDomain()]), errorWith('INTEGRITY', 'authentication failed'));
    assert.throws(() => openIndex(object.id, hex(object.hex), []), errorWith('INTEGRITY', 'no key opens it'));
  });

  test('unknown format version: refused by name, by the index reader and by the header decoder', () => {
    const version2 = vectors.negative.find((c) => c.name === 'header: unknown format version 2');
    assert.ok(version2);
    const bytes = hex(version2.hex);
    assert.throws(() => openIndex(vectors.objects[0]!.id, bytes, [domain]), errorWith('INTEGRITY', 'does not match its name'));
    assert.throws(() => openIndex(nameOf(bytes), bytes, [domain]), errorWith('FORMAT', 'unknown format version 2'));
    assert.throws(() => splitSealedObject(bytes, ObjectType.index), errorWith('FORMAT', 'unknown format version 2'));
  });

  describe('negative cases', () => {
    for (const c of vectors.negative) {
      test(c.name, () => {
        const bytes = hex(c.hex);
        assert.throws(() => openIndex(vectors.objects[0]!.id, bytes, [domain]), errorWith('INTEGRITY', 'does not match its name'));
        assert.throws(() => openIndex(nameOf(bytes), bytes, [domain]), errorWith(c.code, c.message));
      });
    }
  });
});

describe('index objects', () => {
  const keyring = generateKeyring('test');
  const [writer] = keyring.domains;
  assert.ok(writer);

  test('decode(seal(payload)) = payload, with the signer and domain that sealed it', () => {
    fc.assert(fc.property(indexPayload, (payload) => {
      const sealed = sealIndex(payload, writer, keyring.signer);
      assert.equal(nameOf(sealed.bytes), sealed.id);
      const opened = openIndex(sealed.id, sealed.bytes, [randomDomain('a'), writer]);
      assert.deepEqual(plain(opened.payload), plain(payload));
      assert.ok(opened.signerPublicKey.equals(keyring.signer.publicKey));
      assert.equal(opened.domain, writer);
    }), { numRuns: 50 });
  });

  test('the same payload sealed twice gives different objects (random salt)', () => {
    const payload: IndexPayload = { superseded: [], packs: [] };
    assert.notEqual(sealIndex(payload, writer, keyring.signer).id, sealIndex(payload, writer, keyring.signer).id);
  });

  test('another domain key does not open it', () => {
    const sealed = sealIndex({ superseded: [], packs: [] }, writer, keyring.signer);
    assert.throws(() => openIndex(sealed.id, sealed.bytes, [randomDomain()]), errorWith('INTEGRITY'));
  });

  test('any single bit flip is refused, under its old name and under its new one', () => {
    const sealed = sealIndex({ superseded: [], packs: [] }, writer, keyring.signer);
    const bits = sealed.bytes.length * 8;
    for (let bit = 0; bit < bits; bit++) {
      const flipped = flipBit(sealed.bytes, bit);
      assert.throws(() => openIndex(sealed.id, flipped, [writer]), errorWith('INTEGRITY', 'does not match its name'));
      assert.throws(() => openIndex(nameOf(flipped), flipped, [writer]), (error: unknown) => {
        assert.ok(error instanceof CofferError && (error.code === 'INTEGRITY' || error.code === 'FORMAT'), `bit ${bit}: ${String(error)}`);
        return true;
      });
    }
  });

  test('an index signed by another key opens with that signer; the repository ignores its entries', async () => {
    const { repository, backend } = await testRepository();
    const stranger = generateKeyring('stranger').signer;
    const blobId = 'cd'.repeat(32) as BlobId;
    const payload: IndexPayload = {
      superseded: [],
      packs: [{ id: 'ef'.repeat(32) as PackId, type: 'data', entries: [{
        id: blobId, type: 0, compression: 0, offset: 38, sealedLength: 20, storedLength: 4, rawLength: 4, counter: 0,
      }] }],
    };
    const [domainOfRepository] = repository.keyring.domains;
    assert.ok(domainOfRepository);
    const sealed = sealIndex(payload, domainOfRepository, stranger);
    const opened = openIndex(sealed.id, sealed.bytes, repository.keyring.domains);
    assert.ok(opened.signerPublicKey.equals(stranger.publicKey));
    await backend.save(indexName(sealed.id), sealed.bytes);
    const issues = await repository.loadIndex();
    assert.deepEqual(issues.map((i) => i.object), [indexName(sealed.id)]);
    assert.match(issues[0]!.message, /signed by an unknown signer/);
    assert.equal(repository.index.has(hex(blobId)), false);

    // The same entries signed by the repository's own signer count.
    const trusted = sealIndex(payload, domainOfRepository, repository.keyring.signer);
    await backend.save(indexName(trusted.id), trusted.bytes);
    const fresh = new Repository(backend, repository.config, repository.keyring);
    assert.equal((await fresh.loadIndex()).length, 1);
    assert.equal(fresh.index.has(hex(blobId)), true);
  });
});
