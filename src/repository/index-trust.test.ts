// Index trust (docs/format.md "Index objects"): entries are ranked by their
// signer; backups deduplicate only against the owner's and their own; a
// reader falls back to another location when the one it kept is a lie.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CompressPool, ZstdCodec } from '../codec/index.js';
import { blobIdOf } from '../crypto/index.js';
import { BlobType, type BlobId, type IndexPack } from '../format/index.js';
import { BlobIndex, Trust, type BlobLocation } from './blob-index.js';
import { BlobWriter } from './blob-writer.js';
import { sealIndex } from './index-object.js';
import { generateKeyring, type Keyring, type Signer } from './keyring.js';
import { indexName, packName } from './layout.js';
import { buildPack } from './pack-builder.js';
import { Repository } from './repository.js';
import { authorizeSigner, revokeSigner, writeOnlyKeyring } from './signers.js';
import { packableBlob, rejectsWith, testRepository, TEST_NOW } from './testing.js';

const at = (packId: string): BlobLocation => ({
  packId, type: 0, compression: 0, offset: 38, sealedLength: 20, storedLength: 4, rawLength: 4, counter: 0,
});

describe('BlobIndex trust', () => {
  test('a better-trusted entry replaces a worse one, never the reverse; has() can ask for a trust level', () => {
    const index = new BlobIndex();
    const id = Buffer.alloc(32, 7);
    index.add(id, at('signer-pack'), Trust.signer);
    assert.equal(index.has(id), true);
    assert.equal(index.has(id, Trust.own), false, 'another signer\'s entry is not good enough to deduplicate against');
    index.add(id, at('own-pack'), Trust.own);
    assert.equal(index.lookup(id)?.packId, 'own-pack');
    index.add(id, at('revoked-pack'), Trust.revoked);
    assert.equal(index.lookup(id)?.packId, 'own-pack');
    assert.equal(index.trustOf(id), Trust.own);
    index.add(id, at('owner-pack'), Trust.owner);
    assert.equal(index.lookup(id)?.packId, 'owner-pack');
    assert.equal(index.has(id, Trust.owner), true);
    assert.equal(index.size, 1);
  });
});

/** A repository with two authorized write-only signers, one later revoked, and one stranger. */
async function repositoryWithSigners() {
  const fixture = await testRepository();
  const { repository } = fixture;
  const hostA = writeOnlyKeyring(repository.keyring, 'host-a');
  const hostB = writeOnlyKeyring(repository.keyring, 'host-b');
  await authorizeSigner(repository, { name: 'host-a', publicKey: hostA.signer.publicKey, role: 'write-only' }, TEST_NOW);
  await authorizeSigner(repository, { name: 'host-b', publicKey: hostB.signer.publicKey, role: 'write-only' }, TEST_NOW);
  await revokeSigner(repository, 'host-b', TEST_NOW + 1n);
  return { ...fixture, hostA, hostB, stranger: generateKeyring('stranger') };
}

/** Saves an index object listing one entry for `blob` in pack `packId`, signed by `signer`. */
async function claim(repository: Repository, signer: Signer, blob: BlobId, packId: string): Promise<string> {
  const packs: IndexPack[] = [{ id: packId as IndexPack['id'], type: 'data', entries: [{ ...at(packId), id: blob, type: 0, compression: 0 }] }];
  const sealed = sealIndex({ superseded: [], packs }, repository.keyring.domains[0]!, signer);
  await repository.backend.save(indexName(sealed.id), sealed.bytes);
  return sealed.id;
}

const blob = (n: number) => n.toString(16).padStart(2, '0').repeat(32) as BlobId;
const pack = (n: number) => (n + 100).toString(16).padStart(2, '0').repeat(32);
const owner = (keyring: Keyring): Signer => ({ name: 'owner', publicKey: keyring.ownerPublicKey, privateKey: keyring.ownerPrivateKey! });

describe('Repository.loadIndex ranks entries by signer', () => {
  test('full key: owner, own, authorized and revoked signers are ranked; unknown signers are ignored and reported', async () => {
    const { repository, hostA, hostB, stranger } = await repositoryWithSigners();
    await claim(repository, owner(repository.keyring), blob(1), pack(1));
    await claim(repository, repository.keyring.signer, blob(2), pack(2));
    await claim(repository, hostA.signer, blob(3), pack(3));
    await claim(repository, hostB.signer, blob(4), pack(4));
    const strangers = await claim(repository, stranger.signer, blob(5), pack(5));
    const fresh = new Repository(repository.backend, repository.config, repository.keyring);
    const issues = await fresh.loadIndex();
    assert.deepEqual(issues.map((i) => i.object), [indexName(strangers)]);
    const trust = (n: number) => fresh.index.trustOf(Buffer.from(blob(n), 'hex'));
    assert.deepEqual([1, 2, 3, 4, 5].map(trust), [Trust.owner, Trust.own, Trust.signer, Trust.revoked, undefined]);
    assert.deepEqual([...fresh.endorsedPacks], [pack(1)]);
  });

  test('write-only key: only the owner\'s entries and its own are loaded, and it reads no signer set', async () => {
    const { repository, hostA } = await repositoryWithSigners();
    await claim(repository, owner(repository.keyring), blob(1), pack(1));
    await claim(repository, repository.keyring.signer, blob(2), pack(2));
    await claim(repository, hostA.signer, blob(3), pack(3));
    const writer = new Repository(repository.backend, repository.config, hostA);
    assert.deepEqual(await writer.loadIndex(), []);
    assert.deepEqual([1, 2, 3].map((n) => writer.index.trustOf(Buffer.from(blob(n), 'hex'))), [Trust.owner, undefined, Trust.own]);
    await rejectsWith(() => writer.loadSignerSet(), 'PERMISSION', 'can only write backups');
  });
});

test('a reader falls back to another location when the kept entry is a lie', async () => {
  const { repository, hostA } = await repositoryWithSigners();
  const codec = new ZstdCodec();
  const idKey = repository.keyring.domains[0]!.keys.idKey;
  const content = Buffer.from('the genuine content '.repeat(50));
  const genuine = buildPack('data', [packableBlob(codec, idKey, BlobType.data, content)], repository.keyring.readPublicKey);
  const decoy = buildPack('data', [packableBlob(codec, idKey, BlobType.data, Buffer.from('other'))], repository.keyring.readPublicKey);
  await repository.backend.save(packName('data', genuine.id), genuine.bytes);
  await repository.backend.save(packName('data', decoy.id), decoy.bytes);
  const id = genuine.entries[0]!.id;
  // host-a's lie is listed first, so among equally trusted entries it is the one kept.
  await claim(repository, hostA.signer, id, decoy.id);
  const honest = writeOnlyKeyring(repository.keyring, 'honest');
  await authorizeSigner(repository, { name: 'honest', publicKey: honest.signer.publicKey, role: 'write-only' }, TEST_NOW);
  const sealed = sealIndex({ superseded: [], packs: [{ id: genuine.id, type: 'data', entries: genuine.entries }] }, honest.domains[0]!, honest.signer);
  await repository.backend.save(indexName(sealed.id), sealed.bytes);

  const reader = new Repository(repository.backend, repository.config, repository.keyring);
  await reader.loadIndex();
  assert.equal(reader.index.lookup(Buffer.from(id, 'hex'))?.packId, decoy.id, 'the lie is the location kept');
  assert.deepEqual(await reader.loadDataBlob(id), content);
});

test('a backup stores again a blob that only another signer indexed, and then owns the entry', async () => {
  const { repository } = await testRepository();
  const data = Buffer.from('shared content '.repeat(100));
  const id = blobIdOf(repository.keyring.domains[0]!.keys.idKey, BlobType.data, data);
  repository.index.add(id, at(pack(9)), Trust.signer);
  const pool = new CompressPool({ threads: 1 });
  try {
    const writer = new BlobWriter({
      backend: repository.backend, keyring: repository.keyring, index: repository.index, pool, packSize: repository.config.packSize,
    });
    assert.equal(writer.knows(id), false);
    assert.equal(await writer.add(BlobType.data, id, data), true);
    const stats = await writer.finish();
    assert.equal(stats.blobsAdded, 1);
    assert.equal(repository.index.trustOf(id), Trust.own);
    assert.notEqual(repository.index.lookup(id)?.packId, pack(9));
    assert.deepEqual(await repository.loadDataBlob(id.toString('hex') as BlobId), data);
  } finally {
    await pool.close();
  }
});
