// The format v1 fixture (testdata/fixture-v1, see its README.md): a
// repository written once by coffer's CLI at format v1. Every coffer must
// still open it with its passphrase, check it down to the last blob, list
// both snapshots as verified, and restore each to exactly the files recorded
// in expected.json. If this fails, the change under test breaks existing
// repositories: fix the change, never the fixture.
//
// The test works on a copy in a temporary directory; testdata is only read.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, lstat, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { LocalBackend } from '../backend/local.js';
import { check } from '../checker/checker.js';
import { Restorer } from '../restorer/restorer.js';
import { metadataFromStats, RestoreTarget } from '../source/index.js';
import { readTree } from '../source/testing.js';
import { openRepository } from '../repository/init.js';
import type { Repository } from '../repository/repository.js';
import { rejectsWith } from '../repository/testing.js';

interface ExpectedEntry {
  readonly type: string;
  readonly mode?: number;
  readonly size?: number;
  readonly sha256?: string;
  readonly target?: string;
  readonly mtimeNs: string;
}

interface Expected {
  readonly passphraseFile: string;
  readonly snapshots: { id: string; source: string; tree: Record<string, ExpectedEntry> }[];
}

const FIXTURE = fileURLToPath(new URL('../../testdata/fixture-v1/', import.meta.url));
const CLI = fileURLToPath(new URL('../../bin/coffer.js', import.meta.url));
const expected = JSON.parse(await readFile(join(FIXTURE, 'expected.json'), 'utf8')) as Expected;
const passphraseFile = join(FIXTURE, expected.passphraseFile);
/** As `--password-file` reads it: exactly one trailing newline stripped. */
const passphrase = (await readFile(passphraseFile, 'utf8')).replace(/\r?\n$/, '');

/** Every file below `dir` (relative path -> SHA-256 of its bytes). */
async function fileHashes(dir: string, out = new Map<string, string>(), root = dir): Promise<Map<string, string>> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await fileHashes(path, out, root);
    else if (entry.isFile()) out.set(relative(root, path), createHash('sha256').update(await readFile(path)).digest('hex'));
  }
  return out;
}

/** A restored directory described as expected.json describes the source ("." is the directory itself). */
async function describeRestored(root: string): Promise<Record<string, ExpectedEntry>> {
  const self = metadataFromStats(await lstat(root, { bigint: true }));
  const tree: Record<string, ExpectedEntry> = { '.': { type: self.type, mode: self.mode, mtimeNs: String(self.mtimeNs) } };
  for (const [path, entry] of Object.entries(await readTree(root))) {
    const { mtimeNs, ...rest } = entry;
    tree[path] = { ...rest, mtimeNs: String(mtimeNs) };
  }
  return tree;
}

describe('format v1 fixture repository', () => {
  let work: string | undefined;
  let repo: string;
  let original: Map<string, string>;

  before(async () => {
    original = await fileHashes(FIXTURE);
    work = await mkdtemp(join(tmpdir(), 'coffer-fixture-'));
    repo = join(work, 'repo');
    await cp(join(FIXTURE, 'repo'), repo, { recursive: true });
  });

  after(async () => {
    if (work) await rm(work, { recursive: true, force: true });
    assert.deepEqual(await fileHashes(FIXTURE), original, 'testdata/fixture-v1 was modified');
  });

  const open = async (): Promise<Repository> => (await openRepository(new LocalBackend(repo), passphrase)).repository;

  test('every stored object is named by the SHA-256 of its bytes (checkable without keys)', async () => {
    const hashes = await fileHashes(join(FIXTURE, 'repo'));
    assert.ok(hashes.size >= 10, `${hashes.size} objects`);
    for (const [path, hash] of hashes) {
      if (path === 'config') continue;
      assert.equal(path.slice(path.lastIndexOf('/') + 1), hash, path);
    }
  });

  test('a wrong passphrase is refused', async () => {
    await rejectsWith(() => openRepository(new LocalBackend(repo), `${passphrase}x`), 'WRONG_PASSWORD');
  });

  test('check with readData finds no problem in any object or blob', async () => {
    const repository = await open();
    const result = await check(repository, { readData: true });
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.notes, []);
    assert.equal(result.snapshots, 2);
    assert.equal(result.packsRead, 4, 'one data and one tree pack per backup');
    assert.ok(result.blobsRead >= 10, `${result.blobsRead} blobs read`);
  });

  test('both snapshots are listed and verified, in order, chained by their signer', async () => {
    const repository = await open();
    const { snapshots, issues } = await repository.listSnapshots();
    assert.deepEqual(issues, []);
    assert.deepEqual(snapshots.map((s) => s.id), expected.snapshots.map((s) => s.id));
    for (const [i, record] of snapshots.entries()) {
      assert.equal(record.verified, true, `snapshot ${record.id.slice(0, 8)} verified`);
      assert.equal(record.signerName, 'fixture');
      assert.deepEqual(record.snapshot.paths, [expected.snapshots[i]!.source]);
      assert.equal(record.snapshot.hostname, 'fixture');
      assert.equal(record.snapshot.incomplete, false);
      assert.equal(record.snapshot.sequence, i + 1);
      assert.equal(record.snapshot.previous, i === 0 ? null : snapshots[i - 1]!.id);
    }
    assert.equal(repository.config.packSize, 1024 * 1024);
    assert.deepEqual(repository.config.domains.map((d) => d.chunker),
      [{ algorithm: 'fastcdc-v1', min: 64 * 1024, avg: 128 * 1024, max: 512 * 1024 }]);
  });

  for (const [i, snapshot] of expected.snapshots.entries()) {
    test(`snapshot ${i + 1} (${snapshot.id.slice(0, 8)}) restores to the recorded files`, async () => {
      const repository = await open();
      assert.deepEqual(await repository.loadIndex(), []);
      const record = await repository.loadSnapshot(snapshot.id);
      assert.equal(record.verified, true);
      const into = join(repo, '..', `restore-${i + 1}`);
      const result = await new Restorer({
        source: repository, target: await RestoreTarget.open(into, { ownership: false }),
      }).run(record.snapshot.tree);
      assert.deepEqual(result.failures, []);
      assert.deepEqual(await describeRestored(join(into, snapshot.source)), snapshot.tree);
    });
  }

  test('the CLI: check --read-data exits 0', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      CLI, '--repo', repo, '--password-file', passphraseFile, '--no-cache', '--json', 'check', '--read-data',
    ], { timeout: 120_000 });
    const lines = stdout.trim().split('\n').map((line) => JSON.parse(line) as { type: string; ok?: boolean; snapshots?: number });
    const summary = lines.find((line) => line.type === 'check');
    assert.equal(summary?.ok, true);
    assert.equal(summary?.snapshots, 2);
  });
});
