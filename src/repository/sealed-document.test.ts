// Snapshots and signer sets (docs/format.md "Snapshots and signer sets"):
// sealed to the read key with a signature inside. openDocument reports
// whether the signature verifies with the embedded key; whether that key is
// trusted is Repository.loadSnapshot's decision, tested here too.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { counterNonce, LABELS, seal, sealingKeys, sha256, signBody } from '../crypto/index.js';
import { CofferError } from '../errors.js';
import {
  encodePadded, encodeSealedObject, encodeSigned, encodeSignerSetJson, encodeSnapshotJson, ObjectType, SignatureLabel,
  type RepositoryId, type Snapshot,
} from '../format/index.js';
import { snapshot as snapshotArb } from '../format/testing.js';
import { generateKeyring } from './keyring.js';
import { snapshotName } from './layout.js';
import { Repository } from './repository.js';
import { openDocument, sealDocument } from './sealed-document.js';
import { errorWith, flipBit, nameOf, TEST_NOW, testRepository } from './testing.js';

const keyring = generateKeyring('test');
const readPrivate = keyring.readPrivateKey!;
const stranger = generateKeyring('stranger');

function snapshotOf(signer: Buffer, overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    format: 1, time: TEST_NOW, tree: 'ab'.repeat(32) as Snapshot['tree'], paths: ['/home/ann'], hostname: 'laptop',
    username: 'ann', tags: [], domain: 'default', signer, sequence: 1, previous: null, incomplete: false,
    program: 'coffer test', summary: {
      filesNew: 0, filesChanged: 0, filesUnchanged: 0, dirs: 0, bytesRead: 0, bytesAdded: 0, packsAdded: 0, warnings: 0, durationMs: 0,
    },
    ...overrides,
  };
}

/** sealDocument, but with a signature over other bytes (docs/format.md layout, built by hand). */
function sealWithBadSignature(json: Buffer, signer: { publicKey: Buffer; privateKey: Buffer }): { id: string; bytes: Buffer } {
  const signature = signBody(signer.privateKey, SignatureLabel.snapshot, Buffer.concat([json, Buffer.from(' ')]));
  const { ephemeralPublic, keys } = sealingKeys(keyring.readPublicKey, [LABELS.snapshot]);
  const header = encodeSealedObject(ObjectType.snapshot, ephemeralPublic, Buffer.alloc(0));
  const sealed = seal(keys[0]!, counterNonce(0), header, encodePadded(encodeSigned(json, signer.publicKey, signature)));
  const bytes = Buffer.concat([header, sealed]);
  return { id: sha256(bytes).toString('hex'), bytes };
}

describe('sealed documents', () => {
  test('snapshot: open(seal(json)) = json, signed by its signer', () => {
    fc.assert(fc.property(snapshotArb, (snapshot) => {
      const json = encodeSnapshotJson(snapshot);
      const sealed = sealDocument('snapshot', json, keyring.signer, keyring.readPublicKey);
      assert.equal(nameOf(sealed.bytes), sealed.id);
      const opened = openDocument('snapshot', sealed.id, sealed.bytes, readPrivate, keyring.readPublicKey);
      assert.deepEqual(opened.json, json);
      assert.ok(opened.signerPublicKey.equals(keyring.signer.publicKey));
      assert.equal(opened.signatureValid, true);
    }), { numRuns: 50 });
  });

  test('signer set: round trip, signed by the owner key', () => {
    const json = encodeSignerSetJson({
      format: 1, repository: keyring.repositoryId.toString('hex') as RepositoryId, version: 3,
      signers: [{ name: 'a', publicKey: keyring.signer.publicKey, role: 'full', added: TEST_NOW, revoked: null, trustedSnapshots: [] }],
    });
    const owner = { publicKey: keyring.ownerPublicKey, privateKey: keyring.ownerPrivateKey! };
    const sealed = sealDocument('signers', json, owner, keyring.readPublicKey);
    const opened = openDocument('signers', sealed.id, sealed.bytes, readPrivate, keyring.readPublicKey);
    assert.deepEqual(opened.json, json);
    assert.ok(opened.signerPublicKey.equals(keyring.ownerPublicKey));
    assert.equal(opened.signatureValid, true);
  });

  test('a snapshot is not a signer set: the header type and key label differ', () => {
    const sealed = sealDocument('snapshot', encodeSnapshotJson(snapshotOf(keyring.signer.publicKey)), keyring.signer, keyring.readPublicKey);
    assert.throws(() => openDocument('signers', sealed.id, sealed.bytes, readPrivate, keyring.readPublicKey),
      errorWith('FORMAT', 'expected signer set object, found snapshot'));
    // With the type byte changed to match, the header (associated data) and the key's info label still differ.
    const retyped = Buffer.from(sealed.bytes);
    retyped[5] = ObjectType.signers;
    assert.throws(() => openDocument('signers', nameOf(retyped), retyped, readPrivate, keyring.readPublicKey),
      errorWith('INTEGRITY', 'authentication failed'));
  });

  test('another read key does not open it', () => {
    const sealed = sealDocument('snapshot', encodeSnapshotJson(snapshotOf(keyring.signer.publicKey)), keyring.signer, keyring.readPublicKey);
    assert.throws(() => openDocument('snapshot', sealed.id, sealed.bytes, stranger.readPrivateKey!, stranger.readPublicKey),
      errorWith('INTEGRITY', 'authentication failed'));
    // The right private key with a wrong public key: the key derivation binds the read public key.
    assert.throws(() => openDocument('snapshot', sealed.id, sealed.bytes, readPrivate, stranger.readPublicKey),
      errorWith('INTEGRITY', 'authentication failed'));
  });

  test('any single bit flip is refused, under its old name and under its new one', () => {
    const sealed = sealDocument('snapshot', encodeSnapshotJson(snapshotOf(keyring.signer.publicKey)), keyring.signer, keyring.readPublicKey);
    const bits = sealed.bytes.length * 8;
    // Every bit of header and ephemeral key and of the tag; a sample of the ciphertext between them.
    const sample = fc.sample(fc.integer({ min: 38 * 8, max: bits - 128 - 1 }), 300);
    const positions = [...Array(38 * 8).keys(), ...sample, ...Array.from({ length: 128 }, (_, i) => bits - 128 + i)];
    for (const bit of positions) {
      const flipped = flipBit(sealed.bytes, bit);
      assert.throws(() => openDocument('snapshot', sealed.id, flipped, readPrivate, keyring.readPublicKey),
        errorWith('INTEGRITY', 'does not match its name'));
      assert.throws(() => openDocument('snapshot', nameOf(flipped), flipped, readPrivate, keyring.readPublicKey), (error: unknown) => {
        assert.ok(error instanceof CofferError && (error.code === 'INTEGRITY' || error.code === 'FORMAT'), `bit ${bit}: ${String(error)}`);
        return true;
      });
    }
  });

  test('truncated: refused', () => {
    const sealed = sealDocument('snapshot', encodeSnapshotJson(snapshotOf(keyring.signer.publicKey)), keyring.signer, keyring.readPublicKey);
    for (const length of [0, 5, 6, 38, 53]) {
      const cut = sealed.bytes.subarray(0, length);
      assert.throws(() => openDocument('snapshot', nameOf(cut), cut, readPrivate, keyring.readPublicKey), errorWith('FORMAT'));
    }
    const cut = sealed.bytes.subarray(0, sealed.bytes.length - 1);
    assert.throws(() => openDocument('snapshot', nameOf(cut), cut, readPrivate, keyring.readPublicKey), errorWith('INTEGRITY'));
  });

  test('signed by another key: the signature is valid, and the signer is that key', () => {
    const json = encodeSnapshotJson(snapshotOf(stranger.signer.publicKey));
    const sealed = sealDocument('snapshot', json, stranger.signer, keyring.readPublicKey);
    const opened = openDocument('snapshot', sealed.id, sealed.bytes, readPrivate, keyring.readPublicKey);
    assert.equal(opened.signatureValid, true);
    assert.ok(opened.signerPublicKey.equals(stranger.signer.publicKey));
    assert.ok(!opened.signerPublicKey.equals(keyring.signer.publicKey));
    // A signer set signed by a key other than the owner's opens the same way; trust is the caller's.
    const set = sealDocument('signers', encodeSignerSetJson({
      format: 1, repository: keyring.repositoryId.toString('hex') as RepositoryId, version: 9, signers: [],
    }), stranger.signer, keyring.readPublicKey);
    const openedSet = openDocument('signers', set.id, set.bytes, readPrivate, keyring.readPublicKey);
    assert.equal(openedSet.signatureValid, true);
    assert.ok(!openedSet.signerPublicKey.equals(keyring.ownerPublicKey));
  });

  test('a signature over other bytes: signatureValid is false', () => {
    const json = encodeSnapshotJson(snapshotOf(keyring.signer.publicKey));
    const sealed = sealWithBadSignature(json, keyring.signer);
    const opened = openDocument('snapshot', sealed.id, sealed.bytes, readPrivate, keyring.readPublicKey);
    assert.deepEqual(opened.json, json);
    assert.equal(opened.signatureValid, false);
  });
});

describe('Repository.loadSnapshot judges the signer', () => {
  /** Saves a sealed snapshot into the repository's storage and loads it back. */
  async function load(repository: Repository, sealed: { id: string; bytes: Buffer }) {
    await repository.backend.save(snapshotName(sealed.id), sealed.bytes);
    return repository.loadSnapshot(sealed.id);
  }

  test('the repository signer: verified', async () => {
    const { repository } = await testRepository();
    const id = await repository.saveSnapshot(snapshotOf(repository.keyring.signer.publicKey));
    const record = await repository.loadSnapshot(id);
    assert.equal(record.verified, true);
    assert.equal(record.signerName, 'test');
  });

  test('a signer outside the signer set: not verified, though its signature is valid', async () => {
    const { repository } = await testRepository();
    const sealed = sealDocument('snapshot', encodeSnapshotJson(snapshotOf(stranger.signer.publicKey)), stranger.signer,
      repository.keyring.readPublicKey);
    const record = await load(repository, sealed);
    assert.equal(record.verified, false);
    assert.equal(record.signerName, undefined);
    const { snapshots } = await repository.listSnapshots();
    assert.deepEqual(snapshots.map((s) => [s.id, s.verified]), [[sealed.id, false]]);
  });

  test('a snapshot naming the trusted signer but signed by another key: not verified', async () => {
    const { repository } = await testRepository();
    const sealed = sealDocument('snapshot', encodeSnapshotJson(snapshotOf(repository.keyring.signer.publicKey)), stranger.signer,
      repository.keyring.readPublicKey);
    assert.equal((await load(repository, sealed)).verified, false);
  });

  test('a trusted signer whose signature does not verify: not verified', async () => {
    const { repository } = await testRepository();
    const json = encodeSnapshotJson(snapshotOf(repository.keyring.signer.publicKey));
    const signature = signBody(repository.keyring.signer.privateKey, SignatureLabel.snapshot, Buffer.from('{}'));
    const { ephemeralPublic, keys } = sealingKeys(repository.keyring.readPublicKey, [LABELS.snapshot]);
    const header = encodeSealedObject(ObjectType.snapshot, ephemeralPublic, Buffer.alloc(0));
    const bytes = Buffer.concat([header, seal(keys[0]!, counterNonce(0), header,
      encodePadded(encodeSigned(json, repository.keyring.signer.publicKey, signature)))]);
    const record = await load(repository, { id: nameOf(bytes), bytes });
    assert.equal(record.verified, false);
  });

  test('a revoked signer: not verified', async () => {
    const { repository } = await testRepository();
    const id = await repository.saveSnapshot(snapshotOf(repository.keyring.signer.publicKey));
    const set = await repository.loadSignerSet();
    await repository.saveSignerSet({
      ...set, version: set.version + 1, signers: set.signers.map((s) => ({ ...s, revoked: TEST_NOW + 1n })),
    }, repository.keyring.ownerPrivateKey!);
    const fresh = new Repository(repository.backend, repository.config, repository.keyring);
    assert.equal((await fresh.loadSnapshot(id)).verified, false);
  });
});
