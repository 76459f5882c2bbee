/**
 * Storage is untrusted: one flipped bit in any stored object is found by
 * `check --read-data`, which names the object; and a restore from a damaged
 * data pack names exactly the files that lost blobs, restores all others
 * byte for byte, and exits non-zero.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { access, cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LocalBackend } from '../backend/local.js';
import { generateRawKeyPair } from '../crypto/index.js';
import { encodeSnapshotJson } from '../format/index.js';
import { openRepository, snapshotName } from '../repository/index.js';
import { sealDocument } from '../repository/sealed-document.js';
import { makeTree, removeTree } from '../source/testing.js';
import {
  Coffer, dataPackNames, describeRun, flipBit, idOf, jsonLines, objectNames, packNames, packsOfFiles, pseudoRandomBytes,
  restoredPath, type RunResult,
} from './testing.js';

const KiB = 1024;

interface Fixture {
  readonly base: string;
  readonly coffer: Coffer;
  readonly source: string;
  /** Source file contents by the path the CLI shows (absolute). */
  readonly contents: Map<string, Buffer>;
}

let fixture: Fixture;

/** Six files of ~600 KiB of random data in their own directories, so packs of 1 MiB each hold parts of few files. */
before(async () => {
  const base = await mkdtemp(join(tmpdir(), 'coffer-e2e-tamper-'));
  const coffer = await Coffer.init(base, { smallChunks: true });
  const source = join(base, 'source');
  const contents = new Map<string, Buffer>();
  const spec: Record<string, Record<string, Buffer>> = {};
  for (let i = 0; i < 6; i++) {
    const data = pseudoRandomBytes(`tamper ${i}`, 600 * KiB + i * 11 * KiB);
    spec[`dir-${i}`] = { [`file-${i}.bin`]: data };
    contents.set(join(source, `dir-${i}`, `file-${i}.bin`), data);
  }
  await makeTree(source, { ...spec, 'small.txt': 'a small file\n' });
  contents.set(join(source, 'small.txt'), Buffer.from('a small file\n'));
  await coffer.backup([source]);
  // The undamaged repository verifies: whatever fails below is the flipped bit.
  await coffer.check(true);
  fixture = { base, coffer, source, contents };
});

after(async () => {
  if (fixture) await removeTree(fixture.base);
});

/** A copy of the repository with one bit flipped in the middle of `object`; returns the run of `args` on it. */
async function onDamagedCopy(object: string, label: string, args: readonly string[]): Promise<RunResult> {
  const copy = join(fixture.base, `repo-${label}`);
  await cp(fixture.coffer.repo, copy, { recursive: true });
  await flipBit(join(copy, object));
  return fixture.coffer.run(args, { repo: copy, cacheDir: join(fixture.base, `cache-${label}`) });
}

/** Asserts `check --read-data` on a copy with `object` damaged fails and names it. */
async function checkFindsDamage(object: string, label: string): Promise<void> {
  const result = await onDamagedCopy(object, label, ['check', '--read-data']);
  assert.notEqual(result.code, 0, `check must fail after a bit flip in ${object}\n${describeRun(result)}`);
  const output = result.stdout + result.stderr;
  const id = idOf(object);
  assert.ok(output.includes(id) || output.includes(id.slice(0, 8)),
    `check names the damaged object ${object}\n${describeRun(result)}`);
  assert.ok(!/^\s+at\s/m.test(output), `no stack trace\n${describeRun(result)}`);
}

test('check --read-data finds a flipped bit in a data pack', async () => {
  const [pack] = await dataPackNames(fixture.coffer.repo);
  assert.ok(pack);
  await checkFindsDamage(pack, 'check-data');
});

test('check --read-data finds a flipped bit in a tree pack', async () => {
  const [pack] = await packNames(fixture.coffer.repo, 'tree');
  assert.ok(pack);
  await checkFindsDamage(pack, 'check-tree');
});

test('check --read-data finds a flipped bit in an index object', async () => {
  const [index] = await objectNames(fixture.coffer.repo, 'index');
  assert.ok(index);
  await checkFindsDamage(index, 'check-index');
});

test('check --read-data finds a flipped bit in a snapshot', async () => {
  const [snapshot] = await objectNames(fixture.coffer.repo, 'snapshots');
  assert.ok(snapshot);
  await checkFindsDamage(snapshot, 'check-snapshot');
});

test('check finds a flipped bit in the signer set and names it', async () => {
  const [signers] = await objectNames(fixture.coffer.repo, 'signers');
  assert.ok(signers);
  await checkFindsDamage(signers, 'check-signers');
});

test('a flipped bit in the config is refused, naming the config', async () => {
  const result = await onDamagedCopy('config', 'check-config', ['check']);
  assert.notEqual(result.code, 0, describeRun(result));
  assert.match(result.stderr, /config/, describeRun(result));
  assert.ok(!/^\s+at\s/m.test(result.stderr), `no stack trace\n${describeRun(result)}`);
});

test('restore from a damaged data pack names exactly the files in it and restores the rest', { timeout: 60_000 }, async () => {
  const packsByFile = await packsOfFiles(fixture.coffer);
  assert.deepEqual([...packsByFile.keys()].sort(), [...fixture.contents.keys()].sort(), 'ground truth covers every file');
  const packs = await dataPackNames(fixture.coffer.repo);
  assert.ok(packs.length >= 3, `the data spans several packs (${packs.length})`);
  // The pack whose damage hits the fewest files (but some).
  const affectedBy = (pack: string) => [...packsByFile].filter(([, p]) => p.has(pack)).map(([path]) => path).sort();
  const victim = packs.map((pack) => ({ pack, affected: affectedBy(pack) }))
    .filter((c) => c.affected.length > 0)
    .sort((a, b) => a.affected.length - b.affected.length)[0];
  assert.ok(victim && victim.affected.length < fixture.contents.size, 'some pack holds blobs of some files but not all');

  const target = join(fixture.base, 'restore-json');
  const result = await onDamagedCopy(victim.pack, 'restore', ['restore', 'latest', '--json', '--target', target]);
  assert.notEqual(result.code, 0, `restore from a damaged pack exits non-zero\n${describeRun(result)}`);
  assert.ok(result.code !== null && result.code < 128, `restore ends normally\n${describeRun(result)}`);
  const summary = jsonLines(result.stdout).at(-1) as { type: string; failures: { path: string; message: string }[] };
  assert.equal(summary.type, 'summary', describeRun(result));
  assert.deepEqual(summary.failures.map((f) => f.path).sort(), victim.affected,
    `failures name exactly the files with blobs in ${victim.pack}\n${describeRun(result)}`);

  for (const [path, data] of fixture.contents) {
    const restored = restoredPath(target, path);
    if (victim.affected.includes(path)) {
      await assert.rejects(access(restored), `a file that could not be restored is not left behind: ${restored}`);
    } else {
      assert.ok((await readFile(restored)).equals(data), `${path} restores byte for byte`);
    }
  }

  // Without --json the same files are named on stderr.
  const text = await fixture.coffer.run(['restore', 'latest', '--target', join(fixture.base, 'restore-text')],
    { repo: join(fixture.base, 'repo-restore'), cacheDir: join(fixture.base, 'cache-restore') });
  assert.notEqual(text.code, 0, describeRun(text));
  const named = text.stderr.split('\n').filter((l) => l.startsWith('error: ')).map((l) => l.slice('error: '.length));
  for (const path of victim.affected) {
    assert.ok(named.some((l) => l.startsWith(`${path}: `)), `stderr names ${path}\n${describeRun(text)}`);
  }
  assert.equal(named.length, victim.affected.length, `only the affected files are named\n${describeRun(text)}`);
  assert.ok(!/^\s+at\s/m.test(text.stderr), `no stack trace\n${describeRun(text)}`);
});

/**
 * Storage that damages an object and renames it to the hash of its new bytes
 * defeats the name check; the authentication inside must still catch it.
 */
async function checkFindsRenamedDamage(object: string, label: string): Promise<void> {
  const copy = join(fixture.base, `repo-${label}`);
  await cp(fixture.coffer.repo, copy, { recursive: true });
  await flipBit(join(copy, object));
  const bytes = await readFile(join(copy, object));
  const id = createHash('sha256').update(bytes).digest('hex');
  const folder = object.slice(0, object.lastIndexOf('/'));
  const renamed = /^(data|tree)\//.test(object) ? `${object.slice(0, 4)}/${id.slice(0, 2)}/${id}` : `${folder}/${id}`;
  await mkdir(join(copy, renamed, '..'), { recursive: true });
  await rename(join(copy, object), join(copy, renamed));
  const result = await fixture.coffer.run(['check', '--read-data'], { repo: copy, cacheDir: join(fixture.base, `cache-${label}`) });
  assert.notEqual(result.code, 0, `check must fail after a bit flip in ${object}, renamed to ${renamed}\n${describeRun(result)}`);
  assert.ok(result.stderr.includes(id.slice(0, 8)), `check names the damaged object ${renamed}\n${describeRun(result)}`);
  assert.ok(!/^\s+at\s/m.test(result.stderr), `no stack trace\n${describeRun(result)}`);
}

test('a damaged snapshot renamed to its new hash is still rejected by its authentication', async () => {
  const [snapshot] = await objectNames(fixture.coffer.repo, 'snapshots');
  await checkFindsRenamedDamage(snapshot!, 'renamed-snapshot');
});

test('a damaged index object renamed to its new hash is still rejected by its authentication', async () => {
  const [index] = await objectNames(fixture.coffer.repo, 'index');
  await checkFindsRenamedDamage(index!, 'renamed-index');
});

test('a damaged data pack renamed to its new hash is still rejected by its authentication', async () => {
  const [pack] = await dataPackNames(fixture.coffer.repo);
  await checkFindsRenamedDamage(pack!, 'renamed-data');
});

test('restore and ls with a damaged tree pack fail with a clear message', async () => {
  const [pack] = await packNames(fixture.coffer.repo, 'tree');
  assert.ok(pack);
  const target = join(fixture.base, 'restore-damaged-tree');
  const restore = await onDamagedCopy(pack, 'damaged-tree', ['restore', 'latest', '--target', target]);
  assert.notEqual(restore.code, 0, describeRun(restore));
  assert.ok(restore.stderr.includes(idOf(pack).slice(0, 8)), `restore names the tree pack\n${describeRun(restore)}`);
  assert.ok(!/^\s+at\s/m.test(restore.stderr), `no stack trace\n${describeRun(restore)}`);
  const ls = await fixture.coffer.run(['ls', 'latest'], { repo: join(fixture.base, 'repo-damaged-tree'), cacheDir: join(fixture.base, 'cache-damaged-tree') });
  assert.notEqual(ls.code, 0, describeRun(ls));
  assert.ok(ls.stderr.includes(idOf(pack).slice(0, 8)), `ls names the tree pack\n${describeRun(ls)}`);
  assert.ok(!/^\s+at\s/m.test(ls.stderr), `no stack trace\n${describeRun(ls)}`);
});

// What docs/security.md (2.1) promises when storage deletes, adds or forges objects.

test('a missing data pack is reported by check as indexed but missing', async () => {
  const [pack] = await dataPackNames(fixture.coffer.repo);
  assert.ok(pack);
  const copy = join(fixture.base, 'repo-missing-pack');
  await cp(fixture.coffer.repo, copy, { recursive: true });
  await rm(join(copy, pack));
  const result = await fixture.coffer.run(['check'], { repo: copy, cacheDir: join(fixture.base, 'cache-missing-pack') });
  assert.notEqual(result.code, 0, describeRun(result));
  assert.ok(result.stderr.includes(idOf(pack).slice(0, 8)) || result.stderr.includes(idOf(pack)), describeRun(result));
  assert.match(result.stderr, /missing/, describeRun(result));
});

test('after the index is lost, check names the snapshot and the next backup stores the data again', { timeout: 60_000 }, async () => {
  const copy = join(fixture.base, 'repo-lost-index');
  const cacheDir = join(fixture.base, 'cache-lost-index');
  await cp(fixture.coffer.repo, copy, { recursive: true });
  // The files cache of the original backup comes along: it must not be trusted for blobs that are no longer indexed.
  await cp(fixture.coffer.cacheDir, cacheDir, { recursive: true });
  for (const index of await objectNames(copy, 'index')) await rm(join(copy, index));

  // With its only index object gone even the snapshot's trees are unknown: check names the snapshot.
  const check = await fixture.coffer.run(['check'], { repo: copy, cacheDir });
  assert.notEqual(check.code, 0, describeRun(check));
  const [snapshot] = await objectNames(copy, 'snapshots');
  assert.ok(snapshot && check.stderr.includes(idOf(snapshot).slice(0, 8)), `check names the snapshot\n${describeRun(check)}`);

  const total = [...fixture.contents.values()].reduce((sum, data) => sum + data.length, 0);
  const again = await fixture.coffer.run(['backup', '--json', fixture.source], { repo: copy, cacheDir });
  assert.equal(again.code, 0, describeRun(again));
  const summary = jsonLines(again.stdout).at(-1) as { snapshot: string; bytesAdded: number; filesUnchanged: number };
  assert.ok(summary.bytesAdded >= total, `the data is stored again: ${summary.bytesAdded} of ${total} bytes`);
  const target = join(fixture.base, 'restore-lost-index');
  const restore = await fixture.coffer.run(['restore', summary.snapshot, '--target', target], { repo: copy, cacheDir });
  assert.equal(restore.code, 0, describeRun(restore));
  for (const [path, data] of fixture.contents) {
    assert.ok((await readFile(restoredPath(target, path))).equals(data), `${path} restores from the new snapshot`);
  }
  const after = await fixture.coffer.run(['check', '--json'], { repo: copy, cacheDir });
  const report = jsonLines(after.stdout)[0] as { problems: { object: string }[] };
  assert.ok(!report.problems.some((p) => p.object.includes(summary.snapshot)), `the new snapshot is sound\n${describeRun(after)}`);
});

test('a pack no index mentions is only noted by check; --read-data rejects it', async () => {
  const [pack] = await dataPackNames(fixture.coffer.repo);
  assert.ok(pack);
  const copy = join(fixture.base, 'repo-stray-pack');
  await cp(fixture.coffer.repo, copy, { recursive: true });
  const bytes = await readFile(join(copy, pack));
  const middle = bytes.length >> 1;
  bytes.writeUInt8(bytes.readUInt8(middle) ^ 0x80, middle);
  const id = createHash('sha256').update(bytes).digest('hex');
  await mkdir(join(copy, 'data', id.slice(0, 2)), { recursive: true });
  await writeFile(join(copy, 'data', id.slice(0, 2), id), bytes);
  const cacheDir = join(fixture.base, 'cache-stray-pack');

  const check = await fixture.coffer.run(['check'], { repo: copy, cacheDir });
  assert.equal(check.code, 0, describeRun(check));
  assert.match(check.stderr + check.stdout, /not in any index/, describeRun(check));
  const readData = await fixture.coffer.run(['check', '--read-data'], { repo: copy, cacheDir });
  assert.notEqual(readData.code, 0, describeRun(readData));
  assert.ok(readData.stderr.includes(id.slice(0, 8)), `check --read-data names the stray pack\n${describeRun(readData)}`);
  // Restores never use it.
  const target = join(fixture.base, 'restore-stray-pack');
  const restore = await fixture.coffer.run(['restore', 'latest', '--target', target], { repo: copy, cacheDir });
  assert.equal(restore.code, 0, describeRun(restore));
});

test('a snapshot forged by storage is unverified: never latest, refused without --allow-unverified, reported by check', async () => {
  const copy = join(fixture.base, 'repo-forged');
  await cp(fixture.coffer.repo, copy, { recursive: true });
  const cacheDir = join(fixture.base, 'cache-forged');
  // Storage knows the read public key (it is in config) and may replay a tree id; it has no authorized signer key.
  const backend = new LocalBackend(copy);
  const { repository } = await openRepository(backend, fixture.coffer.password);
  const [real] = (await repository.listSnapshots()).snapshots;
  assert.ok(real);
  const signer = generateRawKeyPair('ed25519');
  const forged = sealDocument('snapshot', encodeSnapshotJson({
    ...real.snapshot, time: real.snapshot.time + 3_600_000_000_000n, signer: signer.publicKey, tags: ['forged'],
  }), signer, repository.keyring.readPublicKey);
  await backend.save(snapshotName(forged.id), forged.bytes);
  await backend.close();

  const run = (args: readonly string[]) => fixture.coffer.run(args, { repo: copy, cacheDir });
  const listed = JSON.parse((await run(['snapshots', '--json'])).stdout) as { id: string; verified: boolean }[];
  assert.equal(listed.length, 2);
  assert.equal(listed.find((s) => s.id === forged.id)?.verified, false);
  assert.equal(listed.find((s) => s.id === real.id)?.verified, true);

  const restore = await run(['restore', 'latest', '--json', '--target', join(fixture.base, 'restore-forged')]);
  assert.equal(restore.code, 0, describeRun(restore));
  assert.equal((jsonLines(restore.stdout).at(-1) as { snapshot: string }).snapshot, real.id, 'latest is the verified snapshot');

  const ls = await run(['ls', forged.id.slice(0, 12)]);
  assert.notEqual(ls.code, 0, `ls refuses an unverified snapshot\n${describeRun(ls)}`);
  const allowed = await run(['ls', '--allow-unverified', forged.id.slice(0, 12)]);
  assert.equal(allowed.code, 0, describeRun(allowed));
  const refused = await run(['restore', forged.id, '--target', join(fixture.base, 'restore-forged-2')]);
  assert.notEqual(refused.code, 0, `restore refuses an unverified snapshot\n${describeRun(refused)}`);

  const check = await run(['check']);
  assert.notEqual(check.code, 0, describeRun(check));
  assert.ok(check.stderr.includes(forged.id.slice(0, 8)), `check names the forged snapshot\n${describeRun(check)}`);
});
