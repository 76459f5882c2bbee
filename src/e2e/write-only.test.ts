// Write-only keys, in process (the CLI side is in write-only-cli.test.ts):
// such a key opens no object of the repository except its domain's index
// objects, and backs up, incrementally, through storage that refuses to
// remove or overwrite anything.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { AppendOnlyBackend } from '../backend/append-only.js';
import { MemoryBackend } from '../backend/memory.js';
import type { Backend } from '../backend/backend.js';
import { backup, type BackupResult } from '../archiver/backup.js';
import { check } from '../checker/checker.js';
import { open as aeadOpen } from '../crypto/index.js';
import { CofferError } from '../errors.js';
import { decodeKeyFile } from '../format/index.js';
import {
  authorizeSigner, CONFIG_NAME, decodeConfigObject, idOfName, openDocument, OpenedPack, openIndex, openKeyFile,
  openRepositoryWithKeyFile, Repository, revokeSigner, sealKeyFile, writeOnlyKeyring, type Keyring,
} from '../repository/index.js';
import { CHEAP_KDF, rejectsWith, testRepository, TEST_NOW } from '../repository/testing.js';
import { Excluder } from '../source/index.js';
import { makeTree, withTempDir } from '../source/testing.js';
import { pseudoRandomBytes } from './testing.js';

const WRITER_PASSPHRASE = 'the writer passphrase';

function runBackup(repository: Repository, paths: string[], cacheDir: string | null): Promise<BackupResult> {
  return backup(repository, {
    paths, excluder: new Excluder([]), now: BigInt(Date.now()) * 1_000_000n, clock: () => performance.now(),
    cacheDir, program: 'coffer test',
  });
}

/** The key file of a new write-only key for `name`, authorized in `owner`'s repository (what `key add --write-only` writes). */
async function writeOnlyKeyFile(owner: Repository, name: string): Promise<Buffer> {
  const keyring = writeOnlyKeyring(owner.keyring, name);
  await authorizeSigner(owner, { name, publicKey: keyring.signer.publicKey, role: 'write-only' }, TEST_NOW);
  return (await sealKeyFile(keyring, WRITER_PASSPHRASE, { name, now: TEST_NOW, kdf: CHEAP_KDF })).bytes;
}

/** The repository as a host opens it with its key file (one process), index loaded. */
async function openWriter(keyFile: Buffer, backend: Backend): Promise<Repository> {
  const { repository } = await openRepositoryWithKeyFile(backend, { bytes: keyFile, what: 'key file' }, WRITER_PASSPHRASE);
  await repository.loadIndex();
  return repository;
}

/** Every 32-byte secret and public value a write-only keyring holds: what a thief of it could try as a key. */
function everyValueOf(keyring: Keyring): Buffer[] {
  const [domain] = keyring.domains;
  assert.ok(domain);
  return [
    domain.writerRoot, domain.keys.idKey, domain.keys.chunkerSeed, domain.keys.indexKey,
    keyring.signer.privateKey, keyring.signer.publicKey, keyring.readPublicKey, keyring.ownerPublicKey, keyring.repositoryId,
  ];
}

/** Tries to open a stored object with everything `keyring` holds; returns what opened it, or null. */
async function openWith(name: string, bytes: Buffer, keyring: Keyring): Promise<string | null> {
  const refused = (fn: () => unknown): boolean => {
    try {
      fn();
      return false;
    } catch (error) {
      assert.ok(error instanceof CofferError, `${name}: a typed error, not ${String(error)}`);
      return true;
    }
  };
  const id = name === CONFIG_NAME ? '' : idOfName(name);
  const values = everyValueOf(keyring);
  const limits = { readPublicKey: keyring.readPublicKey, idKeys: [keyring.domains[0]!.keys.idKey], maxBlobSize: 2 ** 31, packSize: 2 ** 30 };
  const folder = name.split('/')[0];
  switch (folder) {
    case 'config':
      return refused(() => decodeConfigObject(bytes, keyring)) ? null : 'the public configuration';
    case 'index':
      return refused(() => openIndex(id, bytes, keyring.domains)) ? null : 'the domain index key';
    case 'keys': {
      if (await openKeyFile(bytes, WRITER_PASSPHRASE, name)) return 'the writer passphrase';
      const file = decodeKeyFile(bytes);
      const opened = values.find((v) => !refused(() => aeadOpen(v, file.nonce, Buffer.from('coffer/v1/key'), file.ciphertext, name)));
      return opened ? 'a writer value as wrapping key' : null;
    }
    case 'data':
    case 'tree': {
      const opened = values.find((v) => !refused(() => OpenedPack.open(id, folder, bytes, { ...limits, readPrivateKey: v })));
      return opened ? 'a writer value as read key' : null;
    }
    case 'snapshots':
    case 'signers': {
      const kind = folder === 'snapshots' ? 'snapshot' : 'signers';
      const opened = values.find((v) => !refused(() => openDocument(kind, id, bytes, v, keyring.readPublicKey)));
      return opened ? 'a writer value as read key' : null;
    }
    default:
      return `an unexpected object ${name}`;
  }
}

test('a write-only key opens no object of the repository except its domain\'s index objects', { timeout: 120_000 }, async () => {
  await withTempDir(async (dir) => {
    await makeTree(join(dir, 'src'), { 'a.bin': pseudoRandomBytes('a', 40_000), 'b.txt': 'hello '.repeat(3000), sub: { 'c.txt': 'c' } });
    const { repository: owner, backend } = await testRepository();
    await runBackup(owner, [join(dir, 'src')], null);
    const writer = await openWriter(await writeOnlyKeyFile(owner, 'host-a'), backend);
    await runBackup(writer, [join(dir, 'src')], join(dir, 'cache-a'));
    // Every kind of object: an endorsed (owner-signed) index and a second signer set (a revocation) too.
    const endorsing = await check(owner, { readData: true, endorse: true });
    assert.ok(endorsing.endorsedIndexes.length > 0);
    const other = writeOnlyKeyring(owner.keyring, 'host-b');
    await authorizeSigner(owner, { name: 'host-b', publicKey: other.signer.publicKey, role: 'write-only' }, TEST_NOW);
    await revokeSigner(owner, 'host-b', TEST_NOW + 1n);

    const opened = new Map<string, string>();
    const folders = new Map<string, number>();
    for await (const object of backend.list('')) {
      const folder = object.name.split('/')[0]!;
      folders.set(folder, (folders.get(folder) ?? 0) + 1);
      const how = await openWith(object.name, await backend.load(object.name), writer.keyring);
      if (how) opened.set(object.name, how);
    }
    assert.deepEqual([...folders.keys()].sort(), ['config', 'data', 'index', 'keys', 'signers', 'snapshots', 'tree']);
    assert.ok((folders.get('signers') ?? 0) >= 3 && (folders.get('snapshots') ?? 0) === 2 && (folders.get('index') ?? 0) >= 3, JSON.stringify([...folders]));
    for (const [name, how] of opened) {
      assert.ok(name === CONFIG_NAME || name.startsWith('index/'), `${name} opened with ${how}`);
    }
    assert.equal([...opened.keys()].filter((n) => n.startsWith('index/')).length, folders.get('index'), 'every index object of its domain opens');
    // Control: the same attempts do open a snapshot and a pack once the read private key is among the values tried.
    const leaky = { ...writer.keyring, signer: { ...writer.keyring.signer, privateKey: owner.keyring.readPrivateKey! } };
    for (const folder of ['snapshots/', 'data/']) {
      const [first] = await firstObject(backend, folder);
      assert.ok(first && await openWith(first, await backend.load(first), leaky), `control: ${folder} opens with the read key`);
    }
    // Through the repository, reading fails at once with a PermissionError.
    await rejectsWith(() => writer.listSnapshots(), 'PERMISSION', 'can only write backups');
    await rejectsWith(() => writer.loadSignerSet(), 'PERMISSION');
    await rejectsWith(() => writer.loadPack(writer.index.packs[0]!, 'data'), 'PERMISSION');
  });
});

test('a write-only backup succeeds on storage that refuses remove and overwrite, incrementally, with a right chain', { timeout: 120_000 }, async () => {
  await withTempDir(async (dir) => {
    const src = join(dir, 'src');
    await makeTree(src, { 'big.bin': pseudoRandomBytes('big', 200_000), 'small.txt': 'small' });
    const memory = new MemoryBackend();
    const { repository: owner } = await testRepository({ backend: memory });
    const appendOnly = new AppendOnlyBackend(memory);
    const keyFile = await writeOnlyKeyFile(owner, 'host-a');
    const cache = join(dir, 'cache');

    const first = await runBackup(await openWriter(keyFile, appendOnly), [src], cache);
    assert.equal(first.snapshot.sequence, 1);
    assert.equal(first.summary.filesNew, 2);
    await makeTree(src, { 'new.txt': 'a new file' });
    // A fresh process: only the local cache remembers the files and the last snapshot.
    const second = await runBackup(await openWriter(keyFile, appendOnly), [src], cache);
    assert.equal(second.snapshot.sequence, 2);
    assert.equal(second.snapshot.previous, first.snapshotId);
    assert.equal(second.summary.filesUnchanged, 2, 'unchanged files come from the files cache, not from its snapshot');
    assert.equal(second.summary.filesNew, 1);
    assert.ok(second.writer.rawBytesAdded < 20_000, `only the new file and trees are added, not ${second.writer.rawBytesAdded} bytes`);
    assert.deepEqual(appendOnly.refused, [], 'no remove or overwrite was even tried');

    // The owner sees both snapshots, verified, signed by host-a, and nothing is missing.
    const fresh = new Repository(owner.backend, owner.config, owner.keyring);
    const { snapshots } = await fresh.listSnapshots();
    assert.deepEqual(snapshots.map((s) => [s.signerName, s.status, s.snapshot.sequence]), [['host-a', 'verified', 1], ['host-a', 'verified', 2]]);
    const result = await check(fresh, { readData: true });
    assert.deepEqual(result.problems, []);
  });
});


async function firstObject(backend: Backend, prefix: string): Promise<string[]> {
  for await (const object of backend.list(prefix)) return [object.name];
  return [];
}
