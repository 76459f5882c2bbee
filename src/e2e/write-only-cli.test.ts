// Write-only keys through the CLI: `key add --write-only` writes a key file
// outside the repository; a host backs up with it (`--key-file` or
// COFFER_KEY_FILE) but every reading command exits 13; the owner sees the
// host's snapshots signed by its name, restores them, and after `key
// revoke` the host's later snapshots are flagged.
import assert from 'node:assert/strict';
import { copyFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeTree, readTree, withTempDir } from '../source/testing.js';
import {
  backupSummary, CHEAP_SCRYPT, Coffer, describeRun, hasStackTrace, jsonLines, objectNames, pseudoRandomBytes, restoredPath,
  toMicroseconds, type RunOptions,
} from './testing.js';

interface ListedSnapshot {
  id: string; signerName: string | null; verified: boolean; verification: string; sequence: number; previous: string | null;
}

async function snapshotsOf(coffer: Coffer): Promise<ListedSnapshot[]> {
  return JSON.parse((await coffer.ok(['snapshots', '--json'])).stdout) as ListedSnapshot[];
}

test('a write-only key backs up but reads nothing (exit 13); its snapshots carry its name; key revoke flags its later ones', { timeout: 180_000 }, async () => {
  await withTempDir(async (dir) => {
    const coffer = await Coffer.init(dir, { smallChunks: true });
    const src = join(dir, 'src');
    await makeTree(src, { 'data.bin': pseudoRandomBytes('data', 300_000), 'notes.txt': 'notes\n', sub: { 'x.txt': 'x' } });
    const keyFile = join(dir, 'web1.key');
    const hostPass = join(dir, 'web1.pass');
    await writeFile(hostPass, 'web1 passphrase', { mode: 0o600 });

    const add = await coffer.ok(['key', 'add', '--write-only', '--name', 'web1', '--output', keyFile, '--new-password-file', hostPass, ...CHEAP_SCRYPT, '--json']);
    const added = jsonLines(add.stdout)[0] as { type: string; role: string; signerSetVersion: number; file: string };
    assert.deepEqual([added.type, added.role, added.signerSetVersion, added.file], ['key-added', 'write-only', 2, keyFile]);
    assert.equal((await stat(keyFile)).mode & 0o777, 0o600);
    assert.equal((await objectNames(coffer.repo, 'keys')).length, 1, 'the write-only key is not stored in the repository');
    const again = await coffer.run(['key', 'add', '--write-only', '--name', 'web2', '--output', keyFile, '--new-password-file', hostPass, ...CHEAP_SCRYPT]);
    assert.equal(again.code, 2, `an existing output file is never replaced\n${describeRun(again)}`);
    const duplicate = await coffer.run(['key', 'add', '--write-only', '--name', 'web1', '--output', join(dir, 'other.key'), '--new-password-file', hostPass, ...CHEAP_SCRYPT]);
    assert.equal(duplicate.code, 2, `a signer name is used once\n${describeRun(duplicate)}`);

    const host: RunOptions = { passwordFile: hostPass, cacheDir: join(dir, 'host-cache'), env: { COFFER_KEY_FILE: keyFile } };
    const first = await coffer.backup([src], host);
    await makeTree(src, { 'later.txt': 'added later' });
    const second = await coffer.backup([src], host);
    assert.equal(second.filesUnchanged, 3, 'the files cache makes the second backup incremental');
    assert.ok(second.bytesAdded < first.bytesAdded / 4, `${second.bytesAdded} of ${first.bytesAdded} bytes added again`);

    const target = join(dir, 'never');
    for (const args of [['snapshots'], ['ls', 'latest'], ['restore', 'latest', '--target', target], ['cat', 'snapshot', second.snapshot], ['check'], ['key', 'add', '--new-password-file', hostPass],
      ['forget', second.snapshot], ['repair', 'snapshots', '--forget']]) {
      const result = await coffer.run(args, host);
      assert.equal(result.code, 13, describeRun(result));
      assert.match(result.stderr, /can only write backups|needs the repository's full key/, describeRun(result));
      assert.ok(!hasStackTrace(result.stderr), describeRun(result));
    }
    assert.deepEqual(await objectNames(coffer.repo, 'forgotten'), [], 'a write-only key records no deletion');

    // The owner: both snapshots signed by web1, chained; restores the latest byte for byte.
    const listed = await snapshotsOf(coffer);
    assert.deepEqual(listed.map((s) => [s.signerName, s.verification, s.sequence, s.previous]), [
      ['web1', 'verified', 1, null], ['web1', 'verified', 2, first.snapshot],
    ]);
    const restoreTarget = join(dir, 'restored');
    await coffer.ok(['restore', 'latest', '--target', restoreTarget]);
    assert.deepEqual(toMicroseconds(await readTree(restoredPath(restoreTarget, src))), toMicroseconds(await readTree(src)));
    await coffer.check();
    // Any key file can be kept outside the repository: the full key too.
    const fullKey = join(dir, 'full.key');
    await copyFile(join(coffer.repo, (await objectNames(coffer.repo, 'keys'))[0]!), fullKey);
    assert.equal((await coffer.run(['--key-file', fullKey, 'snapshots'])).code, 0);
    const wrong = await coffer.run(['--key-file', fullKey, 'snapshots'], { passwordFile: hostPass });
    assert.equal(wrong.code, 12, describeRun(wrong));

    const revoke = await coffer.ok(['key', 'revoke', 'web1', '--json']);
    assert.deepEqual((jsonLines(revoke.stdout)[0] as { trustedSnapshots: string[] }).trustedSnapshots.sort(), [first.snapshot, second.snapshot].sort());
    // The host cannot read the signer set, so it still writes; what it writes no longer counts.
    const third = backupSummary(await coffer.ok(['--key-file', keyFile, 'backup', '--json', src], { ...host, env: {} }));
    const after = await snapshotsOf(coffer);
    assert.deepEqual(after.map((s) => [s.id, s.verification]), [
      [first.snapshot, 'verified'], [second.snapshot, 'verified'], [third.snapshot, 'revoked-signer'],
    ]);
    const table = await coffer.ok(['snapshots']);
    assert.match(table.stdout, /web1 \(UNVERIFIED: signer revoked\)/);
    const restored = await coffer.ok(['restore', 'latest', '--json', '--target', join(dir, 'after-revoke')]);
    assert.equal((jsonLines(restored.stdout).at(-1) as { snapshot: string }).snapshot, second.snapshot, 'latest skips the flagged snapshot');
    const check = await coffer.run(['check']);
    assert.equal(check.code, 1, describeRun(check));
    assert.match(check.stderr, new RegExp(`${third.snapshot.slice(0, 8)}: signed by a revoked signer`), describeRun(check));
    const signers = JSON.parse((await coffer.ok(['key', 'signers', '--json'])).stdout) as { version: number; signers: { name: string; revoked: string | null }[] };
    assert.equal(signers.version, 3);
    assert.deepEqual(signers.signers.map((s) => [s.name, s.revoked !== null]), [[signers.signers[0]!.name, false], ['web1', true]]);
  });
});
