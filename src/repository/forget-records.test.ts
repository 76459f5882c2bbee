// Forget records (docs/format.md "Forget records"): saved by the owner,
// loaded back only when they verify with the owner key; anything else is an
// issue that excuses no deleted snapshot.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generateRawKeyPair } from '../crypto/index.js';
import { decodeForgetRecordJson, encodeForgetRecordJson, type RepositoryId, type SnapshotId } from '../format/index.js';
import { loadForgottenSnapshots, saveForgetRecord } from './forget-records.js';
import { writeOnlyKeyring } from './signers.js';
import { forgottenName } from './layout.js';
import { Repository } from './repository.js';
import { openDocument, sealDocument } from './sealed-document.js';
import { flipBit, nameOf, rejectsWith, TEST_NOW, testRepository } from './testing.js';

const id = (c: string) => c.repeat(64) as SnapshotId;

describe('forget records', () => {
  test('saved by the owner, sealed and signed; loaded back in full', async () => {
    const { repository, backend } = await testRepository();
    const signer = repository.keyring.signer.publicKey;
    const listed = [{ id: id('a'), signer, sequence: 1 }, { id: id('b'), signer, sequence: 3 }];
    const saved = await saveForgetRecord(repository, listed, TEST_NOW, 'forget');
    const bytes = await backend.load(forgottenName(saved));
    assert.equal(bytes.subarray(0, 6).toString('hex'), '636f6672010a', 'header: magic, version 1, type 0x0a');
    const doc = openDocument('forgotten', saved, bytes, repository.keyring.readPrivateKey!, repository.keyring.readPublicKey);
    assert.ok(doc.signatureValid && doc.signerPublicKey.equals(repository.keyring.ownerPublicKey));
    assert.equal(decodeForgetRecordJson(doc.json).repository, repository.repositoryId);
    const loaded = await loadForgottenSnapshots(repository);
    assert.deepEqual(loaded.issues, []);
    assert.deepEqual(loaded.snapshots, listed);
  });

  test('a record signed by any key but the owner key, damaged, or of another repository excuses nothing and is reported', async () => {
    const { repository, backend } = await testRepository();
    const { keyring } = repository;
    const record = (repo = repository.repositoryId) => encodeForgetRecordJson({
      format: 1, repository: repo as RepositoryId, time: TEST_NOW, snapshots: [{ id: id('c'), signer: keyring.signer.publicKey, sequence: 2 }],
    });
    const plant = async (bytes: Buffer) => backend.save(forgottenName(nameOf(bytes)), bytes);
    // The repository's own authorized signer is not the owner; nor is a stranger.
    await plant(sealDocument('forgotten', record(), keyring.signer, keyring.readPublicKey).bytes);
    await plant(sealDocument('forgotten', record(), generateRawKeyPair('ed25519'), keyring.readPublicKey).bytes);
    const owner = { publicKey: keyring.ownerPublicKey, privateKey: keyring.ownerPrivateKey! };
    await plant(sealDocument('forgotten', record('f'.repeat(64)), owner, keyring.readPublicKey).bytes);
    await plant(flipBit(sealDocument('forgotten', record(), owner, keyring.readPublicKey).bytes, 8 * 60));
    // A snapshot is not a forget record, even under the forgotten/ prefix.
    const snapshotLike = sealDocument('snapshot', record(), keyring.signer, keyring.readPublicKey);
    await plant(snapshotLike.bytes);

    const loaded = await loadForgottenSnapshots(repository);
    assert.deepEqual(loaded.snapshots, []);
    const messages = loaded.issues.map((i) => i.message).sort();
    assert.equal(messages.length, 5, messages.join('\n'));
    assert.equal(messages.filter((m) => /not signed by the owner key/.test(m)).length, 2, messages.join('\n'));
    assert.ok(messages.some((m) => /belongs to another repository/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /authentication failed/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /expected forget record object, found snapshot/.test(m)), messages.join('\n'));
    assert.ok(messages.every((m) => /^forget record [0-9a-f]{8}: .*excuses no deleted snapshot$/.test(m)), messages.join('\n'));
  });

  test('a write-only key cannot save one', async () => {
    const { repository, backend } = await testRepository();
    const host = new Repository(backend, repository.config, writeOnlyKeyring(repository.keyring, 'web1'));
    const listed = [{ id: id('d'), signer: host.keyring.signer.publicKey, sequence: 1 }];
    await rejectsWith(() => saveForgetRecord(host, listed, TEST_NOW, 'forget'), 'PERMISSION', "forget: this needs the repository's full key");
    for await (const object of backend.list('forgotten/')) assert.fail(`${object.name} was saved`);
  });
});
