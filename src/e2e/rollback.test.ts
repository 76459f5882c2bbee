// Rollback, deletion and forgery, as storage would do them: hiding a host's
// newest snapshot, deleting one in the middle, serving an older signer set,
// and snapshots forged with an unknown key, with an altered signature, or
// by a revoked signer. Each is refused or flagged, and `check` reports it.
import assert from 'node:assert/strict';
import { cp, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { LocalBackend } from '../backend/local.js';
import { counterNonce, generateRawKeyPair, LABELS, seal, sealingKeys, sha256, signBody } from '../crypto/index.js';
import { encodePadded, encodeSealedObject, encodeSigned, ObjectType, SignatureLabel } from '../format/index.js';
import { openDocument, openRepository, snapshotName } from '../repository/index.js';
import { makeTree } from '../source/testing.js';
import {
  backupSummary, CHEAP_SCRYPT, Coffer, describeRun, jsonLines, objectNames, type BackupSummary, type RunOptions, type RunResult,
} from './testing.js';

let dir: string;
let coffer: Coffer;
let host: RunOptions;
const owner: BackupSummary[] = [];
const writer: BackupSummary[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coffer-rollback-'));
  coffer = await Coffer.init(dir, { smallChunks: true });
  const src = join(dir, 'src');
  await makeTree(src, { 'a.txt': 'a' });
  const keyFile = join(dir, 'w1.key');
  await writeFile(join(dir, 'w1.pass'), 'w1 passphrase');
  await coffer.ok(['key', 'add', '--write-only', '--name', 'w1', '--output', keyFile, '--new-password-file', join(dir, 'w1.pass'), ...CHEAP_SCRYPT]);
  host = { passwordFile: join(dir, 'w1.pass'), cacheDir: join(dir, 'w1-cache'), env: { COFFER_KEY_FILE: keyFile } };
  for (let i = 0; i < 3; i++) {
    await writeFile(join(src, 'a.txt'), `version ${i}`);
    owner.push(await coffer.backup([src]));
    writer.push(await coffer.backup([src], host));
  }
  await coffer.check(); // the owner's client sees (and remembers) every signer's newest snapshot
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Copies of the repository, of the owner's cache (with its high-water marks)
 * and of the host's, and runners for the owner and the host on them.
 */
async function scenario(name: string, options: { freshCache?: boolean } = {}) {
  const repo = join(dir, `repo-${name}`);
  const cacheDir = join(dir, `cache-${name}`);
  const hostCache = join(dir, `host-cache-${name}`);
  await cp(coffer.repo, repo, { recursive: true });
  if (!options.freshCache) await cp(coffer.cacheDir, cacheDir, { recursive: true });
  await cp(host.cacheDir!, hostCache, { recursive: true });
  const run = (args: readonly string[], extra: RunOptions = {}) => coffer.run(args, { repo, cacheDir, ...extra });
  const runHost = (args: readonly string[]) => coffer.run(args, { ...host, repo, cacheDir: hostCache });
  return { repo, cacheDir, run, runHost };
}

function failsNaming(result: RunResult, pattern: RegExp): void {
  assert.equal(result.code, 1, describeRun(result));
  assert.match(result.stderr, pattern, describeRun(result));
}

test('storage hiding a host\'s newest snapshot is reported through the high-water mark; the host chains past the gap', { timeout: 120_000 }, async () => {
  const { repo, run, runHost } = await scenario('hidden');
  const newest = writer[2]!.snapshot;
  await rename(join(repo, 'snapshots', newest), join(dir, 'hidden-snapshot'));
  failsNaming(await run(['check']), new RegExp(`signer w1 \\(\\w+\\): snapshot ${newest.slice(0, 8)} \\(sequence 3\\), seen before by this client, is missing from storage; the newest left is sequence 2`));
  // A client that never saw it does not know (the gap is invisible to it)...
  assert.equal((await run(['check'], { cacheDir: join(dir, 'cache-hidden-fresh') })).code, 0);
  // ...until the host writes again: it remembers its last snapshot, warns, and chains after it.
  const next = await runHost(['backup', '--json', join(dir, 'src')]);
  assert.equal(next.code, 0, describeRun(next));
  const warning = jsonLines(next.stdout).find((l) => (l as { code?: string }).code === 'PREVIOUS_SNAPSHOT_MISSING');
  assert.ok(warning, describeRun(next));
  failsNaming(await run(['check'], { cacheDir: join(dir, 'cache-hidden-fresh') }), new RegExp(`follows snapshot ${newest.slice(0, 8)}, which is missing from storage`));
  const listed = JSON.parse((await run(['snapshots', '--json'])).stdout) as { id: string; sequence: number; previous: string }[];
  const written = backupSummary(next).snapshot;
  assert.deepEqual(listed.filter((s) => s.id === written).map((s) => [s.sequence, s.previous]), [[4, newest]]);
});

test('deleting a snapshot in the middle is reported, even by a client that never saw it', { timeout: 60_000 }, async () => {
  const { repo, run } = await scenario('middle', { freshCache: true });
  const middle = owner[1]!.snapshot;
  await rm(join(repo, 'snapshots', middle));
  failsNaming(await run(['check']), new RegExp(`snapshot ${owner[2]!.snapshot.slice(0, 8)} \\(sequence 3\\) follows snapshot ${middle.slice(0, 8)}, which is missing from storage`));
});

test('an older signer set served again (undoing a revocation) is reported, and no signer change builds on it', { timeout: 120_000 }, async () => {
  const { repo, run } = await scenario('signers');
  const before = await objectNames(repo, 'signers');
  const revoke = await run(['key', 'revoke', 'w1']);
  assert.equal(revoke.code, 0, describeRun(revoke));
  const newest = (await objectNames(repo, 'signers')).filter((n) => !before.includes(n));
  assert.equal(newest.length, 1);
  // Storage replays the set before the revocation by hiding the newer one: w1's snapshots would count again.
  await rename(join(repo, newest[0]!), join(dir, 'hidden-signers'));
  const check = await run(['check']);
  failsNaming(check, /the newest signer set in storage is version 2, but this client saw version 3 before: storage is hiding a newer one/);
  const snapshots = await run(['snapshots']);
  assert.match(snapshots.stderr, /storage is hiding a newer one/, describeRun(snapshots));
  const add = await run(['key', 'add', '--write-only', '--name', 'w9', '--output', join(dir, 'w9.key'), '--new-password-file', host.passwordFile!, ...CHEAP_SCRYPT]);
  assert.equal(add.code, 1, describeRun(add));
  assert.match(add.stderr, /refusing to build on it/);
});

/** Seals snapshot JSON to the read key with any signer key and signature bytes (what storage can do with public values). */
function sealWithSignature(json: Buffer, publicKey: Buffer, signature: Buffer, readPublicKey: Buffer): { id: string; bytes: Buffer } {
  const { ephemeralPublic, keys } = sealingKeys(readPublicKey, [LABELS.snapshot]);
  const header = encodeSealedObject(ObjectType.snapshot, ephemeralPublic, Buffer.alloc(0));
  const bytes = Buffer.concat([header, seal(keys[0]!, counterNonce(0), header, encodePadded(encodeSigned(json, publicKey, signature)))]);
  return { id: sha256(bytes).toString('hex'), bytes };
}

test('a snapshot forged with an unknown key, one with an altered signature, and one by a revoked signer are flagged and refused', { timeout: 120_000 }, async () => {
  const { repo, run, runHost } = await scenario('forged');
  const backend = new LocalBackend(repo);
  const { repository } = await openRepository(backend, coffer.password);
  const real = owner[2]!.snapshot;
  const doc = openDocument('snapshot', real, await backend.load(snapshotName(real)), repository.keyring.readPrivateKey!, repository.keyring.readPublicKey);
  const readPublic = repository.keyring.readPublicKey;
  const stranger = generateRawKeyPair('ed25519');
  const base = JSON.parse(doc.json.toString()) as Record<string, unknown>;
  const later = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString().replace('Z', '000000Z');
  // 1. Signed by a key the signer set does not list (storage knows the read public key).
  const unknownJson = Buffer.from(JSON.stringify({ ...base, time: later(1), signer: stranger.publicKey.toString('hex') }));
  const unknown = sealWithSignature(unknownJson, stranger.publicKey, signBody(stranger.privateKey, SignatureLabel.snapshot, unknownJson), readPublic);
  // 2. The owner's genuine signer and JSON with a later time, but a signature that is not over it (bit flipped).
  const alteredJson = Buffer.from(JSON.stringify({ ...base, time: later(2) }));
  const signature = signBody(repository.keyring.signer.privateKey, SignatureLabel.snapshot, alteredJson);
  signature[10] = signature[10]! ^ 1;
  const altered = sealWithSignature(alteredJson, repository.keyring.signer.publicKey, signature, readPublic);
  for (const forged of [unknown, altered]) await backend.save(snapshotName(forged.id), forged.bytes);
  await backend.close();
  // 3. A revoked writer keeps writing (it cannot read the signer set): what it writes after the revocation is flagged.
  assert.equal((await run(['key', 'revoke', 'w1'])).code, 0);
  const late = await runHost(['backup', '--json', join(dir, 'src')]);
  const revoked = backupSummary(late).snapshot;

  const listed = JSON.parse((await run(['snapshots', '--json'])).stdout) as { id: string; verification: string; verified: boolean }[];
  const status = new Map(listed.map((s) => [s.id, s.verification]));
  assert.deepEqual([status.get(unknown.id), status.get(altered.id), status.get(revoked), status.get(writer[2]!.snapshot), status.get(real)],
    ['unknown-signer', 'bad-signature', 'revoked-signer', 'verified', 'verified']);
  // The newest that counts is w1's last one before its revocation, not a forged or a later one.
  const latest = await run(['restore', 'latest', '--json', '--target', join(dir, 'restore-forged')]);
  assert.equal((jsonLines(latest.stdout).at(-1) as { snapshot: string }).snapshot, writer[2]!.snapshot, describeRun(latest));
  for (const id of [unknown.id, altered.id, revoked]) {
    const ls = await run(['ls', id]);
    assert.equal(ls.code, 2, describeRun(ls));
    assert.match(ls.stderr, /--allow-unverified/);
  }
  assert.equal((await run(['ls', '--allow-unverified', altered.id])).code, 0);
  const check = await run(['check']);
  for (const [id, why] of [[unknown.id, 'signed by an unknown signer'], [altered.id, 'signature missing or broken'], [revoked, 'signed by a revoked signer']]) {
    assert.match(check.stderr, new RegExp(`${id!.slice(0, 8)}: ${why}`), describeRun(check));
  }
});
